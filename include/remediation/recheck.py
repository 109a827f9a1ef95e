"""Refresh before refusing: read Intacct's lists again, then validate again, before a document is refused.

The first remedy of every refusal for a reference Intacct owns (a payment term, an account, a
department, a location, a class, a project, an employee, an entity, a user-defined dimension or
one of its values): the fix may already be made in Intacct (the article's "create the exact term,
then sync again"). So before such a failure is recorded, the run reads the lists the failures
need again (``include.masterdata.refresh``: once per stream per run) and validates those documents
again against the fresher reference data. Those that pass go on to be posted in the same run;
those still refused carry a note saying what was looked for, in which Intacct list, and when that
list was read (``include.masterdata.lookups``).

Used by the extract + validate step (new documents, retried ones, held ones), by Force
synchronize (``include.resync``) and by the remediation routes when Intacct itself refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from include.error_classes import ErrorClass
from include.masterdata.lookups import lookups_of, streams_of
from include.masterdata.timestamps import utc_now
from include.quality.outcome import ValidationOutcome


@dataclass
class Rechecked:
    outcome: ValidationOutcome  # after reading again: the documents that now pass are valid
    notes: dict[str, str] = field(default_factory=dict)  # key -> what was looked for, where, when read
    reads: dict[str, object] = field(default_factory=dict)  # stream -> StreamRead, what this check read


class Rechecker:
    """Validation with one re-read of Intacct's lists before refusing (one per validator)."""

    def __init__(self, validator, refresher):
        self.validator = validator
        self.refresher = refresher
        self._snapshot_at = None  # when the validator last got a snapshot from the refresher

    def _refreshed_snapshot(self, reads: Mapping) -> bool:
        """Give the validator a snapshot holding the run's reads, when it does not yet."""
        newest = max((r.read_at for r in reads.values() if r.read_at is not None), default=None)
        if newest is None or (self._snapshot_at is not None and newest <= self._snapshot_at):
            return False
        self._snapshot_at = utc_now()
        # The suite does not depend on the reference data: only the snapshot it reads changes.
        self.validator.snapshot = self.refresher.snapshot()
        return True

    def recheck(self, outcome: ValidationOutcome, *, doc_type: str,
                classes: Mapping[str, ErrorClass | str] | None = None) -> Rechecked:
        """Read again what the failures of ``outcome`` looked for, validate them again.

        ``classes``: key -> the error class whose issues count for that document (a held
        document's hold); default, the class that decided its failure.
        """
        if self.refresher is None:
            return Rechecked(outcome)
        classes = classes or {}
        wanting = {f.document.key: lookups_of(f, classes.get(f.document.key)) for f in outcome.failed}
        wanting = {key: lookups for key, lookups in wanting.items() if lookups}
        if not wanting:
            return Rechecked(outcome)
        streams = set().union(*(streams_of(lookups) for lookups in wanting.values()))
        shown = ", ".join(sorted(wanting)[:5]) + (" ..." if len(wanting) > 5 else "")
        fields = ", ".join(sorted({lookup.field for lookups in wanting.values() for lookup in lookups}))
        reads = self.refresher.refresh(streams, reason=f"{doc_type} {shown} refused for {fields}")
        if self._refreshed_snapshot(reads):
            retried = [f.document for f in outcome.failed if f.document.key in wanting]
            again = self.validator.validate(retried)
            outcome = ValidationOutcome(
                valid=[*outcome.valid, *again.valid],
                failed=[*(f for f in outcome.failed if f.document.key not in wanting), *again.failed],
                stats={**outcome.stats, "revalidated": len(retried), "valid_after_reading_again": len(again.valid)})
        notes = {}
        for failure in outcome.failed:
            lookups = lookups_of(failure, classes.get(failure.document.key))
            if lookups:
                notes[failure.document.key] = self.refresher.note(lookups, self.validator.snapshot)
        return Rechecked(outcome, notes, reads)


def refused_by_intacct(ledger, doc_type: str, key: str, run_id: str) -> bool:
    """Whether the document's latest failure in this run came from Intacct (it was sent), not from
    validation (which sends nothing)."""
    for event in reversed(ledger.events(doc_type, key)):
        if event.kind == "failed" and event.run_id == run_id:
            return (event.details or {}).get("sent", True) is not False
    return False


@dataclass
class IntacctRefusalCheck:
    """Documents Intacct refused for a reference, checked against Intacct's lists read again."""

    post_again: list[str] = field(default_factory=list)  # valid now, and the lists changed since: send again
    unchanged: dict[str, str] = field(default_factory=dict)  # valid, lists unchanged: key -> what was read
    failures: list = field(default_factory=list)  # DocumentFailure: refused by validation now (nothing sent)
    notes: dict[str, str] = field(default_factory=dict)  # key -> what was looked for, where, when read
    documents: dict = field(default_factory=dict)  # key -> the document as checked (mapped term)


def check_intacct_refusals(context, doc_type: str, keys: list[str], *, lookups_for, worker: str
                           ) -> IntacctRefusalCheck:
    """Read again the Intacct lists ``lookups_for(document)`` names (once per stream per run), then
    validate the documents against them: what Intacct refused may have been fixed there since, or
    the run's copy of the lists may have been out of date."""
    from include.masterdata.refresh import ReferenceRefresher
    from include.quality import DocumentValidator

    check = IntacctRefusalCheck()
    documents = [context.term_mapping.apply(d) for d in context.source.get_documents(doc_type, keys)]
    check.documents = {d.key: d for d in documents}
    wanted = {d.key: lookups_for(d) for d in documents}
    streams = set().union(*(streams_of(lookups) for lookups in wanted.values())) if wanted else set()
    if not streams:
        return check
    refresher = ReferenceRefresher.for_run(context.run_id, ledger=context.ledger, settings=context.settings,
                                           worker=worker, client=context.client)
    reads = refresher.refresh(streams, reason=f"Intacct refused {doc_type} {', '.join(sorted(wanted)[:5])}")
    validator = DocumentValidator(doc_type, refresher.snapshot())
    outcome = validator.validate(documents)
    changed = any(read.records_changed for read in reads.values())  # else Intacct would refuse the same again
    for failure in outcome.failed:
        check.failures.append(failure)
        lookups = lookups_of(failure)
        if lookups:
            check.notes[failure.document.key] = refresher.note(lookups, validator.snapshot)
    for document in outcome.valid:
        if changed:
            check.post_again.append(document.key)
        else:
            check.unchanged[document.key] = refresher.note(wanted[document.key], validator.snapshot)
    return check
