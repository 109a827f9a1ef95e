"""Transient failures: re-post within the run with backoff, then leave for the next run.

Each round waits, claims the run's transient errors again (``retry``, with the
reason in the event log) and re-posts them with the same controlids, so a write
that did land the first time is answered "already recorded" and linked, never
duplicated. What still fails after the last round stays in error, class
transient and not held: the next run's sweep picks it up.
"""

from __future__ import annotations

import logging
import os
import time

from include.error_classes import ErrorClass
from include.pipeline.load import opened_earlier_in_run
from include.pipeline.posting import PostingStats, claimed_from_rows, post_claimed
from include.remediation.base import Handler, RemediationContext, RemediationResult

log = logging.getLogger(__name__)

DEFAULT_DELAYS_SECONDS = (5.0, 20.0, 60.0)
DELAYS_ENV = "INTEGRATION_TRANSIENT_RETRY_DELAYS"  # e.g. "5,20,60"; "0" retries once at once


def retry_delays(environ=os.environ) -> tuple[float, ...]:
    raw = environ.get(DELAYS_ENV, "").strip()
    if not raw:
        return DEFAULT_DELAYS_SECONDS
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{DELAYS_ENV}={raw!r} is not a comma-separated list of seconds") from None
    if any(d < 0 for d in delays):
        raise ValueError(f"{DELAYS_ENV}={raw!r}: delays must not be negative")
    return delays


class TransientHandler(Handler):
    error_class = ErrorClass.TRANSIENT

    def __init__(self, error_class=None, *, delays: tuple[float, ...] | None = None, sleep=time.sleep):
        super().__init__(error_class)
        self.delays = retry_delays() if delays is None else delays
        self.sleep = sleep

    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        if self._breaker_opened(context):
            return self._leave_all(context, result, "the circuit breaker stopped this run's sending: not retried "
                                                    "in this run; the next run retries it")
        stats = PostingStats()
        considered: set[tuple[str, str]] = set()
        for round_no, delay in enumerate(self.delays, start=1):
            waiting = {doc_type: context.rows_in_error(self.error_class, doc_type) for doc_type in context.doc_types}
            waiting = {d: [r for r in rows if r.hold is None] for d, rows in waiting.items()}
            if not any(waiting.values()):
                break
            considered.update((d, r.key) for d, rows in waiting.items() for r in rows)
            self.sleep(delay)
            for doc_type, rows in waiting.items():
                if not rows:
                    continue
                claims = context.ledger.claim(
                    doc_type, [r.key for r in rows], run_id=context.run_id, worker=f"remediate_transient:{os.getpid()}",
                    action="retry", reason=f"transient failure: re-post within the run (round {round_no} of "
                                           f"{len(self.delays)}, after {delay:g} s)",
                    lease_seconds=context.settings.claim_lease_seconds)
                stats.add(post_claimed(doc_type, claimed_from_rows(claims, earlier_outcome_unknown=True),
                                       run_id=context.run_id,
                                       ledger=context.ledger, source=context.source, client=context.client,
                                       closed_period_policy=context.settings.closed_period_policy,
                                       transform=context.term_mapping.apply))
        left = sum(len([r for r in context.rows_in_error(self.error_class, d) if r.hold is None])
                   for d in context.doc_types)
        for doc_type in context.doc_types:
            for row in context.rows_in_error(self.error_class, doc_type):
                context.ledger.log_decision(doc_type, row.key, run_id=context.run_id, decision="left_for_next_run",
                                            reason=f"still failing transiently after {len(self.delays)} "
                                                   "re-posts in this run: the next run retries it")
        result.considered = len(considered)
        result.outcomes.update({"posted": stats.posted, "still_transient": left})
        result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items() if cls != self.error_class.value})
        if stats.sent:
            result.api = context.client.metrics.snapshot()
        return result

    def _breaker_opened(self, context: RemediationContext) -> bool:
        return opened_earlier_in_run(context.ledger, context.run_id) is not None

    def _leave_all(self, context: RemediationContext, result: RemediationResult, reason: str) -> RemediationResult:
        for doc_type in context.doc_types:
            for row in context.rows_in_error(self.error_class, doc_type):
                result.considered += 1
                context.ledger.log_decision(doc_type, row.key, run_id=context.run_id, decision="left_for_next_run",
                                            reason=reason)
        result.outcomes["still_transient"] = result.considered
        return result
