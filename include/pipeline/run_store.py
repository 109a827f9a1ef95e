"""Per-document-type watermarks and per-run selections, in the integration database.

The watermark is the upper bound of the last run in which every document was
accounted for; only the reconcile step advances it. Each run records the bounds
it selected with, so a retried task selects the same documents and reconcile
knows how far the watermark may move. Timestamps are stored as ISO 8601 text
with their offset so SQLite and PostgreSQL keep them alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import sqlalchemy as sa

_metadata = sa.MetaData()

watermarks = sa.Table(
    "pipeline_watermark", _metadata,
    sa.Column("doc_type", sa.String(40), primary_key=True),
    sa.Column("updated_through", sa.String(40), nullable=False),  # ISO 8601, aware
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("advanced_at", sa.String(40), nullable=False),
)

run_selections = sa.Table(
    "pipeline_run_selection", _metadata,
    sa.Column("run_id", sa.String(250), primary_key=True),
    sa.Column("doc_type", sa.String(40), primary_key=True),
    sa.Column("plan", sa.Text, nullable=False),  # RunPlan.to_json()
    sa.Column("changed_since", sa.String(40)),
    sa.Column("extracted", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.String(40), nullable=False),
)


@dataclass(frozen=True)
class StoredSelection:
    run_id: str
    doc_type: str
    plan: dict
    changed_since: datetime | None
    extracted: int


@cache
def _engine(url: str) -> sa.Engine:
    """The integration database's engine (WAL and busy timeout on SQLite, as the ledger's),
    migrated once per process: the tables are created by the ledger's migration chain."""
    from include.ledger.db import create_ledger_engine, migrate

    engine = create_ledger_engine(url)
    migrate(engine)
    return engine


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class RunStore:
    def __init__(self, url: str):
        self.engine = _engine(url)

    def watermark(self, doc_type: str) -> datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(watermarks.c.updated_through)
                                 .where(watermarks.c.doc_type == doc_type)).scalar_one_or_none()
        return _parse(value)

    def advance_watermark(self, doc_type: str, updated_through: datetime, *, run_id: str) -> bool:
        """Move the watermark forward (never back); returns whether it moved."""
        if updated_through.tzinfo is None:
            raise ValueError(f"watermark for {doc_type} must be timezone-aware, got {updated_through}")
        current = self.watermark(doc_type)
        if current is not None and current >= updated_through:
            return False
        row = {"updated_through": updated_through.astimezone(UTC).isoformat(), "run_id": run_id,
               "advanced_at": _now()}
        with self.engine.begin() as conn:
            done = conn.execute(watermarks.update().where(watermarks.c.doc_type == doc_type).values(**row))
            if done.rowcount == 0:
                conn.execute(watermarks.insert().values(doc_type=doc_type, **row))
        return True

    def record_selection(self, run_id: str, doc_type: str, plan: dict, changed_since: datetime | None) -> StoredSelection:
        """Store the run's selection once; a retried task gets the first one back."""
        existing = self.selection(run_id, doc_type)
        if existing is not None:
            return existing
        with self.engine.begin() as conn:
            conn.execute(run_selections.insert().values(
                run_id=run_id, doc_type=doc_type, plan=json.dumps(plan, sort_keys=True),
                changed_since=changed_since.astimezone(UTC).isoformat() if changed_since else None,
                created_at=_now()))
        return self.selection(run_id, doc_type)

    def set_extracted(self, run_id: str, doc_type: str, count: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(run_selections.update()
                         .where(run_selections.c.run_id == run_id, run_selections.c.doc_type == doc_type)
                         .values(extracted=count))

    def selection(self, run_id: str, doc_type: str) -> StoredSelection | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(run_selections).where(
                run_selections.c.run_id == run_id, run_selections.c.doc_type == doc_type)).mappings().first()
        if row is None:
            return None
        return StoredSelection(row["run_id"], row["doc_type"], json.loads(row["plan"]),
                               _parse(row["changed_since"]), row["extracted"])
