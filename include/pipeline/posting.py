"""Post claimed documents to Intacct and record every outcome in the ledger.

Used by the load step and by remediation routes that re-post (transient). The
documents are re-read from the ERP by key: one whose version changed since the
claim is not posted (the claim is released and the new version waits for the
next run), one that disappeared is recorded as an error. The controlid is the
document type + key + version, stored in the ledger before sending, so a resend
after a crash is recognised by Intacct ("already recorded") and never posts twice.

A document with an ``entity_id`` (multi-entity companies) is sent under a session of
that entity, the others under the connection's session: a batch's functions are
grouped by entity and the client never mixes entities in one request.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from include.error_classes import ERROR_CLASSES, ErrorClass
from include.ledger import Outcome
from include.pipeline.outcomes import write_failure_message, write_outcome
from include.pipeline.payloads import PayloadError, build_payload, document_total, to_function, update_payload

log = logging.getLogger(__name__)


class RunStopped(RuntimeError):
    """A failure that every further call would repeat (auth, permission): stop, with one message."""


class OutcomesUnresolved(RuntimeError):
    """Documents reached Intacct, or may have, but their RECORDNO could not be looked up: their
    claims stay pending and the task's retry settles them (never recorded as anything but success)."""


@dataclass(frozen=True)
class ClaimedDocument:
    key: str
    claimed_version: str
    record_no: str | None = None  # already in Intacct (posted, then changed in the ERP): update it
    # The controlid of an earlier attempt of this version whose outcome nobody recorded (a claim
    # recovered from a run that died): if what is sent now differs, look the document up first.
    earlier_controlid: str | None = None


@dataclass
class PostingStats:
    sent: int = 0
    posted: int = 0
    failed: Counter = field(default_factory=Counter)  # error class -> count
    resolutions: Counter = field(default_factory=Counter)  # how successes were reached
    released_changed: int = 0
    missing_in_erp: int = 0
    refused: int = 0
    circuit_open: str | None = None  # the breaker's one message, when it stopped the sending
    left_unsent: int = 0
    unresolved: list[str] = field(default_factory=list)  # keys left pending: RECORDNO not known yet
    found_before_resend: int = 0  # recovered claims found in Intacct by number instead of sent again

    def add(self, other: PostingStats) -> None:
        self.sent += other.sent
        self.posted += other.posted
        self.failed.update(other.failed)
        self.resolutions.update(other.resolutions)
        self.released_changed += other.released_changed
        self.missing_in_erp += other.missing_in_erp
        self.refused += other.refused
        self.circuit_open = self.circuit_open or other.circuit_open
        self.left_unsent += other.left_unsent
        self.unresolved.extend(other.unresolved)
        self.found_before_resend += other.found_before_resend

    def to_json(self) -> dict:
        return {"sent": self.sent, "posted": self.posted, "failed": dict(self.failed),
                "resolutions": dict(self.resolutions), "released_changed": self.released_changed,
                "missing_in_erp": self.missing_in_erp, "refused": self.refused,
                **({"circuit_open": self.circuit_open, "left_unsent": self.left_unsent} if self.circuit_open else {}),
                **({"unresolved": len(self.unresolved)} if self.unresolved else {}),
                **({"found_before_resend": self.found_before_resend} if self.found_before_resend else {})}

    def raise_if_unresolved(self, doc_type: str) -> None:
        """After everything else is recorded: fail the task for a retry when documents are left pending."""
        if self.unresolved:
            shown = ", ".join(self.unresolved[:10]) + (" ..." if len(self.unresolved) > 10 else "")
            raise OutcomesUnresolved(
                f"{len(self.unresolved)} {doc_type} document(s) reached Intacct or may have, but their RECORDNO "
                f"could not be looked up ({shown}); their claims stay pending and the task's retry settles them "
                "(a resend with the same controlid is answered 'already recorded', never posted twice)")


def observation_row(document, run_id: str | None = None) -> dict:
    """The ledger observation of an ERP document (amount only when it is a clean number)."""
    from include.ledger.types import to_amount

    try:
        amount = document_total(document)
        amount = to_amount(amount) if amount is not None else None
    except ValueError:
        amount = None
    posting_date = document.posting_date
    return {"object_type": document.doc_type, "key": document.key, "source_version": document.source_version,
            "category": "finance", "posting_date": posting_date if _is_date(posting_date) else None,
            "amount": amount}


def _is_date(value) -> bool:
    from datetime import date, datetime

    return isinstance(value, date) and not isinstance(value, datetime)


