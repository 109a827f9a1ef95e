"""The circuit breaker of a run: stop sending to a tenant that fails every request.

The client already retries each request with backoff. When, after that, N requests in a
row fail transiently and nothing succeeds in between, the tenant is down or throttling
every call: sending the rest would only hammer it. The breaker opens once, with one
message; what was not sent stays retryable for the next run.
"""

from __future__ import annotations

import os

from include.settings import number_setting

DEFAULT_THRESHOLD = 5  # requests, each already retried by the client
THRESHOLD_ENV = "INTEGRATION_CIRCUIT_BREAKER_THRESHOLD"
OPEN_MARK = "circuit breaker open"  # in the message of every document left unsent by it


def threshold_from_env(environ=os.environ) -> int:
    return int(number_setting(environ, THRESHOLD_ENV, DEFAULT_THRESHOLD, int, minimum=1))


class CircuitBreaker:
    def __init__(self, threshold: int = DEFAULT_THRESHOLD, *, target: str = "Intacct"):
        if threshold < 1:
            raise ValueError("the circuit breaker's threshold must be at least 1")
        self.threshold = threshold
        self.target = target
        self.consecutive_transient = 0
        self.succeeded = 0
        self.opened_message: str | None = None

    @property
    def is_open(self) -> bool:
        return self.opened_message is not None

    def record(self, *, succeeded: int, transient_failed: int) -> bool:
        """Count one batch's outcomes (documents posted, requests failed transiently); True exactly once:
        when this batch opens the breaker."""
        if self.is_open:
            return False
        if succeeded:
            self.succeeded += succeeded
            self.consecutive_transient = 0
            return False
        self.consecutive_transient += transient_failed
        if self.consecutive_transient < self.threshold:
            return False
        self.opened_message = (
            f"{OPEN_MARK}: {self.consecutive_transient} requests in a row failed transiently at {self.target} "
            f"with nothing succeeding in between (threshold {self.threshold}); the rest of this run's documents "
            "are not sent and stay retryable for the next run")
        return True
