"""Reading and writing the reference store.

Writes are idempotent upserts by (stream, key). A stream's watermark moves only in
``complete_refresh``, which runs after every page of the read has been stored, and
only forward, to the newest change actually read: a failed or partial read leaves it
where it was, so the next run reads those records again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from include.masterdata.streams import CLOSED_BOOKS_STREAM, Stream
from include.masterdata.timestamps import utc_now
from include.reference_store.tables import ref_records, ref_streams

MISSING = "missing"  # status of a record a full refresh no longer found in Intacct
CLOSED_BOOKS_KEY = "closed_books_date"


@dataclass(frozen=True)
class StreamState:
    stream: str
    kind: str
    object_name: str
    label: str | None
    available: bool
    unavailable_reason: str | None
    watermark: datetime | None
    last_refreshed_at: datetime | None
    last_full_refresh_at: datetime | None
    last_run_id: str | None
    records_read: int
    api_calls: int
    quality: list[dict]


@dataclass(frozen=True)
class RefRecord:
    stream: str
    key: str
    record_no: int | None
    status: str | None
    active: bool
    modified_at: datetime | None
    data: dict[str, Any]


def record_key(stream: Stream, record: dict) -> str:
    """The record's business key; a record without one is kept under its RECORDNO, never dropped."""
    key = str(record.get(stream.key_field) or "").strip()
    return key or f"#RECORDNO:{record.get('RECORDNO', '')}"


def is_active_status(status: str | None) -> bool:
    return isinstance(status, str) and status.strip().lower() == "active"


def _upsert(connection: Connection, table: sa.Table, rows: list[dict], keys: tuple[str, ...]) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    connection.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=updates), rows)


