"""The route for error classes whose automatic fix is not built yet: record and report.

Each document stays in error (held where its class holds) and gets an event saying
what a person does, from the error class table, so the integration page and the
reconciliation report show it with its next step.
"""

from __future__ import annotations

from include.error_classes import ERROR_CLASSES
from include.remediation.base import Handler, RemediationContext, RemediationResult


class RecordOnlyHandler(Handler):
    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        info = ERROR_CLASSES[self.error_class]
        for doc_type in context.doc_types:
            for row in context.rows_in_error(self.error_class, doc_type):
                result.considered += 1
                outcome = f"held for {row.hold}" if row.hold else "left in error"
                result.outcomes[outcome] += 1
                context.ledger.log_decision(doc_type, row.key, run_id=context.run_id, decision="awaiting_person",
                                            reason=f"{self.error_class.value}: {outcome}. {info.person_does}")
        return result
