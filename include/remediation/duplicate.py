"""Duplicates: the document number already exists in Intacct. Link it: success, not error.

The existing record is found by the document's number, with a session of the
document's entity (multi-entity companies), which sees what the document would be
posted in. When both sides carry a total and the totals differ, it is not the same
document: it stays in error with both totals in the message, for a person to decide.
"""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from include.error_classes import ErrorClass
from include.ledger import Outcome
from include.pipeline.intacct_lookup import TOTAL_FIELDS, find_by_number
from include.pipeline.payloads import DOCUMENT_NUMBER_FIELDS
from include.pipeline.posting import entity_of
from include.remediation.base import Handler, RemediationContext, RemediationResult


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def find_in_document_entities(context: RemediationContext, doc_type: str, keys: list[str]) -> dict[str, list[dict]]:
    """``find_by_number`` for each document in its own entity (read from the ERP; a document no
    longer there is looked up with the connection's session)."""
    entities = {document.key: entity_of(document) for document in context.source.get_documents(doc_type, keys)}
    by_entity: dict[str | None, list[str]] = defaultdict(list)
    for key in keys:
        by_entity[entities.get(key)].append(key)
    found: dict[str, list[dict]] = {}
    for entity_id, numbers in by_entity.items():
        found.update(find_by_number(context.client.for_entity(entity_id), doc_type, numbers))
    return found


class DuplicateHandler(Handler):
    error_class = ErrorClass.DUPLICATE

    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        for doc_type, rows in self.rows_by_type(context, result):
            object_name, number_field = DOCUMENT_NUMBER_FIELDS[doc_type]
            found = find_in_document_entities(context, doc_type, [r.key for r in rows])
            links = {}
            for row in rows:
                records = found.get(row.key, [])
                if len(records) != 1:
                    why = ("no Intacct record carries this number" if not records
                           else f"{len(records)} Intacct records carry this number")
                    result.outcomes["not_linked"] += 1
                    context.ledger.log_decision(doc_type, row.key, run_id=context.run_id, decision="duplicate_unlinked",
                                                reason=f"not linked: {why}; a person decides")
                    continue
                record = records[0]
                theirs = _decimal(record.get(TOTAL_FIELDS.get(object_name, ""), None))
                if theirs is not None and row.amount is not None and theirs != row.amount:
                    result.outcomes["total_differs"] += 1
                    context.ledger.log_decision(
                        doc_type, row.key, run_id=context.run_id, decision="duplicate_unlinked",
                        reason=f"not linked: {object_name} {number_field}={row.key} (RECORDNO {record['RECORDNO']}) "
                               f"has total {theirs}, the ERP document {row.amount}; a person decides")
                    continue
                links[row.key] = str(record["RECORDNO"])
            if links:
                claims = context.ledger.claim(
                    doc_type, list(links), run_id=context.run_id, worker=f"remediate_duplicate:{os.getpid()}",
                    action="retry", reason="duplicate: the document exists in Intacct; link its RECORDNO",
                    lease_seconds=context.settings.claim_lease_seconds)
                outcomes = [Outcome.success(doc_type, c.key, record_no=links[c.key],
                                            message=f"linked to the existing Intacct {object_name} "
                                                    f"RECORDNO {links[c.key]} (duplicate number)")
                            for c in claims]
                report = context.ledger.record_outcomes(outcomes, run_id=context.run_id)
                result.outcomes["linked"] += report.applied
                for claim in claims:
                    context.ledger.log_decision(doc_type, claim.key, run_id=context.run_id, decision="linked_duplicate",
                                                reason=f"{object_name} {number_field}={claim.key} already in Intacct "
                                                       f"as RECORDNO {links[claim.key]}: linked, not posted again")
        if result.considered:
            result.api = context.client.metrics.snapshot()
        return result
