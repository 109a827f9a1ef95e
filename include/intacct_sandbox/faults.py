"""Fault injection: by probability from a seeded RNG, or deterministically for the next N requests."""

from __future__ import annotations

import random
from collections import deque

FAULT_KINDS = (
    "rate_limit",  # HTTP 429 with a GW-0010 body and Retry-After
    "bad_gateway",  # HTTP 502, HTML body
    "unavailable",  # HTTP 503, HTML body
    "timeout_after_commit",  # the request runs and commits, then HTTP 524 (the CDN gave up waiting)
    "drop_connection",  # the connection closes without a response
    "html_page",  # HTTP 200 with an HTML error page instead of XML
    "session_expiry",  # every session of the company expires just before the request runs
)


class Faults:
    def __init__(self, seed: int = 0, probabilities: dict[str, float] | None = None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.queue: deque[str] = deque()
        self.probabilities: dict[str, float] = {}
        self.set(probabilities=probabilities or {})

    def set(self, next_faults: list[str] | None = None, probabilities: dict[str, float] | None = None,
            seed: int | None = None) -> None:
        for kind in list(next_faults or []) + list((probabilities or {}).keys()):
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault '{kind}'; known faults: {', '.join(FAULT_KINDS)}")
        for kind, p in (probabilities or {}).items():
            if not 0.0 <= float(p) <= 1.0:
                raise ValueError(f"probability of fault '{kind}' must be between 0 and 1, got {p}")
        if seed is not None:
            self.seed = seed
            self.rng = random.Random(seed)
        if next_faults is not None:
            self.queue = deque(next_faults)
        if probabilities is not None:
            self.probabilities = {k: float(v) for k, v in probabilities.items() if float(v) > 0}

    def clear(self) -> None:
        self.queue.clear()
        self.probabilities = {}
        self.rng = random.Random(self.seed)

    def pick(self) -> str | None:
        if self.queue:
            return self.queue.popleft()
        for kind in FAULT_KINDS:
            p = self.probabilities.get(kind)
            if p and self.rng.random() < p:
                return kind
        return None

    def describe(self) -> dict:
        return {"next": list(self.queue), "probabilities": dict(self.probabilities), "seed": self.seed}
