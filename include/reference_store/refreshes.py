"""The streams a run read again from Intacct before refusing a document: one row per (run, stream).

Inserting the row is the run's claim on that read (``reserve``): the first task of the run to ask
reads the stream, any other task of the same run waits for that read (``wait_finished``) instead
of reading it again, so a run costs at most one read per stream. ``finish`` records what the read
cost and found; the reconciliation and the tests read it back (``of_run``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from include.masterdata.timestamps import utc_now
from include.reference_store.tables import ref_refreshes


@dataclass(frozen=True)
class RefreshRecord:
    run_id: str
    stream: str
    requested_by: str | None
    reason: str | None
    started_at: datetime
    finished_at: datetime | None  # None: still reading (or the reader died)
    api_calls: int
    records_read: int
    records_changed: int
    available: bool | None
    error: str | None

    def to_json(self) -> dict:
        return {"stream": self.stream, "api_calls": self.api_calls, "records_read": self.records_read,
                "records_changed": self.records_changed, "available": self.available, "error": self.error,
                "read_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None}


def _insert(connection):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def reserve(engine: Engine, run_id: str, stream: str, *, requested_by: str, reason: str) -> bool:
    """Claim the run's one read of ``stream``: True for the caller that reads it, False if another
    task of the run already did (or is doing it)."""
    from include.ledger.db import write_transaction

    with write_transaction(engine) as connection:
        statement = _insert(connection)(ref_refreshes).values(
            run_id=run_id, stream=stream, requested_by=requested_by[:200], reason=reason, started_at=utc_now())
        return connection.execute(statement.on_conflict_do_nothing(index_elements=["run_id", "stream"])).rowcount == 1


def finish(engine: Engine, run_id: str, stream: str, *, api_calls: int, records_read: int = 0,
           records_changed: int = 0, available: bool | None = None, error: str | None = None) -> None:
    from include.ledger.db import write_transaction

    with write_transaction(engine) as connection:
        connection.execute(
            ref_refreshes.update()
            .where(ref_refreshes.c.run_id == run_id, ref_refreshes.c.stream == stream)
            .values(finished_at=utc_now(), api_calls=api_calls, records_read=records_read,
                    records_changed=records_changed, available=available, error=error))


def _record(row) -> RefreshRecord:
    return RefreshRecord(row["run_id"], row["stream"], row["requested_by"], row["reason"], row["started_at"],
                         row["finished_at"], row["api_calls"], row["records_read"], row["records_changed"],
                         None if row["available"] is None else bool(row["available"]), row["error"])


def get(engine: Engine, run_id: str, stream: str) -> RefreshRecord | None:
    from include.ledger.db import read_transaction

    with read_transaction(engine) as connection:
        row = connection.execute(sa.select(ref_refreshes).where(
            ref_refreshes.c.run_id == run_id, ref_refreshes.c.stream == stream)).mappings().first()
    return _record(row) if row else None


def of_run(engine: Engine, run_id: str) -> list[RefreshRecord]:
    """Every stream the run read again, in stream order."""
    from include.ledger.db import read_transaction

    with read_transaction(engine) as connection:
        rows = connection.execute(sa.select(ref_refreshes).where(ref_refreshes.c.run_id == run_id)
                                  .order_by(ref_refreshes.c.stream)).mappings().all()
    return [_record(row) for row in rows]


def wait_finished(engine: Engine, run_id: str, stream: str, *, timeout: float, poll: float = 0.25,
                  sleep=time.sleep, clock=time.monotonic) -> RefreshRecord | None:
    """The run's read of ``stream`` once it has finished; the unfinished record after ``timeout``
    seconds (its reader is slow or died: the caller goes on with what the store holds)."""
    deadline = clock() + timeout
    while True:
        record = get(engine, run_id, stream)
        if record is None or record.finished_at is not None or clock() >= deadline:
            return record
        sleep(poll)