def entity_of(document) -> str | None:
    """The Intacct entity a document is posted in; None: the connection's session (top level)."""
    entity_id = document.header.get("entity_id") if isinstance(document.header, Mapping) else None
    return (entity_id.strip() or None) if isinstance(entity_id, str) else None


@dataclass
class PreparedBatch:
    """A batch of claimed documents re-read from the ERP, checked, and turned into functions."""

    doc_type: str
    stats: PostingStats = field(default_factory=PostingStats)
    outcomes: list[Outcome] = field(default_factory=list)  # decided without Intacct
    payloads: list = field(default_factory=list)  # (payload, posting date)
    entities: dict[str, str] = field(default_factory=dict)  # document key -> entity_id, for those with one

    @property
    def functions(self) -> list:
        return [to_function(payload) for payload, _ in self.payloads]

    @property
    def function_groups(self) -> dict[str | None, list]:
        """The functions by the entity they are sent in (None: the connection's session),
        in payload order within each entity."""
        groups: dict[str | None, list] = {}
        for payload, _ in self.payloads:
            groups.setdefault(self.entities.get(payload.key), []).append(to_function(payload))
        return groups


def send_batch(client, batch: PreparedBatch) -> list:
    """Send a prepared batch's functions, each under its document's entity; the write outcomes."""
    groups = batch.function_groups
    return client.execute_writes_by_entity(groups) if groups else []


def prepare_batch(doc_type: str, claimed: Sequence[ClaimedDocument], *, run_id: str, ledger,
                  source, transform: Callable | None = None, client=None) -> PreparedBatch:
    """Re-read the claimed documents, release those changed since the claim, build the rest's
    payloads and store their controlids (before anything is sent).

    ``transform`` turns a document into what is sent (a mapped term, a new posting date): a
    changed copy gets the controlid of its own content, so a resend of the same change is
    still recognised and a different change is never mistaken for it."""
    batch = PreparedBatch(doc_type)
    stats, outcomes = batch.stats, batch.outcomes
    documents = {d.key: d for d in source.get_documents(doc_type, [c.key for c in claimed])} if claimed else {}
    changed_rows = []
    for claim in claimed:
        document = documents.get(claim.key)
        if document is None:
            stats.missing_in_erp += 1
            outcomes.append(Outcome.error(doc_type, claim.key, error_class=ErrorClass.UNKNOWN.value,
                                          message=f"{doc_type} {claim.key!r} is no longer in the ERP; not posted"))
            continue
        version = document.source_version
        if version != claim.claimed_version:
            stats.released_changed += 1
            changed_rows.append(observation_row(document))
            outcomes.append(Outcome.error(
                doc_type, claim.key, error_class=ErrorClass.TRANSIENT.value,
                message=f"{doc_type} {claim.key!r} changed in the ERP after it was claimed "
                        f"(version {claim.claimed_version} -> {version}); not posted, the new "
                        "version is posted by the next run"))
            continue
        sent = transform(document) if transform else document
        try:
            payload = update_payload(sent, claim.record_no) if claim.record_no else build_payload(sent)
            batch.payloads.append((payload, sent.posting_date))
            entity_id = entity_of(sent)
            if entity_id is not None:
                batch.entities[payload.key] = entity_id
        except PayloadError as exc:
            outcomes.append(Outcome.error(doc_type, claim.key, error_class=ErrorClass.DATA_QUALITY.value,
                                          message=str(exc)))
    if changed_rows:
        # The ledger keeps the claim on the new version; the error outcome then releases
        # it to not_integrated (FAIL_OUTDATED), so the next run picks the new version up.
        ledger.observe_many(changed_rows, run_id=run_id)
    _link_landed_earlier(batch, claimed, client)
    if batch.payloads:
        ledger.set_controlids(doc_type, {payload.key: payload.controlid for payload, _ in batch.payloads})
        stats.sent = len(batch.payloads)
    return batch


