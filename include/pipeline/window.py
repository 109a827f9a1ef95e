"""A window of requests in flight: sender threads take prepared requests from a short queue and
hand back their results, so the tenant's request slots never wait for the caller's own work.

The caller prepares requests (re-reading the ERP, building payloads) and records results in its
own thread; the queue holds a few requests ahead of the senders, so while the caller prepares
or records, every slot keeps a request in flight.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

_STOP = object()


class RequestWindow:
    """``size`` sender threads, each keeping one request in flight, fed ``ahead`` requests in advance."""

    def __init__(self, size: int, send: Callable[[Any], Any], *, ahead: int | None = None, name: str = "send"):
        if size < 1:
            raise ValueError("a request window needs at least one slot")
        self.size = size
        self._send = send
        self._todo: queue.Queue = queue.Queue(maxsize=ahead if ahead is not None else size)
        self._done: queue.Queue = queue.Queue()
        self._pending = 0  # submitted, result not yet taken
        self._threads = [threading.Thread(target=self._sender, name=f"{name}-{n}", daemon=True) for n in range(size)]
        for thread in self._threads:
            thread.start()

    def _sender(self) -> None:
        while True:
            request = self._todo.get()
            if request is _STOP:
                return
            try:
                result = self._send(request)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who re-raises it
                result = exc
            self._done.put((request, result))

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, request: Any, on_result: Callable[[Any, Any], None]) -> None:
        """Queue a request; while the queue is full, take finished results (``on_result(request,
        result)``) instead of idling."""
        while True:
            try:
                self._todo.put(request, timeout=0.01)
                self._pending += 1
                return
            except queue.Full:
                self.take_results(on_result, wait=True, timeout=0.05)

    def take_results(self, on_result: Callable[[Any, Any], None], *, wait: bool = False,
                     timeout: float | None = None) -> int:
        """Hand every finished result to ``on_result``; with ``wait``, first wait for one."""
        taken = 0
        while self._pending:
            try:
                request, result = self._done.get(block=wait and taken == 0, timeout=timeout)
            except queue.Empty:
                return taken
            self._pending -= 1
            taken += 1
            if isinstance(result, BaseException):
                raise result
            on_result(request, result)
        return taken

    def drain(self, on_result: Callable[[Any, Any], None]) -> None:
        """Wait for every submitted request and hand over its result."""
        while self._pending:
            self.take_results(on_result, wait=True)

    def discard_unsent(self) -> list:
        """Take back the requests no sender has started; those in flight finish."""
        unsent = []
        while True:
            try:
                unsent.append(self._todo.get_nowait())
            except queue.Empty:
                break
        self._pending -= len(unsent)
        return unsent

    def close(self) -> None:
        """Stop the senders once the requests in flight finish (their results are dropped)."""
        self.discard_unsent()
        for _ in self._threads:
            self._todo.put(_STOP)
        for thread in self._threads:
            thread.join()
