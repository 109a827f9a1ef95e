"""The load step for one document type: post every document this run has claimed.

Reads this run's pending claims from the ledger in key order, one batch at a time
(memory stays flat). Preparing a batch (re-reading the ERP, building payloads),
sending it and recording its outcomes overlap: while one or two batches are in
flight, the next is prepared, so the tenant's parallel requests never wait on our
own work. The client's per-process limit keeps requests at the tenant's concurrency.
Documents with an ``entity_id`` go under their entity's session (the client groups the
requests by entity; ``include.pipeline.posting``).

A worker killed mid-load leaves some claims pending: the task's retry finds them here
and resends them with the same controlids, so what had landed is answered "already
recorded" (and linked), and the rest is posted.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from include.error_classes import ErrorClass
from include.ledger import Outcome, Status
from include.pipeline.breaker import OPEN_MARK, CircuitBreaker, threshold_from_env
from include.pipeline.posting import PostingStats, claimed_from_rows, finish_batch, prepare_batch

log = logging.getLogger(__name__)

BATCHES_IN_FLIGHT = 2  # one sending while the next waits: enough to keep every request slot busy


def _claimed_pages(ledger, doc_type: str, run_id: str, batch_size: int, first_size: int) -> Iterator[list]:
    """This run's pending claims of ``doc_type``, in key order; pages never repeat a row.
    The first page is small so the first requests leave while the next page is prepared."""
    after_key, size = None, min(first_size, batch_size)
    while True:
        page = ledger.find(object_type=doc_type, status=Status.PENDING.value, run_id=run_id,
                           after_key=after_key, limit=size)
        size = batch_size
        if not page:
            return
        after_key = page[-1].key
        mine = [row for row in page if row.claim_run_id == run_id]
        if mine:
            yield mine


def load_claimed(doc_type: str, run_id: str, *, ledger, source, client, closed_period_policy: dict[str, str],
                 batch_size: int, transform=None, breaker: CircuitBreaker | None = None) -> PostingStats:
    """Post every document of ``doc_type`` still pending under this run's claims."""
    stats = PostingStats()
    in_flight: deque = deque()
    breaker = breaker or CircuitBreaker(threshold_from_env())
    per_request = client.config.functions_per_request
    earlier = opened_earlier_in_run(ledger, run_id)
    if earlier:  # another document type's load found the tenant failing every request: do not knock again
        stats.circuit_open = f"{OPEN_MARK} earlier in this run ({earlier})"
        stats.left_unsent = leave_unsent_for_next_run(ledger, doc_type, run_id, stats.circuit_open)
        log.error("%s: %s", doc_type, stats.circuit_open)
        return stats

    def finish_oldest() -> None:
        batch, future = in_flight.popleft()
        done = finish_batch(batch, future.result(), run_id=run_id, ledger=ledger,
                            closed_period_policy=closed_period_policy)
        stats.add(done)
        log.info("%s: posted %d of %d in this batch (%d so far)", doc_type, done.posted, done.sent, stats.posted)
        failed_requests = -(-done.failed.get(ErrorClass.TRANSIENT.value, 0) // per_request)
        if breaker.record(succeeded=done.posted, transient_failed=failed_requests):
            log.error("%s: %s", doc_type, breaker.opened_message)

    with ThreadPoolExecutor(max_workers=BATCHES_IN_FLIGHT, thread_name_prefix=f"load-{doc_type}") as sender:
        try:
            first_size = client.config.functions_per_request * client.config.max_concurrency
            for rows in _claimed_pages(ledger, doc_type, run_id, batch_size, first_size):
                if breaker.is_open:
                    break
                batch = prepare_batch(doc_type, claimed_from_rows(rows), run_id=run_id, ledger=ledger, source=source,
                                      transform=transform, client=client)
                while len(in_flight) >= BATCHES_IN_FLIGHT:
                    finish_oldest()
                if breaker.is_open:  # opened while this batch was prepared: its controlids are stored, not sent
                    break
                groups = batch.function_groups  # built here: the sender thread only sends
                in_flight.append((batch, sender.submit(client.execute_writes_by_entity, groups) if groups
                                  else _already_done()))
            while in_flight:
                finish_oldest()
            if breaker.is_open:
                stats.circuit_open = breaker.opened_message
                stats.left_unsent = leave_unsent_for_next_run(ledger, doc_type, run_id, breaker.opened_message,
                                                              sent=set(stats.unresolved))
        finally:
            for _, future in in_flight:  # on a stop: let sent requests finish; their claims stay pending
                future.cancel()
    return stats


def opened_earlier_in_run(ledger, run_id: str) -> str | None:
    """The document type whose load opened the breaker earlier in this run and left documents unsent."""
    for row in ledger.find(status=Status.ERROR.value, error_class=ErrorClass.TRANSIENT.value, run_id=run_id):
        if OPEN_MARK in (row.last_message or ""):
            return f"by the {row.object_type} load"
    return None


def leave_unsent_for_next_run(ledger, doc_type: str, run_id: str, message: str, sent: set[str] = frozenset()) -> int:
    """Record this run's still-pending claims as transient errors (not held): the next run retries them.
    ``sent``: keys that did go out (their outcome is not known yet): they stay pending."""
    left = 0
    for rows in _claimed_pages(ledger, doc_type, run_id, 1000, 1000):
        unsent = [row for row in rows if row.key not in sent]
        if not unsent:
            continue
        report = ledger.record_outcomes(
            [Outcome.error(doc_type, row.key, error_class=ErrorClass.TRANSIENT.value, message=f"not sent: {message}")
             for row in unsent], run_id=run_id)
        left += report.applied
    return left


def _already_done():
    from concurrent.futures import Future

    future: Future = Future()
    future.set_result([])
    return future
