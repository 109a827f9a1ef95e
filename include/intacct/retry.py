"""Retry policy: exponential backoff with jitter, honouring Retry-After.

What may be retried is decided here too: reads are retried on any transient failure;
a write is only sent again when the gateway certainly did not run it (connection refused,
429, 502/503 before processing) or under ``uniqueid=true`` with the same controlids, which
makes a repeat harmless (the gateway answers "already recorded").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from include.intacct.errors import IntacctError, TransportError


@dataclass
class RetryPolicy:
    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 300.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based). A server's Retry-After
        is honoured (capped at ``max_retry_after``); otherwise a random delay between half
        and all of ``min(max_delay, base_delay * 2**(attempt-1))``, so parallel clients spread out."""
        if attempt < 1:
            raise ValueError(f"retry attempt must be >= 1, got {attempt}")
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)

    def may_retry(self, error: IntacctError, attempt: int, *, is_write: bool, unique_id: bool) -> bool:
        """Whether retry number ``attempt`` of a request that failed with ``error`` is allowed."""
        if attempt > self.max_retries:
            return False
        if not isinstance(error, TransportError) or not error.transient:
            return False
        if error.outcome_unknown and is_write and not unique_id:
            return False  # the write may have landed; sending it again could post it twice
        return True


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
