"""The load step: post every document this run has claimed, keeping the tenant's request slots full.

One load (or one of its partitions) posts every document type through one request window
(``include.pipeline.window``): as many requests in flight as the worker's share of the tenant's
concurrency (``IntacctConfig.requests_per_worker``), never more. This thread prepares requests
ahead (reads this run's pending claims from the ledger in key order, re-reads the ERP, builds
payloads and stores their controlids) and records each request's outcomes as it returns, while
the window's senders keep every slot busy (recording in the senders was measured slower: they
compete for the interpreter and the ledger's lock); document types follow each other without a gap.
Documents with an ``entity_id`` go under their entity's session: a request never mixes entities.

Partitions split the documents by a stable hash of (document type, number), so several workers
can share the tenant's concurrency (``IntacctConfig.partitions``, the Airflow pool's size): each
posts only its own documents, and the ledger's claims keep it exactly-once anyway.

A worker killed mid-load leaves some claims pending: the task's retry finds them here and resends
them with the same controlids, so what had landed is answered "already recorded" (and linked),
and the rest is posted.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from include.error_classes import ErrorClass
from include.ledger import Outcome, Status
from include.pipeline.breaker import OPEN_MARK, CircuitBreaker, threshold_from_env
from include.pipeline.posting import (
    PostingStats,
    PreparedBatch,
    claimed_from_rows,
    finish_batch,
    prepare_batch,
)
from include.pipeline.progress import Progress
from include.pipeline.window import RequestWindow

log = logging.getLogger(__name__)

PAGE_REQUESTS = 1  # a page of claims fills the worker's request slots this many times over
QUEUED_REQUESTS = 3  # requests prepared ahead, per slot: they cover the preparation of the next page


def partition_of(doc_type: str, key: str, partitions: int) -> int:
    """The partition a document belongs to: stable across processes and runs (not Python's hash)."""
    return zlib.crc32(f"{doc_type}\x1f{key}".encode()) % partitions if partitions > 1 else 0


def _claimed_pages(ledger, doc_type: str, run_id: str, batch_size: int, first_size: int,
                   partition: int = 0, partitions: int = 1) -> Iterator[list]:
    """This run's pending claims of ``doc_type`` in this partition, in key order; pages never repeat
    a row. The first page is small so the first requests leave while the next page is prepared."""
    after_key, size = None, min(first_size, batch_size)
    while True:
        page = ledger.find(object_type=doc_type, status=Status.PENDING.value, run_id=run_id,
                           after_key=after_key, limit=size)
        size = batch_size
        if not page:
            return
        after_key = page[-1].key
        mine = [row for row in page if row.claim_run_id == run_id
                and partition_of(doc_type, row.key, partitions) == partition]
        if mine:
            yield mine


@dataclass
class _Request:
    """One request's worth of a prepared batch: one entity, at most functions_per_request payloads."""

    batch: PreparedBatch
    entity_id: str | None
    payloads: list  # (payload, posting date)

    @property
    def functions(self) -> list:
        from include.pipeline.payloads import to_function

        return [to_function(payload) for payload, _ in self.payloads]


@dataclass
class LoadResult:
    partition: int = 0
    partitions: int = 1
    window: int = 1
    by_doc_type: dict[str, PostingStats] = field(default_factory=dict)

    def stats(self, doc_type: str) -> PostingStats:
        return self.by_doc_type.setdefault(doc_type, PostingStats())

    @property
    def total(self) -> PostingStats:
        total = PostingStats()
        for stats in self.by_doc_type.values():
            total.add(stats)
        return total

    def to_json(self) -> dict:
        return {"partition": self.partition, "partitions": self.partitions, "window": self.window,
                **self.total.to_json(), "by_doc_type": {t: s.to_json() for t, s in self.by_doc_type.items()}}


def load_claimed(doc_types: Sequence[str] | str, run_id: str, *, ledger, source, client,
                 closed_period_policy: dict[str, str], batch_size: int | None = None, transform=None,
                 breaker: CircuitBreaker | None = None, partition: int = 0, partitions: int = 1) -> LoadResult:
    """Post every document of ``doc_types`` still pending under this run's claims (this partition's)."""
    doc_types = [doc_types] if isinstance(doc_types, str) else list(doc_types)
    window_size = client.config.requests_per_worker
    per_request = client.config.functions_per_request
    batch_size = batch_size or per_request * window_size * PAGE_REQUESTS
    result = LoadResult(partition, partitions, window_size)
    breaker = breaker or CircuitBreaker(threshold_from_env())
    earlier = opened_earlier_in_run(ledger, run_id)
    if earlier:  # another load found the tenant failing every request: do not knock again
        for doc_type in doc_types:
            stats = result.stats(doc_type)
            stats.circuit_open = f"{OPEN_MARK} earlier in this run ({earlier})"
            stats.left_unsent = leave_unsent_for_next_run(ledger, doc_type, run_id, stats.circuit_open,
                                                          partition=partition, partitions=partitions)
        log.error("%s", f"{OPEN_MARK} earlier in this run ({earlier})")
        return result

    pending = sum(ledger.count(object_type=t, status=Status.PENDING.value, run_id=run_id) for t in doc_types)
    progress = Progress(f"load (partition {partition + 1} of {partitions}, {window_size} request(s) in flight)",
                        -(-pending // partitions))

    def record(request: _Request, outcomes: list) -> None:
        progress.add(len(request.payloads))
        batch = request.batch
        done = finish_batch(PreparedBatch(batch.doc_type, payloads=request.payloads), outcomes, run_id=run_id,
                            ledger=ledger, closed_period_policy=closed_period_policy)
        result.stats(batch.doc_type).add(done)
        failed_requests = 1 if not done.posted and done.failed.get(ErrorClass.TRANSIENT.value, 0) else 0
        if breaker.record(succeeded=done.posted, transient_failed=failed_requests):
            log.error("%s", breaker.opened_message)

    window = RequestWindow(window_size, lambda r: client.send_writes(r.functions, r.entity_id),
                           ahead=window_size * QUEUED_REQUESTS, name="load")
    try:
        for doc_type in doc_types:
            for rows in _claimed_pages(ledger, doc_type, run_id, batch_size, per_request * window_size,
                                       partition, partitions):
                if breaker.is_open:
                    break
                batch = prepare_batch(doc_type, claimed_from_rows(rows), run_id=run_id, ledger=ledger,
                                      source=source, transform=transform, client=client)
                _record_decided(batch, ledger, run_id, result.stats(doc_type))
                for request in _requests(batch, per_request):
                    if breaker.is_open:  # opened while this batch was prepared: its controlids are stored, not sent
                        break
                    window.submit(request, record)
                    window.take_results(record)
                log.info("%s: %d posted so far (%d requests in flight)", doc_type, result.stats(doc_type).posted,
                         window.pending)
            if breaker.is_open:
                break
        if breaker.is_open:
            window.discard_unsent()  # queued, not sent: their claims are left for the next run below
        window.drain(record)
        if breaker.is_open:
            for doc_type in doc_types:
                stats = result.stats(doc_type)
                stats.circuit_open = breaker.opened_message
                stats.left_unsent = leave_unsent_for_next_run(
                    ledger, doc_type, run_id, breaker.opened_message, sent=set(stats.unresolved),
                    partition=partition, partitions=partitions)
    finally:
        window.close()  # on a stop: requests in flight finish; their claims stay pending
    progress.finish()
    return result


def _record_decided(batch: PreparedBatch, ledger, run_id: str, stats: PostingStats) -> None:
    """Record what was decided without Intacct (changed since the claim, gone from the ERP, no
    payload), so only the requests' outcomes are left to record."""
    if not batch.outcomes:
        stats.add(batch.stats)
        return
    decided = PreparedBatch(batch.doc_type, stats=batch.stats, outcomes=list(batch.outcomes))
    stats.add(finish_batch(decided, [], run_id=run_id, ledger=ledger, closed_period_policy={}))
    batch.outcomes.clear()


def _requests(batch: PreparedBatch, per_request: int) -> Iterable[_Request]:
    by_entity: dict[str | None, list] = {}
    for payload, posting_date in batch.payloads:
        by_entity.setdefault(batch.entities.get(payload.key), []).append((payload, posting_date))
    for entity_id, payloads in by_entity.items():
        for start in range(0, len(payloads), per_request):
            yield _Request(batch, entity_id, payloads[start:start + per_request])


def opened_earlier_in_run(ledger, run_id: str) -> str | None:
    """The document type whose load opened the breaker earlier in this run and left documents unsent."""
    for row in ledger.find(status=Status.ERROR.value, error_class=ErrorClass.TRANSIENT.value, run_id=run_id):
        if OPEN_MARK in (row.last_message or ""):
            return f"by the {row.object_type} load"
    return None


def leave_unsent_for_next_run(ledger, doc_type: str, run_id: str, message: str, sent: set[str] = frozenset(),
                              partition: int = 0, partitions: int = 1) -> int:
    """Record this run's still-pending claims (this partition's) as transient errors (not held): the
    next run retries them. ``sent``: keys that did go out (their outcome is not known yet): they stay
    pending."""
    left = 0
    for rows in _claimed_pages(ledger, doc_type, run_id, 1000, 1000, partition, partitions):
        unsent = [row for row in rows if row.key not in sent]
        if not unsent:
            continue
        report = ledger.record_outcomes(
            [Outcome.error(doc_type, row.key, error_class=ErrorClass.TRANSIENT.value, message=f"not sent: {message}")
             for row in unsent], run_id=run_id)
        left += report.applied
    return left
