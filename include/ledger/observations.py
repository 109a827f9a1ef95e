"""Observing the ERP: what it shows now becomes the ledger's rows, with an event for every change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from include.ledger.db import write_transaction
from include.ledger.inputs import LedgerInputError, checked_category, checked_text
from include.ledger.records import Observation
from include.ledger.schema import objects
from include.ledger.transitions import Action, Status, from_statuses, require
from include.ledger.types import to_amount, utcnow
from include.ledger.writes import LedgerWriter, executemany, key_chunks, sql_timestamp

_OBSERVED_COLUMNS = ("id", "key", "status", "source_version", "posted_version")


class Observing(LedgerWriter):
    """The Ledger's part that records what the ERP shows: new objects, new versions, reverts."""

    def observe(
        self,
        object_type: str,
        key: str,
        source_version: str,
        *,
        category: str | None = None,
        posting_date: date | None = None,
        amount: Decimal | None = None,
        run_id: str | None = None,
    ) -> Observation:
        row = {
            "object_type": object_type,
            "key": key,
            "source_version": source_version,
            "category": category,
            "posting_date": posting_date,
            "amount": amount,
        }
        return self.observe_many([row], run_id=run_id)[0]

    def observe_many(
        self, rows: Iterable[Mapping[str, Any]], *, run_id: str | None = None
    ) -> list[Observation]:
        """Record what the ERP shows now; one Observation per distinct (object_type, key), in input order.

        Each row is a mapping with ``object_type``, ``key``, ``source_version`` and optionally
        ``category``, ``posting_date``, ``amount`` (see ``include.ledger.sources.observed``).
        A key given twice keeps its last row.
        """
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        categories: dict[tuple[str, str | None], str] = {}  # (object_type, given category) already checked
        for row in rows:
            clean = self._clean_observation(row, categories)
            latest.pop((clean["object_type"], clean["key"]), None)
            latest[(clean["object_type"], clean["key"])] = clean
        results: dict[tuple[str, str], Observation] = {}
        by_type: dict[str, list[dict[str, Any]]] = {}
        for (object_type, _), clean in latest.items():
            by_type.setdefault(object_type, []).append(clean)
        with write_transaction(self.engine) as conn:
            now = utcnow()
            for object_type, type_rows in by_type.items():
                # Sorted keys: concurrent writers lock rows in the same order (no PostgreSQL deadlock).
                for chunk in key_chunks(sorted(type_rows, key=lambda r: r["key"])):
                    results.update(self._observe_chunk(conn, object_type, chunk, run_id, now))
        return [results[k] for k in latest]

    @staticmethod
    def _clean_observation(
        row: Mapping[str, Any], categories: dict[tuple[str, str | None], str]
    ) -> dict[str, Any]:
        object_type = checked_text("object", row.get("key"), "object_type", row.get("object_type"), 32)
        key = row.get("key")
        checked_text(object_type, key, "key", key, 128)
        version = checked_text(object_type, key, "source_version", row.get("source_version"), 64)
        posting_date = row.get("posting_date")
        if isinstance(posting_date, str):
            try:
                posting_date = date.fromisoformat(posting_date)
            except ValueError:
                raise LedgerInputError(
                    object_type, key, "posting_date", f"not an ISO date: {posting_date!r}"
                ) from None
        if isinstance(posting_date, datetime) or not (posting_date is None or isinstance(posting_date, date)):
            raise LedgerInputError(object_type, key, "posting_date", f"must be a date, got {posting_date!r}")
        amount = row.get("amount")
        if amount is not None:
            try:
                amount = to_amount(amount)
            except ValueError as exc:
                raise LedgerInputError(object_type, key, "amount", str(exc)) from None
        return {
            "object_type": object_type,
            "key": key,
            "source_version": version,
            "category": categories.get((object_type, row.get("category")))
            or categories.setdefault(
                (object_type, row.get("category")), checked_category(object_type, key, row.get("category")).value
            ),
            "posting_date": posting_date,
            "amount": amount,
        }

    def _observe_chunk(
        self,
        conn: Connection,
        object_type: str,
        rows: list[dict[str, Any]],
        run_id: str | None,
        now: datetime,
    ) -> dict[tuple[str, str], Observation]:
        results: dict[tuple[str, str], Observation] = {}
        wanted = {r["key"]: r for r in rows}
        existing = self._lock_rows(conn, object_type, list(wanted), _OBSERVED_COLUMNS)
        new_rows = [r for k, r in wanted.items() if k not in existing]
        if new_rows:
            inserted = self._insert_new(conn, object_type, new_rows, run_id, now)
            for key in inserted:
                results[(object_type, key)] = Observation(object_type, key, None, Status.NOT_INTEGRATED, True)
            raced = [r["key"] for r in new_rows if r["key"] not in inserted]
            if raced:  # another process inserted them since our read: treat them as known objects
                existing.update(self._lock_rows(conn, object_type, raced, _OBSERVED_COLUMNS))
        # Three shapes of update: a claim in flight keeps its state; a revert is synced again;
        # any other change leaves error details behind (they belonged to the previous version).
        in_flight, reverted, changed, new_events = [], [], [], []
        for key, current in existing.items():
            row = wanted[key]
            before = Status(current["status"])
            if row["source_version"] == current["source_version"]:
                results[(object_type, key)] = Observation(object_type, key, before, before, False)
                continue
            reverts = row["source_version"] == current["posted_version"] and before in from_statuses(
                Action.SOURCE_REVERTED
            )
            transition = require(
                Action.SOURCE_REVERTED if reverts else Action.SOURCE_CHANGED,
                before,
                object_type=object_type,
                key=key,
            )
            after = transition.to_status
            params = {
                "b_id": current["id"],
                "b_source_version": row["source_version"],
                "b_posting_date": row["posting_date"],
                "b_amount": row["amount"],
                "b_category": row["category"],
                "b_status": after.value,
            }
            (in_flight if after is Status.PENDING else reverted if reverts else changed).append(params)
            new_events.append(
                self._event(
                    current["id"],
                    "source_changed",
                    before,
                    after,
                    row["source_version"],
                    run_id=run_id,
                    reason=transition.meaning,
                    details={
                        "previous_version": current["source_version"],
                        "new_version": row["source_version"],
                        "posted_version": current["posted_version"],
                    },
                )
            )
            results[(object_type, key)] = Observation(object_type, key, before, after, True)
        t = objects
        amount_to_db = t.c.amount.type.bind_processor(conn.dialect) or (lambda value: value)
        date_to_db = t.c.posting_date.type.bind_processor(conn.dialect) or (lambda value: value)
        version_values = dict(
            source_version=sa.bindparam("b_source_version"),
            category=sa.bindparam("b_category"),
            posting_date=sa.bindparam("b_posting_date", type_=t.c.posting_date.type),
            amount=sa.bindparam("b_amount", type_=t.c.amount.type),
            updated_at=sql_timestamp(now),
            last_run_id=run_id if run_id is not None else t.c.last_run_id,
        )
        cleared = dict(
            status=sa.bindparam("b_status"),
            error_class=None,
            last_message=None,
            hold=None,
            held_for_period=None,
            released_at=None,
        )
        by_id = t.update().where(t.c.id == sa.bindparam("b_id"))
        for params, values in (
            (in_flight, {}),
            (changed, cleared),
            (reverted, {**cleared, "synced_at": sql_timestamp(now)}),
        ):
            if params:
                for row in params:
                    row["b_amount"] = amount_to_db(row["b_amount"])
                    row["b_posting_date"] = date_to_db(row["b_posting_date"])
                executemany(conn, by_id.values(**version_values, **values), params)
        self._append(conn, now, new_events)
        return results

    def _insert_new(
        self,
        conn: Connection,
        object_type: str,
        rows: list[dict[str, Any]],
        run_id: str | None,
        now: datetime,
    ) -> dict[str, int]:
        """Insert objects not yet known; returns key -> id of those this transaction inserted."""
        values = [
            {
                "object_type": object_type,
                "key": r["key"],
                "category": r["category"],
                "source_version": r["source_version"],
                "status": Status.NOT_INTEGRATED.value,
                "attempts": 0,
                "posting_date": r["posting_date"],
                "amount": r["amount"],
                "last_run_id": run_id,
            }
            for r in rows
        ]
        insert = (
            _dialect_insert(conn)(objects)
            .values(created_at=sql_timestamp(now), updated_at=sql_timestamp(now))
            .on_conflict_do_nothing(index_elements=["object_type", "key"])
        )
        inserted = {
            row.key: row.id for row in conn.execute(insert.returning(objects.c.id, objects.c.key), values)
        }
        reason = require(Action.FIRST_SEEN, None, object_type=object_type, key="").meaning
        self._append(
            conn,
            now,
            [
                self._event(
                    inserted[r["key"]],
                    "observed",
                    None,
                    Status.NOT_INTEGRATED,
                    r["source_version"],
                    run_id=run_id,
                    reason=reason,
                )
                for r in rows
                if r["key"] in inserted
            ],
        )
        return inserted


def _dialect_insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
