"""The integration ledger: what happened to every synced object, and why.

One row per object (``ledger_objects``) holds its current state; every change is
also appended to ``ledger_events``, which is never updated or deleted. Status
changes are checked against ``include.ledger.transitions``; claims are single
conditional UPDATE statements so two workers can never win the same object.

Each concern has its module, combined here into one class: ``observations`` (what the ERP
shows), ``claims``, ``outcomes`` (posting results), ``decisions`` (holds, releases, manual
synchronization); ``writes`` holds what they share, ``queries`` the reading.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from include.ledger import queries
from include.ledger.claims import Claiming
from include.ledger.db import create_ledger_engine, default_url, migrate
from include.ledger.decisions import Deciding
from include.ledger.inputs import checked_period
from include.ledger.observations import Observing
from include.ledger.outcomes import RecordingOutcomes
from include.ledger.records import Event, FailureGroup, LedgerRow
from include.ledger.types import utcnow


class Ledger(Observing, Claiming, RecordingOutcomes, Deciding):
    """The integration ledger on one database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str | sa.URL | None = None):
        self.url = sa.make_url(url or default_url())
        self.engine = create_ledger_engine(self.url)

    def __repr__(self) -> str:
        return f"Ledger({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def migrate(self) -> str:
        """Create or upgrade the tables (idempotent); returns the revision now in place."""
        return migrate(self.engine)

    # -- reading -----------------------------------------------------------------------------

    def get(self, object_type: str, key: str) -> LedgerRow | None:
        return queries.get(self.engine, object_type, key)

    def events(self, object_type: str | None, key: str) -> list[Event]:
        return queries.events(self.engine, object_type, key)

    def find(self, **filters) -> list[LedgerRow]:
        """Filter the ledger like the integration page; see ``include.ledger.queries.find``."""
        return queries.find(self.engine, **filters)

    def count(self, **filters) -> int:
        return queries.count(self.engine, **filters)

    def failed_by_class(
        self, *, object_type: str | None = None, limit_per_class: int | None = 100
    ) -> list[FailureGroup]:
        return queries.failed_by_class(self.engine, object_type=object_type, limit_per_class=limit_per_class)

    def held_for_period(self, period: str, *, hold: str | None = None) -> list[LedgerRow]:
        checked_period("objects", None, period)
        return queries.find(self.engine, held_for_period=period, hold=hold, held=True)

    def reconciliation(self, run_id: str | None = None) -> list[dict[str, Any]]:
        return queries.reconciliation(self.engine, run_id=run_id)

    def recover_abandoned(self, now: datetime | None = None) -> list[LedgerRow]:
        """Pending objects whose claim lease has expired: their worker is gone.

        Re-claim them with ``claim(..., action="recover", reason=...)``; the claim keeps the
        controlid of the abandoned attempt so the resend cannot post twice.
        """
        return queries.abandoned(self.engine, now or utcnow())
