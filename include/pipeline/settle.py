"""Settling documents a task left pending because their outcome in Intacct was not known.

A write whose outcome is unknown (the request timed out, or Intacct answered "already
recorded" and the RECORDNO lookup then failed) keeps its claim: it is never recorded as
anything but success once it reached Intacct. The task that sent it settles it later by
looking the document up by its number: found, it is a success with that RECORDNO; not
found, it did not land, and it becomes a transient error that the next attempt resends
with the same controlid (so a late landing is answered "already recorded", never posted
twice). A lookup that fails again leaves the claim pending for the task's next retry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from include.error_classes import ErrorClass
from include.ledger import Outcome, Status
from include.pipeline.intacct_lookup import find_by_number

log = logging.getLogger(__name__)


@dataclass
class Settled:
    found: int = 0
    not_found: int = 0
    unresolved: list[str] = field(default_factory=list)  # "<doc type> <key>"

    def to_json(self) -> dict:
        return {"found": self.found, "not_found": self.not_found, "unresolved": len(self.unresolved)}


def pending_sent_by(ledger, *, run_id: str, doc_type: str, worker_prefix: str) -> list:
    """This run's pending claims of ``doc_type`` that a worker of ``worker_prefix`` sent."""
    return [row for row in ledger.find(object_type=doc_type, status=Status.PENDING.value, run_id=run_id)
            if row.claim_run_id == run_id and (row.claimed_by or "").startswith(worker_prefix) and row.controlid]


def settle_pending(ledger, client, *, run_id: str, doc_types: Sequence[str], worker_prefix: str,
                   other_entities: Sequence[str] = ()) -> Settled:
    """Look up, by number, the pending documents ``worker_prefix`` sent in this run, and record them."""
    from include.intacct.errors import IntacctError

    settled = Settled()
    for doc_type in doc_types:
        rows = pending_sent_by(ledger, run_id=run_id, doc_type=doc_type, worker_prefix=worker_prefix)
        if not rows:
            continue
        numbers = [row.key for row in rows]
        try:
            found = find_by_number(client, doc_type, numbers)
            for entity_id in other_entities:
                missing = [n for n in numbers if n not in found]
                if not missing:
                    break
                found.update(find_by_number(client.for_entity(entity_id), doc_type, missing))
        except IntacctError as exc:
            log.warning("Settling %d pending %s document(s) failed: %s", len(rows), doc_type, exc)
            settled.unresolved.extend(f"{doc_type} {row.key}" for row in rows)
            continue
        outcomes = []
        for row in rows:
            records = found.get(row.key) or []
            if records:
                settled.found += 1
                outcomes.append(Outcome.success(
                    doc_type, row.key, record_no=str(records[0].get("RECORDNO")), controlid=row.controlid,
                    message="posted (its outcome was not known; found in Intacct by its number)"))
            else:
                settled.not_found += 1
                outcomes.append(Outcome.error(
                    doc_type, row.key, error_class=ErrorClass.TRANSIENT.value, controlid=row.controlid,
                    message=f"The write's outcome was not known and {doc_type} {row.key!r} is not in Intacct by its "
                            f"number: the next attempt resends it with the same controlid {row.controlid}"))
        ledger.record_outcomes(outcomes, run_id=run_id)
    return settled
