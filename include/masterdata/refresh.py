"""Reading master data again before refusing a document: a run's incremental refresh.

When validation (or Intacct) refuses a document for a reference Intacct owns (a payment term, an
account, a department, a user-defined dimension, ...), the run reads that stream again with the
master-data extractor (``extract_stream``: one query from the stream's watermark, so only what
changed since comes back; ``read_udd`` for a user-defined dimension) and validates the documents
again against the fresher reference store. A fix made in Intacct is then picked up by the run
itself, without a master-data run.

Each stream is read at most once per run, whatever the number of documents and tasks asking:
the run's read of a stream is claimed in the reference store (``include.reference_store.refreshes``)
and other tasks of the run wait for it. The calls are counted by the client the refresher opens
(``metrics``), which the run adds to its API cost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from include.masterdata.streams import DIMENSIONS_STREAM, UDD_PREFIX, get_stream

log = logging.getLogger(__name__)

WAIT_FOR_OTHER_TASK_SECONDS = 120.0  # another task of the run is reading the stream: wait this long at most


@dataclass(frozen=True)
class StreamRead:
    """A stream's read in this run, as far as this task knows."""

    stream: str
    read_at: datetime | None  # naive UTC, when the run read it from Intacct; None: not read
    by_this_task: bool = False  # False: another task of the run read it (its calls are counted there)
    api_calls: int = 0
    records_changed: int = 0
    available: bool | None = None  # a user-defined dimension: whether Intacct returned its values
    error: str | None = None  # why it could not be read

    def to_json(self) -> dict:
        return {"stream": self.stream, "read_at": self.read_at.isoformat(timespec="seconds") if self.read_at
                else None, "by_this_task": self.by_this_task, "api_calls": self.api_calls,
                "records_changed": self.records_changed, "available": self.available, "error": self.error}


