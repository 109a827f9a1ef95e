"""Thread-safe counters of what a run costs: HTTP requests, Intacct API transactions, retries."""

from __future__ import annotations

import threading
from collections import Counter


class Metrics:
    """``api_transactions`` follows Intacct's billing: each created/updated/deleted document
    counts one, and each query/readByQuery/readMore/read call counts one."""

    NAMES = ("http_requests", "api_transactions", "retries", "logins", "session_renewals", "resends",
             "write_failures", "unresolved", "token_renewals", "session_bridges", "idempotent_replays")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        if amount:
            with self._lock:
                self._counts[name] += amount

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            result = {name: 0 for name in self.NAMES}
            result.update(self._counts)
            return result

    def reset(self) -> dict[str, int]:
        """Return the counts so far and start again from zero (per-run accounting)."""
        with self._lock:
            result = {name: 0 for name in self.NAMES}
            result.update(self._counts)
            self._counts.clear()
            return result
