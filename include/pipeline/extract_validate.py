"""The extract + validate step for one document type: the ledger becomes the run's queue.

Streams the selected documents from the ERP in chunks (memory stays flat), records
what the ERP shows in the ledger, claims the documents to synchronize for this run,
validates them with Great Expectations and records every failure (error class,
message naming document, line and field, hold where the class holds). Valid
documents stay pending, claimed by this run, for the load step.

Before reading the ERP it sweeps the ledger for documents in a retryable state
(not integrated, transient errors, claims abandoned by a crashed run) that are in
the selection's scope, so nothing waits for its ERP record to change again.

Refresh before refusing: a document refused for a reference Intacct owns (term,
account, department, dimension, ...) is validated again after the run reads that
Intacct list again (``include.remediation.recheck``), so a fix made in Intacct is
picked up by the next run on its own; documents held for such a reference are
checked the same way at every run and released one by one once Intacct has what
they need. The reads are counted in the summary's ``api``.

Claims follow their run (``include.ledger.leases``): while the step works, a heartbeat
renews the run's leases; claims of other runs are recovered as soon as Airflow shows
nothing of their run still running, or their lease ran out.

A dry run validates and reports only: it changes nothing in the ledger and does
not read Intacct again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from include.error_classes import ErrorClass
from include.ledger import Hold, Status
from include.ledger.claims import DEFAULT_LEASE_SECONDS
from include.ledger.leases import LeaseKeeper, abandoned_claims, end_leases
from include.ledger.owners import worker_name
from include.masterdata.lookups import lookups_of, streams_of
from include.pipeline.outcomes import validation_outcome
from include.pipeline.posting import observation_row
from include.pipeline.progress import Progress
from include.pipeline.selection import KEYS, RunPlan, Selection
from include.remediation.recheck import Rechecker

log = logging.getLogger(__name__)

MANUAL_ADJUSTMENT = "manual_adjustment"
PENDING_ELSEWHERE_LISTED = 500  # documents pending under another run named in the summary (the rest counted)
# Holds whose cause may be fixed in Intacct: re-checked at every run against Intacct's lists read again.
HOLDS_CHECKED_EACH_RUN = {Hold.INVALID_REFERENCE.value: ErrorClass.INVALID_REFERENCE,
                          Hold.DIMENSION_UNAVAILABLE.value: ErrorClass.DIMENSION_UNAVAILABLE}


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
    # The first of those: key, the run holding it, its worker and lease, for the reconciliation.
    pending_elsewhere: list[dict] = field(default_factory=list)
    retried: int = 0  # claimed from a retryable state found by the sweep
    recovered: int = 0  # of those, claims abandoned by another run, taken over with their controlid
    released_holds: int = 0  # held documents whose reference Intacct now has: released and retried
    valid_after_reading_again: int = 0  # refused at first, valid once Intacct's lists were read again
    missing_in_erp: int = 0
    validation_seconds: float = 0.0
    refreshed: dict[str, dict] = field(default_factory=dict)  # stream -> what this step read again
    api: dict = field(default_factory=dict)  # the calls of those reads (the run's API cost adds them)

    def to_json(self) -> dict:
        return {"doc_type": self.doc_type, "mode": self.mode, "dry_run": self.dry_run, "extracted": self.extracted,
                "queued": self.queued, "failed": dict(self.failed), "already_posted": self.already_posted,
                "desynchronized": self.desynchronized,
                "desynchronized_closed": self.desynchronized_closed, "unchanged_error": self.unchanged_error,
                "claimed_elsewhere": self.claimed_elsewhere, "pending_elsewhere": self.pending_elsewhere,
                "retried": self.retried, "recovered": self.recovered, "released_holds": self.released_holds,
                "valid_after_reading_again": self.valid_after_reading_again, "missing_in_erp": self.missing_in_erp,
                "validation_seconds": round(self.validation_seconds, 3), "refreshed": self.refreshed,
                "api": self.api}


def _batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class ExtractValidate:
    """One run's extract + validate of one document type."""

    def __init__(self, selection: Selection, *, ledger, source, validator, worker: str, chunk_size: int,
                 closed_period_policy: dict[str, str], lease_seconds: float = DEFAULT_LEASE_SECONDS,
                 term_mapping=None, refresher=None, task_states=None):
        """``refresher`` (``include.masterdata.refresh.ReferenceRefresher``) reads Intacct's lists again
        before a document is refused; None (and always in a dry run): validation uses the store as is.
        ``task_states`` asks Airflow about the runs holding claims (default: ``AirflowTaskStates``)."""
        self.selection = selection
        self.doc_type = selection.doc_type
        self.plan: RunPlan = selection.plan
        self.run_id = self.plan.run_id
        self.ledger, self.source, self.validator = ledger, source, validator
        self.worker = worker_name(worker)  # names the Airflow task instance, when it runs in one
        self.chunk_size = chunk_size
        self.closed_period_policy = closed_period_policy
        self.lease_seconds = lease_seconds
        self.term_mapping = term_mapping
        self.refresher = None if self.plan.dry_run else refresher
        self.rechecker = Rechecker(validator, self.refresher)
        self.task_states = task_states
        self.summary = ExtractSummary(self.doc_type, self.plan.mode, self.plan.dry_run)
        self._released: set[str] = set()
        self._abandoned: dict[str, str] = {}  # key -> why the claim of another run was abandoned

    def run(self) -> ExtractSummary:
        if self.plan.dry_run:
            self._extract(swept=set())
            return self.summary
        with LeaseKeeper(self.ledger, self.run_id, self.lease_seconds):
            self._extract(swept=self._sweep_retryable())
        return self.summary

    def _extract(self, swept: set[str]) -> None:
        filters = self.selection.source_filters()
        progress = Progress(f"{self.doc_type} extract + validate", self.source.count_documents(self.doc_type,
                                                                                                **filters))
        for documents in self.source.iter_documents(self.doc_type, chunk_size=self.chunk_size, **filters):
            progress.add(len(documents))
            fresh = [d for d in documents if d.key not in swept]
            if fresh:
                self._process(fresh)
        progress.finish()
        if self.refresher is not None:
            self.summary.refreshed.update({name: read.to_json() for name, read in self.refresher.reads.items()})
            self.summary.api = self.refresher.metrics()

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
        rows.extend(self._abandoned_claims())
        if self.plan.mode == KEYS:
            wanted = set(self.plan.keys)
            rows = [r for r in rows if r.key in wanted]
        return [r for r in rows if self.selection.in_scope(r.posting_date)]

    def _abandoned_claims(self) -> list:
        """Other runs' claims on this type that nobody works on any more (Airflow shows nothing of their
        run running, or their lease ran out): their leases end now so this run can recover them."""
        verdicts = abandoned_claims(self.ledger, object_type=self.doc_type, except_run_id=self.run_id,
                                    task_states=self.task_states)
        verdicts = [v for v in verdicts if self.selection.in_scope(v.row.posting_date)
                    and (self.plan.mode != KEYS or v.row.key in self.plan.keys)]
        end_leases(self.ledger, verdicts, run_id=self.run_id, actor=self.worker)
        self._abandoned = {v.row.key: v.reason for v in verdicts}
        return [v.row for v in verdicts]

    def _release_resolved_holds(self) -> int:
        """Documents held for a reference Intacct owns (or an unavailable user-defined dimension), checked
        again against Intacct's lists read again in this run: each whose held issue is gone is released
        (the sweep retries it); the others stay held, with an event saying what was looked for."""
        held = [r for r in self.ledger.find(object_type=self.doc_type, status=Status.ERROR.value,
                                            hold=list(HOLDS_CHECKED_EACH_RUN))
                if self.selection.in_scope(r.posting_date) and (self.plan.mode != KEYS or r.key in self.plan.keys)]
        hold_of = {r.key: r.hold for r in held}
        released = 0
        for chunk in _batches(list(hold_of), self.chunk_size):
            documents = self.source.get_documents(self.doc_type, chunk)
            if self.term_mapping:
                documents = [self.term_mapping.apply(d) for d in documents]
            if not documents:
                continue
            classes = {d.key: HOLDS_CHECKED_EACH_RUN[hold_of[d.key]] for d in documents}
            checked = self.rechecker.recheck(self.validator.validate(documents), doc_type=self.doc_type,
                                             classes=classes)
            still = {f.document.key: f for f in checked.outcome.failed
                     if any(i.error_class == classes[f.document.key] for i in f.issues)}
            resolved = [d.key for d in documents if d.key not in still]
            for hold in HOLDS_CHECKED_EACH_RUN:
                keys = [k for k in resolved if hold_of[k] == hold]
                if keys:
                    released += self.ledger.release_holds(
                        hold=hold, object_type=self.doc_type, keys=keys, run_id=self.run_id,
                        reason=f"Intacct now has what the document was held for ({hold}), read again in this run: "
                               "validate again and post")
            for key, failure in still.items():
                # Said when a list it needs changed in Intacct (or could not be read), not every night.
                reads = [checked.reads.get(s) for s in streams_of(lookups_of(failure, classes[key]))]
                if key in checked.notes and any(r is not None and (r.records_changed or r.error) for r in reads):
                    self.ledger.log_decision(self.doc_type, key, run_id=self.run_id, decision="still_held",
                                             reason=f"still held for {hold_of[key]}. {checked.notes[key]}")
        self.summary.released_holds += released
        return released

    def _sweep_retryable(self) -> set[str]:
        self._release_resolved_holds()
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
            elif from_sweep and key in self._abandoned:
                to_claim["recover"].append(key)
            else:
                self._pending_elsewhere(row)
        claimed_keys: set[str] = set()
        for action, keys in to_claim.items():
            if not keys:
                continue
            reason = {"retry": "retryable failure in an earlier attempt: retry",
                      "release": "its hold was released: retry",
                      "recover": "recovered with the same controlid (never posted twice): "
                                 + "; ".join(sorted({self._abandoned.get(k, "its claim was abandoned")
                                                     for k in keys}))[:2000],
                      }.get(action)
            claims = self.ledger.claim(self.doc_type, keys, run_id=self.run_id, worker=self.worker, action=action,
                                       reason=reason, lease_seconds=self.lease_seconds)
            claimed_keys.update(c.key for c in claims)
            if action in ("retry", "release", "recover"):
                self.summary.retried += len(claims)
            if action == "recover":
                self.summary.recovered += len(claims)
            for refusal in claims.refused:
                if refusal.status is Status.PENDING:
                    self._pending_elsewhere(self.ledger.get(self.doc_type, refusal.key))
                elif refusal.status is Status.ERROR:
                    self.summary.unchanged_error += 1
                else:
                    log.info("%s %s not claimed: %s", self.doc_type, refusal.key, refusal.reason)
        claimed = [d for d in documents if d.key in claimed_keys]
        if claimed:
            self.validate_and_record(claimed, record=True)

    def _pending_elsewhere(self, row) -> None:
        """A document another run is synchronizing: counted, and named (up to a limit) for the report."""
        self.summary.claimed_elsewhere += 1
        if row is not None and len(self.summary.pending_elsewhere) < PENDING_ELSEWHERE_LISTED:
            self.summary.pending_elsewhere.append({
                "key": row.key, "run_id": row.claim_run_id, "claimed_by": row.claimed_by,
                "until": row.claim_expires_at.isoformat(timespec="seconds") if row.claim_expires_at else None})

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
        notes: dict[str, str] = {}
        if record and outcome.failed:
            # Refresh before refusing: what Intacct may have fixed since master data was read.
            refused = len(outcome.failed)
            checked = self.rechecker.recheck(outcome, doc_type=self.doc_type)
            outcome, notes = checked.outcome, checked.notes
            self.summary.valid_after_reading_again += refused - len(outcome.failed)
        self.summary.queued += len(outcome.valid)
        for failure in outcome.failed:
            self.summary.failed[str(failure.error_class)] += 1
        if not record or not outcome.failed:
            return
        report = self.ledger.record_outcomes(
            [validation_outcome(f, closed_period_policy=self.closed_period_policy, note=notes.get(f.document.key))
             for f in outcome.failed],
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


def extract_and_validate(selection: Selection, *, settings=None, client_factory=None, **kwargs) -> dict:
    """Run the step; with ``settings`` and ``client_factory`` (the Intacct client), documents refused for
    a reference Intacct owns are checked again after reading that list again, and claims take the
    settings' lease."""
    from include.masterdata.refresh import ReferenceRefresher

    refresher = None
    if settings is not None:
        kwargs.setdefault("lease_seconds", settings.claim_lease_seconds)
        if client_factory is not None and not selection.plan.dry_run:
            refresher = ReferenceRefresher.for_run(selection.plan.run_id, ledger=kwargs["ledger"], settings=settings,
                                                   worker=worker_name(kwargs.get("worker", "extract_validate")),
                                                   client_factory=client_factory)
    try:
        return ExtractValidate(selection, refresher=refresher, **kwargs).run().to_json()
    finally:
        if refresher is not None:
            refresher.close()