class ReferenceRefresher:
    """One run's reads of master data before refusing documents (one per stream per run)."""

    def __init__(self, *, run_id: str, ledger, company_timezone: str, lookback_minutes: int,
                 max_age_hours: float, worker: str, client_factory: Callable | None = None, client=None,
                 wait_seconds: float = WAIT_FOR_OTHER_TASK_SECONDS):
        from include.reference_store import ReferenceStore

        if (client_factory is None) == (client is None):
            raise ValueError("give the refresher either a client_factory (it opens and owns a client) or a client")
        self.run_id, self.ledger, self.worker = run_id, ledger, worker
        self.store = ReferenceStore(ledger.engine)
        self.company_timezone, self.lookback_minutes = company_timezone, lookback_minutes
        self.max_age_hours = max_age_hours
        self.wait_seconds = wait_seconds
        self._client_factory = client_factory
        self._client = client
        self._owns_client = client is None
        self.reads: dict[str, StreamRead] = {}

    @classmethod
    def for_run(cls, run_id: str, *, ledger, settings, worker: str, client_factory: Callable | None = None,
                client=None) -> ReferenceRefresher:
        return cls(run_id=run_id, ledger=ledger, company_timezone=settings.company_timezone,
                   lookback_minutes=settings.master_data_lookback_minutes,
                   max_age_hours=settings.reference_max_age_hours, worker=worker, client_factory=client_factory,
                   client=client)

    # -- what callers use -----------------------------------------------------------------------

    def refresh(self, streams: Iterable[str], *, reason: str) -> dict[str, StreamRead]:
        """Read each stream again unless this run already did; every stream's read, by name."""
        wanted = sorted(set(streams))
        for stream in wanted:
            if stream not in self.reads:
                self.reads[stream] = self._read_once_per_run(stream, reason)
        return {stream: self.reads[stream] for stream in wanted}

    def snapshot(self):
        """A validation snapshot of the store as it is now (after the reads)."""
        from include.reference_store import build_snapshot

        return build_snapshot(self.store, max_age_hours=self.max_age_hours)

    def last_read(self, stream: str) -> datetime | None:
        """When the store last read ``stream`` from Intacct (naive UTC), this run or before."""
        read = self.reads.get(stream)
        if read is not None and read.read_at is not None and read.error is None:
            return read.read_at
        state = self.store.state(stream)
        return state.last_refreshed_at if state else None

    def note(self, lookups, snapshot) -> str:
        """What the lookups looked for, in which Intacct list, and when each list was read, as
        sentences for a refusal message (``snapshot``: the data the documents were validated with)."""
        from include.masterdata.lookups import lookup_note, status_in_snapshot

        sentences = []
        for lookup in lookups:
            read = self.reads.get(lookup.stream)
            status, available = status_in_snapshot(snapshot, lookup)
            state = self.store.state(lookup.stream)
            read_now = read is not None and read.read_at is not None and read.error is None
            sentences.append(lookup_note(
                lookup, read_at=read.read_at if read_now else self.last_read(lookup.stream), read_now=read_now,
                read_error=read.error if read is not None else None, found_status=status, available=available,
                label=state.label if state else None))
        return " ".join(dict.fromkeys(sentences))

    def metrics(self) -> dict:
        """The calls of the client this refresher opened (none when it used the caller's client)."""
        return self._client.metrics.snapshot() if self._client is not None and self._owns_client else {}

    def close(self) -> None:
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None

    # -- reading ---------------------------------------------------------------------------------

    def _client_now(self):
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _read_once_per_run(self, stream: str, reason: str) -> StreamRead:
        from include.reference_store import refreshes

        engine = self.ledger.engine
        if not refreshes.reserve(engine, self.run_id, stream, requested_by=self.worker, reason=reason):
            record = refreshes.wait_finished(engine, self.run_id, stream, timeout=self.wait_seconds)
            if record is None or record.finished_at is None:
                who = record.requested_by if record else "another task"
                return StreamRead(stream, None, error=f"being read by {who} of this run, not finished after "
                                                      f"{self.wait_seconds:g} s")
            return StreamRead(stream, record.finished_at, False, record.api_calls, record.records_changed,
                              record.available, record.error)
        read = self._read(stream)
        refreshes.finish(engine, self.run_id, stream, api_calls=read.api_calls, records_changed=read.records_changed,
                         available=read.available, error=read.error)
        record = refreshes.get(engine, self.run_id, stream)
        return StreamRead(stream, record.finished_at if record else None, True, read.api_calls, read.records_changed,
                          read.available, read.error)

    def _read(self, stream: str) -> StreamRead:
        """Read one stream from Intacct into the store; a failure is returned (logged), never raised:
        the documents are then refused with what the store held, and the message says so."""
        try:
            if stream == DIMENSIONS_STREAM:
                return self._read_dimension_list()
            if stream.startswith(UDD_PREFIX):
                return self._read_udd(stream[len(UDD_PREFIX):])
            from include.masterdata.extract import extract_stream

            extracted = extract_stream(self._client_now(), self.store, get_stream(stream), run_id=self.run_id,
                                       company_timezone=self.company_timezone,
                                       lookback_minutes=self.lookback_minutes)
            return StreamRead(stream, None, True, extracted.api_calls, extracted.records_changed)
        except Exception as exc:  # gateway, network or connection errors alike: the refusal explains it
            log.warning("Could not read %s again from Intacct for run %s: %s", stream, self.run_id, exc,
                        exc_info=True)
            return StreamRead(stream, None, True, error=f"{type(exc).__name__}: {exc}")

    def _read_dimension_list(self) -> StreamRead:
        from include.masterdata.dimensions import read_dimension_list

        read_dimension_list(self._client_now(), self.store, run_id=self.run_id)
        return StreamRead(DIMENSIONS_STREAM, None, True, api_calls=1)

    def _listed_dimensions(self) -> dict[str, str]:
        """Dimension object name -> label, as getDimensions last listed them."""
        return {record.key: str(record.data.get("objectLabel") or "")
                for record in self.store.records(DIMENSIONS_STREAM) if record.active}

    def _read_udd(self, name: str) -> StreamRead:
        from include.masterdata.dimensions import read_udd

        stream = f"{UDD_PREFIX}{name}"
        listed = self._listed_dimensions()
        if name not in listed:
            # Intacct did not list it last time: list the dimensions again (the run's one read of that list).
            self.refresh([DIMENSIONS_STREAM], reason=f"looking for user-defined dimension {name}")
            listed = self._listed_dimensions()
            if name not in listed:
                return StreamRead(stream, None, True, available=False,
                                  error=f"Intacct's getDimensions does not list a dimension named {name!r}")
        client = self._client_now()
        read = read_udd(client, self.store, self.ledger, name, label=listed[name], run_id=self.run_id,
                        worker=self.worker, company_timezone=self.company_timezone,
                        lookback_minutes=self.lookback_minutes, user_id=client.config.user_id)
        changed = read.extracted.records_changed if read.extracted else 0
        return StreamRead(stream, None, True, read.api_calls, changed, available=read.readable)
