"""The extract + validate step for one document type: the ledger becomes the run's queue.

Streams the selected documents from the ERP in chunks (memory stays flat), records
what the ERP shows in the ledger, claims the documents to synchronize for this run,
validates them with Great Expectations and records every failure (error class,
message naming document, line and field, hold where the class holds). Valid
documents stay pending, claimed by this run, for the load step.

Before reading the ERP it sweeps the ledger for documents in a retryable state
(not integrated, transient errors, claims abandoned by a crashed run) that are in
the selection's scope, so nothing waits for its ERP record to change again.

A dry run validates and reports only: it changes nothing in the ledger.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from include.error_classes import ErrorClass
from include.ledger import Hold, Status
from include.pipeline.outcomes import validation_outcome
from include.pipeline.posting import observation_row
from include.pipeline.selection import KEYS, RunPlan, Selection

log = logging.getLogger(__name__)

MANUAL_ADJUSTMENT = "manual_adjustment"
DEFAULT_LEASE_SECONDS = 4 * 3600  # a run's claims outlive a long load; a crashed run's expire before the next night


@dataclass
class ExtractSummary:
    doc_type: str
    mode: str
    dry_run: bool
    extracted: int = 0
    queued: int = 0  # valid and claimed by this run: the load step posts them
    failed: Counter = field(default_factory=Counter)  # validation failures per error class
    already_posted: int = 0
    desynchronized: int = 0  # posted, then changed in the ERP: needs an update in Intacct
    desynchronized_closed: int = 0  # of those, newly flagged: dated in a closed period (manual adjustment)
    unchanged_error: int = 0  # still in error, same version: waits for a fix or its hold
    claimed_elsewhere: int = 0
    retried: int = 0  # claimed from a retryable state found by the sweep
    missing_in_erp: int = 0
    validation_seconds: float = 0.0

    def to_json(self) -> dict:
        return {"doc_type": self.doc_type, "mode": self.mode, "dry_run": self.dry_run, "extracted": self.extracted,
                "queued": self.queued, "failed": dict(self.failed), "already_posted": self.already_posted,
                "desynchronized": self.desynchronized,
                "desynchronized_closed": self.desynchronized_closed, "unchanged_error": self.unchanged_error,
                "claimed_elsewhere": self.claimed_elsewhere, "retried": self.retried,
                "missing_in_erp": self.missing_in_erp, "validation_seconds": round(self.validation_seconds, 3)}


def _batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class ExtractValidate:
    """One run's extract + validate of one document type."""

    def __init__(self, selection: Selection, *, ledger, source, validator, worker: str, chunk_size: int,
                 closed_period_policy: dict[str, str], lease_seconds: float = DEFAULT_LEASE_SECONDS,
                 term_mapping=None):
        self.selection = selection
        self.doc_type = selection.doc_type
        self.plan: RunPlan = selection.plan
        self.run_id = self.plan.run_id
        self.ledger, self.source, self.validator = ledger, source, validator
        self.worker = worker
        self.chunk_size = chunk_size
        self.closed_period_policy = closed_period_policy
        self.lease_seconds = lease_seconds
        self.term_mapping = term_mapping
        self.summary = ExtractSummary(self.doc_type, self.plan.mode, self.plan.dry_run)
        self._released: set[str] = set()

    def run(self) -> ExtractSummary:
        swept: set[str] = set()
        if not self.plan.dry_run:
            swept = self._sweep_retryable()
        for documents in self.source.iter_documents(self.doc_type, chunk_size=self.chunk_size,
                                                    **self.selection.source_filters()):
            fresh = [d for d in documents if d.key not in swept]
            if fresh:
                self._process(fresh)
        return self.summary

    # -- the retryable sweep ------------------------------------------------------------------

    def _retryable_rows(self) -> list:
        find = self.ledger.find
        error = Status.ERROR.value
        rows = [*find(object_type=self.doc_type, status=Status.NOT_INTEGRATED.value),
                *find(object_type=self.doc_type, status=error, error_class=ErrorClass.TRANSIENT.value, held=False),
                # Re-validated every run (no API call): a term mapped or created since then now passes.
                *find(object_type=self.doc_type, status=error, error_class=ErrorClass.PAYMENT_TERM.value,
                      held=False),
                # Holds released (master data reads the dimension again, the period reopened, ...).
                *[r for r in find(object_type=self.doc_type, status=error, released=True, held=False)
                  if r.error_class not in (ErrorClass.TRANSIENT.value, ErrorClass.PAYMENT_TERM.value)]]
        abandoned = [r for r in self.ledger.recover_abandoned() if r.object_type == self.doc_type]
        rows.extend(abandoned)
        if self.plan.mode == KEYS:
            wanted = set(self.plan.keys)
            rows = [r for r in rows if r.key in wanted]
        return [r for r in rows if self.selection.in_scope(r.posting_date)]

    def _release_resolved_references(self) -> int:
        """Release documents held for an Intacct-owned reference once the reference data shows it:
        re-validated here (no API call); if any now passes, the doc type's holds are released and
        the sweep retries them (those still failing are held again by their validation)."""
        held = [r for r in self.ledger.find(object_type=self.doc_type, status=Status.ERROR.value,
                                            hold=Hold.INVALID_REFERENCE.value) if self.selection.in_scope(r.posting_date)]
        if not held:
            return 0
        resolved = 0
        for chunk in _batches([r.key for r in held], self.chunk_size):
            documents = self.source.get_documents(self.doc_type, chunk)
            if self.term_mapping:
                documents = [self.term_mapping.apply(d) for d in documents]
            resolved += len(self.validator.validate(documents).valid) if documents else 0
        if not resolved:
            return 0
        return self.ledger.release_holds(
            hold=Hold.INVALID_REFERENCE.value, object_type=self.doc_type, run_id=self.run_id,
            reason=f"reference data now shows what {resolved} held document(s) referenced: re-validate and post")

    def _sweep_retryable(self) -> set[str]:
        self._release_resolved_references()
        rows = self._retryable_rows()
        self._released = {r.key for r in rows if r.status == Status.ERROR and r.released_at is not None}
        if not rows:
            return set()
        swept: set[str] = set()
        keys = [r.key for r in rows]
        for chunk in _batches(keys, self.chunk_size):
            documents = self.source.get_documents(self.doc_type, chunk)
            found = {d.key for d in documents}
            self.summary.missing_in_erp += len(set(chunk) - found)
            swept.update(found)
            if documents:
                self._process(documents, from_sweep=True)
        return swept

    # -- one chunk --------------------------------------------------------------------------

    def _process(self, documents: list, *, from_sweep: bool = False) -> None:
        self.summary.extracted += len(documents)
        if self.plan.dry_run:
            self.validate_and_record(documents, record=False)
            return
        observations = self.ledger.observe_many([observation_row(d) for d in documents], run_id=self.run_id)
        status_of = {o.key: o.status_after for o in observations}
        to_claim: dict[str, list[str]] = {"synchronize": [], "retry": [], "release": [], "recover": [],
                                          "force_synchronize": []}
        pending, closed_changes = [], []
        for document in documents:
            status = status_of[document.key]
            if status is Status.NOT_INTEGRATED:
                to_claim["synchronize"].append(document.key)
            elif status is Status.SUCCESS:
                self.summary.already_posted += 1
            elif status is Status.DESYNCHRONIZED:
                self.summary.desynchronized += 1
                if self._in_closed_period(document):
                    closed_changes.append(document)
                else:  # in an open period: the load step updates the Intacct record to this version
                    to_claim["synchronize"].append(document.key)
            elif status is Status.ERROR:
                if from_sweep:
                    to_claim["release" if document.key in self._released else "retry"].append(document.key)
                elif self.plan.mode == KEYS:
                    to_claim["force_synchronize"].append(document.key)
                else:
                    self.summary.unchanged_error += 1
            elif status is Status.PENDING:
                pending.append(document.key)
        for document in closed_changes:
            self._flag_manual_adjustment(document)
        for key in pending:  # this run's own claims (a retried task) or another run's
            row = self.ledger.get(self.doc_type, key)
            if row.claim_run_id == self.run_id:
                self.summary.queued += 1
            elif from_sweep and row.claim_expires_at is not None:
                to_claim["recover"].append(key)
            else:
                self.summary.claimed_elsewhere += 1
        claimed_keys: set[str] = set()
        for action, keys in to_claim.items():
            if not keys:
                continue
            reason = {"retry": "retryable failure in an earlier attempt: retry",
                      "release": "its hold was released: retry",
                      "recover": "the claim of a crashed run expired: recover with the same controlid",
                      }.get(action)
            claims = self.ledger.claim(self.doc_type, keys, run_id=self.run_id, worker=self.worker, action=action,
                                       reason=reason, lease_seconds=self.lease_seconds)
            claimed_keys.update(c.key for c in claims)
            if action in ("retry", "release", "recover"):
                self.summary.retried += len(claims)
            for refusal in claims.refused:
                if refusal.status is Status.PENDING:
                    self.summary.claimed_elsewhere += 1
                elif refusal.status is Status.ERROR:
                    self.summary.unchanged_error += 1
                else:
                    log.info("%s %s not claimed: %s", self.doc_type, refusal.key, refusal.reason)
        claimed = [d for d in documents if d.key in claimed_keys]
        if claimed:
            self.validate_and_record(claimed, record=True)

    def _in_closed_period(self, document) -> bool:
        closed = getattr(getattr(self.validator, "snapshot", None), "closed_books_date", None)
        return closed is not None and document.posting_date is not None and document.posting_date <= closed

    def _flag_manual_adjustment(self, document) -> None:
        """A posted document changed in the ERP, dated in a period now closed: Intacct refuses any change
        there, so it is not re-sent; a person adjusts it by hand (once per ERP version in the log)."""
        events = self.ledger.events(self.doc_type, document.key)
        if any(e.kind == MANUAL_ADJUSTMENT and e.source_version == document.source_version for e in events):
            return
        self.summary.desynchronized_closed += 1
        closed = self.validator.snapshot.closed_books_date
        self.ledger.log_decision(
            self.doc_type, document.key, run_id=self.run_id, decision=MANUAL_ADJUSTMENT,
            reason=f"manual adjustment required in Intacct: posted in period {document.posting_date:%Y-%m}, closed "
                   f"through {closed}; the ERP version changed since, and Intacct refuses changes in a closed "
                   "period, so it is not re-sent. Adjust it in Intacct, then: python -m include.remediation "
                   f"mark-synced --type {self.doc_type} --key {document.key} --actor <you> --reason <why>",
            details={"period": f"{document.posting_date:%Y-%m}", "closed_books_date": closed})

    def validate_and_record(self, documents: list, *, record: bool) -> None:
        if self.term_mapping:
            documents = self._mapped_terms(documents, record=record)
        started = time.perf_counter()
        outcome = self.validator.validate(documents)
        self.summary.validation_seconds += time.perf_counter() - started
        self.summary.queued += len(outcome.valid)
        for failure in outcome.failed:
            self.summary.failed[str(failure.error_class)] += 1
        if not record or not outcome.failed:
            return
        report = self.ledger.record_outcomes(
            [validation_outcome(f, closed_period_policy=self.closed_period_policy) for f in outcome.failed],
            run_id=self.run_id)
        for refusal in report.refused:
            log.warning("Validation failure of %s %s not recorded: %s", self.doc_type, refusal.key, refusal.reason)
        for failure in outcome.failed:
            # The failed expectations, for the quarantine and for whoever fixes the document.
            self.ledger.log_decision(
                self.doc_type, failure.document.key, run_id=self.run_id, decision="validation_failed",
                reason=f"failed validation ({failure.error_class}): not sent to Intacct",
                details={"issues": [issue.to_json_dict() for issue in failure.issues]})


    def _mapped_terms(self, documents: list, *, record: bool) -> list:
        """The documents with the mapping's Intacct term names (copies; the ERP is never changed)."""
        mapped = [self.term_mapping.apply(d) for d in documents]
        for original, document in zip(documents, mapped, strict=True):
            if record and document is not original:
                self.ledger.log_decision(
                    self.doc_type, original.key, run_id=self.run_id, decision="term_mapped",
                    reason=f"ERP term {original.header.get('term_name')!r} mapped to Intacct term "
                           f"{document.header['term_name']!r} by {self.term_mapping.source}",
                    details={"erp_term": original.header.get("term_name"),
                             "intacct_term": document.header["term_name"]})
        return mapped


def extract_and_validate(selection: Selection, **kwargs) -> dict:
    return ExtractValidate(selection, **kwargs).run().to_json()
