"""What a person reads about an object that needs them: its state in words, the last message and what
to do, every "what to do" taken from the one table of error classes (``include.error_classes``).

Two situations need more than their class's general advice:

* a posted document changed in the ERP while its period is closed is not an error in the ledger
  (it stays ``desynchronized``); the transactions run logs a ``manual_adjustment`` event for that
  ERP version instead (``include.pipeline.extract_validate``). It needs a person: adjust it in
  Intacct, then Mark as synced.
* a line whose location belongs to another entity than the document's is an ``invalid_reference``,
  but nothing is missing in Intacct: the ERP document is what to correct.

Read-only: nothing here writes to the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from include.error_classes import ERROR_CASES, ERROR_CLASSES, ErrorCase, ErrorClass
from include.ledger import Ledger, LedgerRow, Status
from include.ledger.db import read_transaction
from include.ledger.schema import events, objects

MANUAL_ADJUSTMENT = "manual_adjustment"  # the event kind the transactions run logs (extract_validate)
# The validation's words for a line whose location belongs to another entity (include.quality.checks).
_LOCATION_OUTSIDE_ENTITY = re.compile(r"belongs to (?:entity .+?|no entity \(the top level\)), not to the "
                                      r"document's entity")


@dataclass(frozen=True)
class ManualFlag:
    """The manual_adjustment event that stands for an object's current ERP version."""

    reason: str
    at: datetime
    run_id: str | None
    period: str | None


@dataclass(frozen=True)
class Guidance:
    state: str  # "error", "held: ...", "quarantined", "hold released", "manual adjustment required", ...
    error_class: str | None  # the class a person filters by (closed_period for a manual adjustment)
    case: ErrorCase | None
    what_to_do: str | None  # None: nothing to do
    last_message: str | None


def flagged_condition():
    """SQL: the object is desynchronized and its current ERP version was flagged for manual adjustment."""
    o, e = objects, events
    flagged = (sa.select(e.c.id).where(e.c.object_id == o.c.id, e.c.kind == MANUAL_ADJUSTMENT,
                                       e.c.source_version == o.c.source_version).exists())
    return sa.and_(o.c.status == Status.DESYNCHRONIZED.value, flagged)


def manual_flags(ledger: Ledger, rows: list[LedgerRow]) -> dict[tuple[str, str], ManualFlag]:
    """(object_type, key) -> the flag of each desynchronized row whose current version is flagged."""
    wanted = [(r.object_type, r.key) for r in rows if r.status is Status.DESYNCHRONIZED]
    if not wanted:
        return {}
    o, e = objects, events
    stmt = (sa.select(o.c.object_type, o.c.key, e.c.reason, e.c.at, e.c.run_id, e.c.details)
            .join(o, o.c.id == e.c.object_id)
            .where(e.c.kind == MANUAL_ADJUSTMENT, e.c.source_version == o.c.source_version,
                   o.c.status == Status.DESYNCHRONIZED.value,
                   sa.tuple_(o.c.object_type, o.c.key).in_(wanted))
            .order_by(e.c.id))
    flags = {}
    with read_transaction(ledger.engine) as conn:
        for row in conn.execute(stmt):  # oldest first: the newest flag of a version wins
            details = row.details if isinstance(row.details, dict) else {}
            flags[(row.object_type, row.key)] = ManualFlag(row.reason or "", row.at, row.run_id,
                                                            details.get("period"))
    return flags


def closed_books_date(ledger: Ledger) -> date | None:
    """Intacct's closed-books date as the last run read it (None: unknown, or no period closed)."""
    from include.reference_store import ReferenceStore
    from include.reference_store.tables import ref_records

    with ledger.engine.connect() as conn:
        if not sa.inspect(conn).has_table(ref_records.name):
            return None
    return ReferenceStore(ledger.engine).closed_books_date()


def still_closed(row: LedgerRow, closed_through: date | None) -> bool:
    """Whether a flagged document's period is still closed (unknown closing: assume it is)."""
    return closed_through is None or row.posting_date is None or row.posting_date <= closed_through


def class_advice(error_class: str | None) -> str:
    """What a person does about an error of this class; unknown and unclassified: read the message."""
    try:
        return ERROR_CLASSES[ErrorClass(error_class)].person_does
    except ValueError:
        return ERROR_CLASSES[ErrorClass.UNKNOWN].person_does


def error_case(row: LedgerRow, flag: ManualFlag | None = None) -> ErrorCase | None:
    if flag is not None and row.status is Status.DESYNCHRONIZED:
        return ErrorCase.MANUAL_ADJUSTMENT
    if (row.status is Status.ERROR and row.error_class == ErrorClass.INVALID_REFERENCE
            and _LOCATION_OUTSIDE_ENTITY.search(row.last_message or "")):
        return ErrorCase.LOCATION_OUTSIDE_ENTITY
    return None


def error_state(row: LedgerRow) -> str:
    """The word for an object in error: held (what for), hold released, quarantined, or error."""
    if row.hold:
        return f"held: {row.hold}" + (f" ({row.held_for_period})" if row.held_for_period else "")
    if row.released_at is not None:
        return "hold released"
    if row.error_class == ErrorClass.DATA_QUALITY:
        return "quarantined"
    return "error"


def guidance_for(row: LedgerRow, flag: ManualFlag | None = None, closed_through: date | None = None) -> Guidance:
    case = error_case(row, flag)
    if case is ErrorCase.MANUAL_ADJUSTMENT:
        period = f" ({flag.period})" if flag.period else ""
        state = ("manual adjustment required" if still_closed(row, closed_through)
                 else "changed after posting, period reopened") + period
        return Guidance(state, ErrorClass.CLOSED_PERIOD.value, case, ERROR_CASES[case].person_does,
                        row.last_message or flag.reason)
    if row.status is not Status.ERROR:
        return Guidance(row.status.value, row.error_class, None, None, row.last_message)
    advice = ERROR_CASES[case].person_does if case else class_advice(row.error_class)
    return Guidance(error_state(row), row.error_class, case, advice, row.last_message)
