"""Invalid references: push what the ERP owns and retry; hold what Intacct owns.

* A missing customer, vendor or item is an ERP master Intacct does not have yet: it is
  pushed with the master-data push (``include.masterdata.push``, same ledger claims and
  controlids) and the document is re-posted in the same run.
* A missing or inactive account, department, location, class, project or dimension value
  belongs to Intacct: the document is held with "create it in Intacct or map it". Every
  transactions run reads those Intacct lists again before refusing (or keeping held) a
  document, and releases and posts it once Intacct has the value.
* When Intacct itself refused such a reference (the run's copy of the list said it was
  fine), the route reads the lists the document uses again at once: a value now missing or
  inactive is recorded with what was looked for, where and when; a list that changed since
  the document was sent lets it go out again in this run.
"""

from __future__ import annotations

import os
from collections import defaultdict

from include.error_classes import ErrorClass
from include.ledger import Hold
from include.masterdata.lookups import referenced_lookups
from include.pipeline.outcomes import INTACCT_OWNED_STEPS, validation_outcome
from include.pipeline.posting import PostingStats, claimed_from_rows, post_claimed
from include.remediation.base import Handler, RemediationContext, RemediationResult
from include.remediation.recheck import check_intacct_refusals, refused_by_intacct

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
            held = [r for r in rows if r.hold]
            by_intacct = [r.key for r in held if refused_by_intacct(context.ledger, doc_type, r.key, context.run_id)]
            if by_intacct:
                self._read_again_and_retry(context, doc_type, by_intacct, result)
            for row in (r for r in held if r.key not in by_intacct):
                result.outcomes["held_intacct_owned"] += 1
                context.ledger.log_decision(
                    doc_type, row.key, run_id=context.run_id, decision="held_for_reference",
                    reason=f"references a value Intacct owns that it does not have (or has inactive): held. "
                           f"{INTACCT_OWNED_STEPS}")
            erp_owned = [r for r in rows if not r.hold]
            if erp_owned:
                self._push_and_post(context, doc_type, erp_owned, result)
        if result.outcomes.get("pushed_masters") is not None or result.outcomes.get("read_again") is not None:
            result.api = context.client.metrics.snapshot()
        return result

    def _read_again_and_retry(self, context, doc_type: str, keys: list[str], result: RemediationResult) -> None:
        """Intacct refused a reference the run's copy of its lists showed as usable: read those lists
        again; record what is missing now (nothing sent), send again what a changed list now allows."""
        worker = f"remediate_invalid_reference:{os.getpid()}"
        check = check_intacct_refusals(context, doc_type, keys, lookups_for=referenced_lookups, worker=worker)
        result.outcomes["read_again"] += len(keys)
        for key, note in check.unchanged.items():
            result.outcomes["held_intacct_owned"] += 1
            context.ledger.log_decision(
                doc_type, key, run_id=context.run_id, decision="held_for_reference",
                reason=f"Intacct refused a reference that its lists, read again, show as usable: held for a person "
                       f"to check the message. {note}")
        retry = [*check.post_again, *(f.document.key for f in check.failures)]
        if not retry:
            return
        context.ledger.release_holds(hold=Hold.INVALID_REFERENCE.value, object_type=doc_type, keys=retry,
                                     run_id=context.run_id,
                                     reason="Intacct refused a reference; its lists were read again in this run")
        claims = context.ledger.claim(doc_type, retry, run_id=context.run_id, worker=worker, action="release",
                                      reason="Intacct's lists read again after it refused a reference",
                                      lease_seconds=context.settings.claim_lease_seconds)
        claimed = {c.key for c in claims}
        failed = [f for f in check.failures if f.document.key in claimed]
        if failed:
            context.ledger.record_outcomes(
                [validation_outcome(f, closed_period_policy=context.settings.closed_period_policy,
                                    note=check.notes.get(f.document.key)) for f in failed], run_id=context.run_id)
            result.outcomes["refused_after_reading_again"] += len(failed)
        again = [c for c in claims if c.key in check.post_again]
        if again:
            stats = PostingStats()
            stats.add(post_claimed(doc_type, claimed_from_rows(again), run_id=context.run_id, ledger=context.ledger,
                                   source=context.source, client=context.client,
                                   closed_period_policy=context.settings.closed_period_policy,
                                   transform=context.term_mapping.apply))
            result.outcomes["posted_after_reading_again"] += stats.posted
            result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items()})

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
                                      reason="the ERP masters it references were pushed to Intacct",
                                      lease_seconds=context.settings.claim_lease_seconds)
        stats = PostingStats()
        stats.add(post_claimed(doc_type, claimed_from_rows(claims), run_id=context.run_id, ledger=context.ledger,
                               source=context.source, client=context.client,
                               closed_period_policy=context.settings.closed_period_policy,
                               transform=context.term_mapping.apply))
        result.outcomes["posted"] += stats.posted
        result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items()})
