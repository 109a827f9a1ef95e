"""Fault injection: by probability from a seeded RNG, or deterministically for the next N requests,
aimed at all requests or a subset (writes, reads, one function), with counts of what was injected."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from typing import Any

from include.intacct_sandbox.gateway import GATEWAY_FUNCTIONS, WRITE_FUNCTIONS

FAULT_KINDS = (
    "rate_limit",  # HTTP 429 with a GW-0010 body and Retry-After
    "bad_gateway",  # HTTP 502, HTML body
    "unavailable",  # HTTP 503, HTML body
    "timeout_after_commit",  # the request runs and commits, then HTTP 524 (the CDN gave up waiting)
    "drop_connection",  # the connection closes without a response
    "html_page",  # HTTP 200 with an HTML error page instead of XML
    "session_expiry",  # every session of the company expires just before the request runs
)

ALL_REQUESTS = "all"
TARGET_KEYWORDS = (ALL_REQUESTS, "writes", "reads")
FUNCTION_TARGET_PREFIX = "function:"
TARGET_FORMS = "all, writes, reads or function:<name> (e.g. function:query)"


def check_target(target: Any) -> str:
    """The target if valid: `all`, `writes` (a request with a write function), `reads` (a request
    without one) or `function:<name>` (a request holding that gateway function); ValueError if not."""
    if isinstance(target, str):
        if target in TARGET_KEYWORDS:
            return target
        if target.startswith(FUNCTION_TARGET_PREFIX):
            name = target[len(FUNCTION_TARGET_PREFIX):]
            if name in GATEWAY_FUNCTIONS:
                return target
            raise ValueError(f"unknown target '{target}': '{name}' is not a gateway function (known: "
                             f"{', '.join(GATEWAY_FUNCTIONS)}); a target is {TARGET_FORMS}")
    raise ValueError(f"unknown target '{target}'; a target is {TARGET_FORMS}")


def target_matches(target: str, function_names: Sequence[str]) -> bool:
    if target == ALL_REQUESTS:
        return True
    has_write = any(name in WRITE_FUNCTIONS for name in function_names)
    if target == "writes":
        return has_write
    if target == "reads":
        return not has_write
    return target[len(FUNCTION_TARGET_PREFIX):] in function_names


def _as_seed(value: Any) -> int:
    # The admin API also takes query parameters, which are strings: "7" must seed like 7.
    if isinstance(value, bool):
        raise ValueError(f"seed must be an integer, got {value!r}")
    try:
        return int(value) if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise ValueError(f"seed must be an integer, got {value!r}") from None


class Faults:
    """The fault plan and its counters, in memory for the server process.

    The app calls pick() with no await between reading and updating the state, on its single
    event loop, so concurrent requests can neither interleave RNG draws nor lose counts.
    """

    def __init__(self, seed: int = 0, probabilities: dict[str, float] | None = None, target: str = ALL_REQUESTS):
        self.seed = _as_seed(seed)
        self.rng = random.Random(self.seed)
        self.queue: deque[str] = deque()
        self.probabilities: dict[str, float] = {}
        self.target = ALL_REQUESTS
        self.reset_counts()
        self.set(probabilities=probabilities or {}, target=target)

    def set(self, next_faults: list[str] | None = None, probabilities: dict[str, float] | None = None,
            seed: int | None = None, target: str | None = None, reset_counts: bool = False) -> None:
        """Change what is given (None keeps it). Everything is checked first: a refused call changes nothing."""
        for kind in list(next_faults or []) + list((probabilities or {}).keys()):
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault '{kind}'; known faults: {', '.join(FAULT_KINDS)}")
        for kind, p in (probabilities or {}).items():
            if not 0.0 <= float(p) <= 1.0:
                raise ValueError(f"probability of fault '{kind}' must be between 0 and 1, got {p}")
        new_seed = None if seed is None else _as_seed(seed)
        new_target = None if target is None else check_target(target)
        if new_seed is not None:  # the same seed again restarts the sequence too
            self.seed = new_seed
            self.rng = random.Random(new_seed)
        if new_target is not None:
            self.target = new_target
        if next_faults is not None:
            self.queue = deque(next_faults)
        if probabilities is not None:
            self.probabilities = {k: float(v) for k, v in probabilities.items() if float(v) > 0}
        if reset_counts:
            self.reset_counts()

    def reset_counts(self) -> None:
        self.injected: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)
        self.matched = 0  # requests that matched the target, so took the next fault or drew from the RNG
        self.seen = 0  # requests considered for a fault, matching or not

    def clear(self) -> None:
        self.queue.clear()
        self.probabilities = {}
        self.rng = random.Random(self.seed)
        self.reset_counts()

    def pick(self, function_names: Sequence[str]) -> str | None:
        """The fault for a request holding these functions, or None. A request outside the target
        neither takes a queued fault nor draws from the RNG, so a seed gives the same faults over the
        matching requests whatever else is sent in between."""
        self.seen += 1
        if not target_matches(self.target, function_names):
            return None
        self.matched += 1
        fault = self._next_fault()
        if fault is not None:
            self.injected[fault] += 1
        return fault

    def _next_fault(self) -> str | None:
        if self.queue:
            return self.queue.popleft()
        for kind in FAULT_KINDS:
            p = self.probabilities.get(kind)
            if p and self.rng.random() < p:
                return kind
        return None

    def describe(self) -> dict:
        return {"next": list(self.queue), "probabilities": dict(self.probabilities), "seed": self.seed,
                "target": self.target, "injected": dict(self.injected), "matched": self.matched,
                "seen": self.seen}
