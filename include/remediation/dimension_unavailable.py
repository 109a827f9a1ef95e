"""Unavailable user-defined dimensions (the INT402 situation): hold, explain, release, post.

The documents are held (``hold=dimension_unavailable``), so runs do not send them again and
again; their message carries the administrator's steps
(``include.pipeline.outcomes.DIMENSION_ADMIN_STEPS``). Every transactions run reads the
dimensions its held documents wait for again (once per dimension per run) and releases the
documents whose dimensions all read now, one dimension at a time, whatever the others do
(``include.pipeline.extract_validate``); so does the master-data sync
(``include.masterdata.dimension_holds``). The run's sweep then claims and posts them.
"""

from __future__ import annotations

from include.error_classes import ErrorClass
from include.pipeline.outcomes import DIMENSION_ADMIN_STEPS
from include.remediation.base import Handler, RemediationContext, RemediationResult


class DimensionUnavailableHandler(Handler):
    error_class = ErrorClass.DIMENSION_UNAVAILABLE

    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        for doc_type in context.doc_types:
            for row in context.rows_in_error(self.error_class, doc_type):
                result.considered += 1
                result.outcomes["held" if row.hold else "left in error"] += 1
                context.ledger.log_decision(
                    doc_type, row.key, run_id=context.run_id, decision="held_for_dimension",
                    reason=f"a user-defined dimension cannot return values: held (not sent again); every run reads "
                           f"the dimension again and posts the document once it reads. {DIMENSION_ADMIN_STEPS}")
        return result
