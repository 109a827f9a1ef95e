"""Invalid references: push what the ERP owns and retry; hold what Intacct owns.

* A missing customer, vendor or item is an ERP master Intacct does not have yet: it is
  pushed with the master-data push (``include.masterdata.push``, same ledger claims and
  controlids) and the document is re-posted in the same run.
* A missing or inactive account, department, location, class, project or dimension value
  belongs to Intacct: the document is held with "create it in Intacct or map it"; the
  next transactions run releases the hold once master data shows the value (the extract
  step re-validates held documents against the fresh reference data).
"""

from __future__ import annotations

import os
from collections import defaultdict

from include.error_classes import ErrorClass
from include.pipeline.outcomes import INTACCT_OWNED_STEPS
from include.pipeline.posting import PostingStats, claimed_from_rows, post_claimed
from include.remediation.base import Handler, RemediationContext, RemediationResult

# Which document field references which ERP-owned master (the master-data push's object types).
ERP_MASTER_FIELDS = {"customer_id": "customer", "vendor_id": "vendor", "item_id": "item"}


def referenced_masters(document) -> dict[str, set[str]]:
    """ERP master type -> ids the document references (header party and line items)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for field, object_type in ERP_MASTER_FIELDS.items():
        if document.header.get(field):
            wanted[object_type].add(str(document.header[field]))
        for line in document.lines:
            if line.get(field):
                wanted[object_type].add(str(line[field]))
    return wanted


def push_erp_masters(context: RemediationContext, wanted: dict[str, set[str]]) -> dict[str, dict]:
    """Push the named ERP masters that Intacct does not have yet; per type, what happened."""
    from include.masterdata.push import PushResult, push_chunk

    done = {}
    worker = f"remediate_invalid_reference:{os.getpid()}"
    for object_type, keys in sorted(wanted.items()):
        result = PushResult(object_type)
        for chunk in context.source.iter_masters(object_type, keys=sorted(keys)):
            result.read += len(chunk)
            push_chunk(context.client, context.ledger, object_type, chunk, run_id=context.run_id, worker=worker,
                       result=result)
        done[object_type] = result.to_dict()
    return done


class InvalidReferenceHandler(Handler):
    error_class = ErrorClass.INVALID_REFERENCE

    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        for doc_type, rows in self.rows_by_type(context, result):
            for row in (r for r in rows if r.hold):
                result.outcomes["held_intacct_owned"] += 1
                context.ledger.log_decision(
                    doc_type, row.key, run_id=context.run_id, decision="held_for_reference",
                    reason=f"references a value Intacct owns that it does not have (or has inactive): held. "
                           f"{INTACCT_OWNED_STEPS}")
            erp_owned = [r for r in rows if not r.hold]
            if erp_owned:
                self._push_and_post(context, doc_type, erp_owned, result)
        if result.outcomes.get("pushed_masters") is not None:
            result.api = context.client.metrics.snapshot()
        return result

    def _push_and_post(self, context, doc_type: str, rows: list, result: RemediationResult) -> None:
        documents = context.source.get_documents(doc_type, [r.key for r in rows])
        wanted: dict[str, set[str]] = defaultdict(set)
        for document in documents:
            for object_type, keys in referenced_masters(document).items():
                wanted[object_type] |= keys
        pushed = push_erp_masters(context, wanted)
        created = sum(p["created"] + p["updated"] + p["linked"] for p in pushed.values())
        result.outcomes["pushed_masters"] += created
        failed = {k: v for p in pushed.values() for k, v in p["failed"].items()}
        for document in documents:
            context.ledger.log_decision(
                doc_type, document.key, run_id=context.run_id, decision="pushed_masters",
                reason=f"references ERP masters Intacct did not have: pushed them ({created} created, updated or linked"
                       f"{'; failed: ' + ', '.join(f'{k} ({v})' for k, v in failed.items()) if failed else ''}); "
                       "re-posting in this run",
                details={t: sorted(keys) for t, keys in referenced_masters(document).items()})
        claims = context.ledger.claim(doc_type, [d.key for d in documents], run_id=context.run_id,
                                      worker=f"remediate_invalid_reference:{os.getpid()}", action="retry",
                                      reason="the ERP masters it references were pushed to Intacct")
        stats = PostingStats()
        stats.add(post_claimed(doc_type, claimed_from_rows(claims), run_id=context.run_id, ledger=context.ledger,
                               source=context.source, client=context.client,
                               closed_period_policy=context.settings.closed_period_policy,
                               transform=context.term_mapping.apply))
        result.outcomes["posted"] += stats.posted
        result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items()})
