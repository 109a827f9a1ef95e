"""Progress lines for a task's log: done of total, rate and time left, at most every few seconds."""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

EVERY_SECONDS = 10.0


class Progress:
    """``Progress("ar_invoice load", total)``; ``add(n)`` as work gets done, ``finish()`` at the end.
    ``total`` may be None (unknown) or an estimate: the line then says what is known."""

    def __init__(self, label: str, total: int | None, *, every: float = EVERY_SECONDS, clock=time.monotonic):
        self.label, self.total, self.every, self.clock = label, total, every, clock
        self.done = 0
        self.started = self.last = clock()

    def add(self, count: int) -> None:
        self.done += count
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            log.info("%s", self.line(now))

    def finish(self) -> str:
        line = self.line(self.clock(), final=True)
        log.info("%s", line)
        return line

    def line(self, now: float, final: bool = False) -> str:
        seconds = max(now - self.started, 1e-9)
        rate = self.done / seconds
        if self.total:
            share = f" of {self.total:,} ({min(self.done / self.total, 1):.0%})"
            left = max(self.total - self.done, 0)
            eta = "" if final or not rate else f", about {left / rate:,.0f} s left"
        else:
            share, eta = "", ""
        return f"{self.label}: {self.done:,}{share} in {seconds:,.0f} s, {rate:,.0f}/s{eta}"