class ReferenceStore:
    """The local cache of Intacct's master data, in the integration (ledger) database."""

    def __init__(self, url_or_engine: str | sa.URL | Engine):
        from include.ledger.db import create_ledger_engine

        self._owns_engine = not isinstance(url_or_engine, Engine)
        self.engine = create_ledger_engine(url_or_engine) if self._owns_engine else url_or_engine

    def migrate(self) -> str:
        """Create or upgrade the ledger's and the reference store's tables (one Alembic chain)."""
        from include.ledger.db import migrate

        return migrate(self.engine)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def _write(self):
        from include.ledger.db import write_transaction

        return write_transaction(self.engine)

    def _read(self):
        from include.ledger.db import read_transaction

        return read_transaction(self.engine)

    # --- writes -------------------------------------------------------------------------------------

    def upsert_records(self, stream: Stream, records: Iterable[tuple[dict, datetime | None]], *,
                       run_id: str) -> tuple[int, int]:
        """Store one page of ``(record, effective change time)`` pairs.

        Returns (rows written, rows whose content or status differs from what was stored).
        """
        now = utc_now()
        rows: dict[str, dict] = {}
        for record, modified_at in records:
            key = record_key(stream, record)
            status = record.get(stream.status_field)
            number = record.get("RECORDNO")
            rows[key] = {  # a key read twice in one page keeps its later version
                "stream": stream.name,
                "key": key,
                "record_no": int(number) if str(number or "").strip().isdigit() else None,
                "status": status if status not in ("", None) else None,
                "active": is_active_status(status),
                "modified_at": modified_at,
                "data": json.dumps(record, sort_keys=True, default=str),
                "last_seen_run": run_id,
                "refreshed_at": now,
            }
        with self._write() as connection:
            before = dict(connection.execute(
                sa.select(ref_records.c.key, ref_records.c.data)
                .where(ref_records.c.stream == stream.name, ref_records.c.key.in_(list(rows)))
            ).all()) if rows else {}
            _upsert(connection, ref_records, list(rows.values()), ("stream", "key"))
        changed = sum(1 for key, row in rows.items() if before.get(key) != row["data"])
        return len(rows), changed

    def complete_refresh(self, stream: Stream, *, run_id: str, newest_change: datetime | None, records_read: int,
                         api_calls: int, full_refresh: bool, quality: list[dict] | None = None,
                         kind: str = "object") -> StreamState:
        """Record a finished read: refresh time, watermark (forward only), availability, checks.

        After a full refresh, records of the stream that were not read again are marked
        ``missing`` and inactive, so validation rejects them instead of trusting stale rows.
        """
        now = utc_now()
        with self._write() as connection:
            previous = connection.execute(
                sa.select(ref_streams.c.watermark).where(ref_streams.c.stream == stream.name)
            ).scalar()
            watermark = max(filter(None, (previous, newest_change)), default=None)
            if full_refresh:
                connection.execute(
                    ref_records.update()
                    .where(ref_records.c.stream == stream.name)
                    .where(sa.or_(ref_records.c.last_seen_run.is_(None), ref_records.c.last_seen_run != run_id))
                    .values(status=MISSING, active=False, refreshed_at=now)
                )
            values = {
                "kind": kind, "object_name": stream.object_name, "label": stream.description or None,
                "available": True, "unavailable_reason": None, "watermark": watermark,
                "last_refreshed_at": now, "last_run_id": run_id, "records_read": records_read,
                "api_calls": api_calls, "quality": json.dumps(quality or []), "updated_at": now,
            }
            if full_refresh:
                values["last_full_refresh_at"] = now
            self._put_state(connection, stream.name, values)
        return self.state(stream.name)

    def mark_unavailable(self, stream: Stream, *, run_id: str, reason: str, api_calls: int = 0,
                         kind: str = "udd") -> StreamState:
        """The stream could not be read (e.g. INT402): keep its records, say why, keep the watermark."""
        now = utc_now()
        with self._write() as connection:
            self._put_state(connection, stream.name, {
                "kind": kind, "object_name": stream.object_name, "label": stream.description or None,
                "available": False, "unavailable_reason": reason, "last_refreshed_at": now,
                "last_run_id": run_id, "records_read": 0, "api_calls": api_calls, "updated_at": now,
            })
        return self.state(stream.name)

    def set_closed_books_date(self, closed_through: date | None, *, run_id: str, api_calls: int = 1) -> None:
        now = utc_now()
        with self._write() as connection:
            _upsert(connection, ref_records, [{
                "stream": CLOSED_BOOKS_STREAM, "key": CLOSED_BOOKS_KEY, "record_no": None,
                "status": "active", "active": True, "modified_at": None,
                "data": json.dumps({"date": closed_through.isoformat() if closed_through else None}),
                "last_seen_run": run_id, "refreshed_at": now,
            }], ("stream", "key"))
            self._put_state(connection, CLOSED_BOOKS_STREAM, {
                "kind": "closed_books", "object_name": "get_closedbooksdate", "label": "Closed-books date",
                "available": True, "unavailable_reason": None, "last_refreshed_at": now, "last_run_id": run_id,
                "records_read": 1, "api_calls": api_calls, "updated_at": now,
            })

    @staticmethod
    def _put_state(connection: Connection, name: str, values: dict) -> None:
        updated = connection.execute(ref_streams.update().where(ref_streams.c.stream == name).values(**values))
        if updated.rowcount == 0:
            connection.execute(ref_streams.insert().values(stream=name, **values))

    # --- reads --------------------------------------------------------------------------------------

    def state(self, name: str) -> StreamState | None:
        return self.states([name]).get(name)

    def states(self, names: Iterable[str] | None = None) -> dict[str, StreamState]:
        query = sa.select(ref_streams)
        if names is not None:
            query = query.where(ref_streams.c.stream.in_(list(names)))
        with self._read() as connection:
            rows = connection.execute(query.order_by(ref_streams.c.stream)).mappings().all()
        return {row["stream"]: StreamState(
            stream=row["stream"], kind=row["kind"], object_name=row["object_name"], label=row["label"],
            available=bool(row["available"]), unavailable_reason=row["unavailable_reason"],
            watermark=row["watermark"], last_refreshed_at=row["last_refreshed_at"],
            last_full_refresh_at=row["last_full_refresh_at"], last_run_id=row["last_run_id"],
            records_read=row["records_read"], api_calls=row["api_calls"],
            quality=json.loads(row["quality"]) if row["quality"] else [],
        ) for row in rows}

    def records(self, stream_name: str) -> list[RefRecord]:
        with self._read() as connection:
            rows = connection.execute(
                sa.select(ref_records).where(ref_records.c.stream == stream_name).order_by(ref_records.c.key)
            ).mappings().all()
        return [RefRecord(stream=r["stream"], key=r["key"], record_no=r["record_no"], status=r["status"],
                          active=bool(r["active"]), modified_at=r["modified_at"], data=json.loads(r["data"]))
                for r in rows]

    def statuses(self, stream_name: str) -> dict[str, str]:
        """key -> status (``missing`` for records a full refresh no longer found)."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(ref_records.c.key, ref_records.c.status).where(ref_records.c.stream == stream_name)
            ).all()
        return {key: status or "" for key, status in rows}

    def closed_books_date(self) -> date | None:
        with self._read() as connection:
            raw = connection.execute(
                sa.select(ref_records.c.data)
                .where(ref_records.c.stream == CLOSED_BOOKS_STREAM, ref_records.c.key == CLOSED_BOOKS_KEY)
            ).scalar()
        value = json.loads(raw)["date"] if raw else None
        return date.fromisoformat(value) if value else None