def _link_landed_earlier(batch: PreparedBatch, claimed: Sequence[ClaimedDocument], client) -> None:
    """A recovered claim whose earlier attempt went out under another controlid (a route had changed
    what was sent, e.g. re-dated it) cannot count on "already recorded": look those documents up by
    number and link the ones Intacct has instead of sending them again."""
    if client is None:
        return
    earlier = {c.key: c.earlier_controlid for c in claimed if c.earlier_controlid}
    # Over REST a resend is recognised only in the very same request (Idempotency-Key), never regrouped.
    regrouped = not getattr(client, "recognises_resent_controlids", True)
    suspects = [(p, d) for p, d in batch.payloads if p.key in earlier
                and (p.controlid != earlier[p.key] or regrouped) and p.function != "update"]
    if not suspects:
        return
    from include.pipeline.intacct_lookup import find_by_number

    found = find_by_number(client, batch.doc_type, [p.document_number for p, _ in suspects])
    for payload, posting_date in suspects:
        records = found.get(payload.document_number) or []
        if not records:
            continue
        batch.payloads.remove((payload, posting_date))
        batch.entities.pop(payload.key, None)
        batch.stats.found_before_resend += 1
        batch.outcomes.append(Outcome.success(
            batch.doc_type, payload.key, record_no=str(records[0].get("RECORDNO")),
            message=f"posted (found in Intacct by its number before a resend: the earlier attempt, controlid "
                    f"{earlier[payload.key]}, had landed)"))


def finish_batch(batch: PreparedBatch, write_outcomes: Sequence, *, run_id: str, ledger,
                 closed_period_policy: dict[str, str]) -> PostingStats:
    """Record every outcome of a sent batch in the ledger; stop the run on auth/permission."""
    doc_type, stats, outcomes = batch.doc_type, batch.stats, batch.outcomes
    by_controlid = {outcome.controlid: outcome for outcome in write_outcomes}
    stopping = next((o for o in write_outcomes if not o.ok and o.error_class
                     and ERROR_CLASSES[ErrorClass(o.error_class)].stops_run), None)
    if stopping is not None:
        # The claims stay pending under this run: the task's retry resends them unchanged.
        raise RunStopped(f"Intacct refused the {doc_type} posting ({stopping.error_class}): "
                         f"{write_failure_message(stopping)}. "
                         f"{ERROR_CLASSES[ErrorClass(stopping.error_class)].person_does}")
    for payload, posting_date in batch.payloads:
        written = by_controlid[payload.controlid]
        if written.unresolved or (written.ok and not (written.record_no or written.key)):
            stats.unresolved.append(payload.key)  # its claim stays pending: a success names its RECORDNO
            continue
        outcome = write_outcome(doc_type, payload.key, posting_date, by_controlid[payload.controlid],
                                closed_period_policy=closed_period_policy)
        outcomes.append(outcome)
        if outcome.ok:
            stats.posted += 1
            stats.resolutions[by_controlid[payload.controlid].resolution] += 1
    for outcome in outcomes:
        if not outcome.ok:
            stats.failed[outcome.error_class] += 1
    report = ledger.record_outcomes(outcomes, run_id=run_id)
    stats.refused += len(report.refused)
    for refusal in report.refused:
        log.warning("Outcome for %s %s not recorded: %s", refusal.object_type, refusal.key, refusal.reason)
    return stats


def post_claimed(doc_type: str, claimed: Sequence[ClaimedDocument], *, run_id: str, ledger, source, client,
                 closed_period_policy: dict[str, str], transform: Callable | None = None) -> PostingStats:
    """Post one batch of documents this run has claimed; every document ends with an outcome."""
    if not claimed:
        return PostingStats()
    batch = prepare_batch(doc_type, claimed, run_id=run_id, ledger=ledger, source=source, transform=transform,
                          client=client)
    write_outcomes = send_batch(client, batch)
    return finish_batch(batch, write_outcomes, run_id=run_id, ledger=ledger,
                        closed_period_policy=closed_period_policy)


def claimed_from_rows(rows: Iterable, *, earlier_outcome_unknown: bool = False) -> list[ClaimedDocument]:
    """Ledger rows (pending, claimed by this run) or claims, as documents to post.

    The earlier attempt's outcome is unknown for a claim recovered from a pending state, and for
    every row when ``earlier_outcome_unknown`` (transient failures, which include timeouts)."""
    from include.ledger import Status

    out = []
    for row in rows:
        version = getattr(row, "claimed_version", None) or row.source_version
        posted = getattr(row, "posted_version", None) and getattr(row, "intacct_record_no", None)
        earlier = None
        if earlier_outcome_unknown or getattr(row, "claimed_from_status", None) in (Status.PENDING,
                                                                                   Status.PENDING.value):
            stored_version = getattr(row, "controlid_version", version)  # a Claim's controlid is of its version
            earlier = row.controlid if row.controlid and stored_version == version else None
        out.append(ClaimedDocument(row.key, version, posted or None, earlier))
    return out
