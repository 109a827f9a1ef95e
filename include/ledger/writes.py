"""What every write of the ledger shares: rows locked in id order, the event log appended to,
and batches executed with their values already in database form."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from include.ledger.schema import events as events_table
from include.ledger.schema import objects
from include.ledger.transitions import Status

KEYS_PER_STATEMENT = 1000  # keys per IN (...) list: well inside every database's parameter limit


def key_chunks(items: Sequence, size: int = KEYS_PER_STATEMENT) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def executemany(conn: Connection, statement, rows: list[dict[str, Any]]) -> None:
    """Run ``statement`` once per row, with values already in their database form.

    SQLAlchemy's per-row type processing is most of the cost of writing thousands of rows;
    the callers convert the few typed values (amounts, dates) once and pass the rest as is.
    """
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    fixed = {name: value for name, value in compiled.params.items() if name not in rows[0]}
    if fixed:
        rows = [{**fixed, **row} for row in rows]
    if compiled.positional:
        order = compiled.positiontup
        getter = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
        parameters = [getter(row) for row in rows]
    else:
        parameters = rows
    conn.exec_driver_sql(compiled.string, parameters)


def sql_timestamp(at: datetime):
    """A UTC instant as SQL text, so a batch of thousands of rows binds it once, not per row.

    The format is the one SQLAlchemy stores in SQLite and that PostgreSQL reads as a timestamp.
    """
    return sa.literal_column(f"'{at.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}'", type_=objects.c.updated_at.type)


class LedgerWriter:
    """The base of the Ledger's writing parts (observations, claims, outcomes, decisions)."""

    engine: Engine  # set by Ledger.__init__

    @staticmethod
    def _lock_rows(
        conn: Connection, object_type: str, keys: Sequence[str], columns: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Rows for ``keys``, locked for update (in id order, so concurrent writers never deadlock)."""
        t = objects
        result = {}
        for chunk in key_chunks(list(keys)):
            stmt = (
                sa.select(*(t.c[c] for c in dict.fromkeys(("key", *columns))))
                .where(t.c.object_type == object_type, t.c.key.in_(chunk))
                .order_by(t.c.id)
                .with_for_update()
            )
            for row in conn.execute(stmt):
                result[row.key] = row._asdict()
        return result

    @staticmethod
    def _event(
        object_id: int,
        kind: str,
        from_status,
        to_status,
        source_version: str | None,
        *,
        run_id: str | None = None,
        actor: str | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return {
            "object_id": object_id,
            "kind": kind,
            "from_status": from_status.value if isinstance(from_status, Status) else from_status,
            "to_status": to_status.value if isinstance(to_status, Status) else to_status,
            "source_version": source_version,
            "run_id": run_id,
            "actor": actor,
            "reason": reason,
            "details": details or None,
        }

    @staticmethod
    def _append(conn: Connection, at: datetime, new_events: list[dict[str, Any]]) -> None:
        """The only writer of the event log: it inserts, never updates or deletes."""
        if new_events:
            for event in new_events:
                if event["details"] is not None:
                    event["details"] = json.dumps(event["details"])
            executemany(conn, events_table.insert().values(at=sql_timestamp(at)), new_events)
