"""Documents posted and documents in error, run by run, from the ledger's event log.

A run's count is of documents (finance objects), each counted once by its last outcome in that run:
a document that failed and was then posted by a remediation route in the same run counts as posted.
Every run that recorded outcomes counts: scheduled nights, backfills and re-syncs alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from include.ledger import Category, Ledger
from include.ledger.db import read_transaction
from include.ledger.schema import events, objects

RUNS_CHARTED = 10
_OUTCOMES = ("succeeded", "failed")  # the ledger's outcome events (Ledger.record_outcomes)


@dataclass(frozen=True)
class RunOutcomes:
    run_id: str
    last_outcome_at: datetime
    posted: int
    in_error: int


def recent_outcomes(ledger: Ledger, limit: int = RUNS_CHARTED) -> list[RunOutcomes]:
    """The ``limit`` runs that recorded document outcomes last, oldest first (the order of a time axis)."""
    e, o = events, objects
    finance = (sa.select(e.c.id, e.c.run_id, e.c.object_id, e.c.kind, e.c.at)
               .join(o, o.c.id == e.c.object_id)
               .where(e.c.kind.in_(_OUTCOMES), e.c.run_id.is_not(None), o.c.category == Category.FINANCE.value)
               .subquery())
    last = (sa.select(sa.func.max(finance.c.id).label("id"))
            .group_by(finance.c.run_id, finance.c.object_id).subquery())
    per_run = (sa.select(finance.c.run_id, sa.func.max(finance.c.at).label("at"),
                         sa.func.sum(sa.case((finance.c.kind == "succeeded", 1), else_=0)).label("posted"),
                         sa.func.sum(sa.case((finance.c.kind == "failed", 1), else_=0)).label("in_error"))
               .join(last, last.c.id == finance.c.id)
               .group_by(finance.c.run_id)
               .order_by(sa.func.max(finance.c.at).desc(), finance.c.run_id.desc())
               .limit(limit))
    with read_transaction(ledger.engine) as conn:
        rows = conn.execute(per_run).all()
    return [RunOutcomes(r.run_id, r.at, int(r.posted or 0), int(r.in_error or 0)) for r in reversed(rows)]
