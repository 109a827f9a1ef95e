"""The load's request window: exactly its size in flight, fed ahead, results handed back in the
caller's thread."""

import threading
import time

import pytest

from include.pipeline.load import partition_of
from include.pipeline.window import RequestWindow


class Tenant:
    """Answers after ``seconds``; counts how many requests it holds at once."""

    def __init__(self, seconds: float = 0.02):
        self.seconds = seconds
        self.in_flight = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, request):
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(self.seconds)
        with self.lock:
            self.in_flight -= 1
        return f"answer to {request}"


@pytest.mark.parametrize("size", [1, 3, 6])
def test_the_window_keeps_exactly_its_size_in_flight_and_returns_every_result(size):
    tenant, results = Tenant(), {}
    window = RequestWindow(size, tenant)
    try:
        for n in range(40):
            window.submit(n, results.__setitem__)
            time.sleep(0.001)  # the caller's own work between requests
        window.drain(results.__setitem__)
    finally:
        window.close()
    assert results == {n: f"answer to {n}" for n in range(40)}
    assert tenant.most == size


def test_results_come_back_in_the_callers_thread():
    seen = []
    window = RequestWindow(2, lambda r: r)
    try:
        for n in range(5):
            window.submit(n, lambda request, result: seen.append(threading.current_thread().name))
        window.drain(lambda request, result: seen.append(threading.current_thread().name))
    finally:
        window.close()
    assert set(seen) == {threading.current_thread().name} and len(seen) == 5


def test_a_failure_in_a_sender_reaches_the_caller():
    def send(request):
        if request == 3:
            raise RuntimeError("boom on 3")
        return request

    window = RequestWindow(2, send)
    with pytest.raises(RuntimeError, match="boom on 3"):
        try:
            for n in range(6):
                window.submit(n, lambda request, result: None)
            window.drain(lambda request, result: None)
        finally:
            window.close()


def test_requests_not_yet_sent_can_be_taken_back():
    gate = threading.Event()
    window = RequestWindow(1, lambda r: gate.wait(5), ahead=4)
    try:
        for n in range(5):  # one in flight, four queued
            window.submit(n, lambda request, result: None)
        assert window.discard_unsent() == [1, 2, 3, 4] and window.pending == 1
        gate.set()
        window.drain(lambda request, result: None)
        assert window.pending == 0
    finally:
        window.close()


def test_partitions_split_documents_stably_and_without_overlap():
    keys = [f"INV-{n}" for n in range(2000)]
    split = {p: {k for k in keys if partition_of("ar_invoice", k, 3) == p} for p in range(3)}
    assert sum(len(s) for s in split.values()) == len(keys) and all(len(s) > 500 for s in split.values())
    assert partition_of("ar_invoice", "INV-7", 3) == partition_of("ar_invoice", "INV-7", 3)
    assert {partition_of("ap_bill", k, 1) for k in keys} == {0}
