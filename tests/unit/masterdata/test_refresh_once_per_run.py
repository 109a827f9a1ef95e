"""A run reads a master-data list again at most once, whatever the number of its tasks asking."""

import threading
import time
from types import SimpleNamespace

import pytest

from include.intacct.metrics import Metrics
from include.ledger import Ledger
from include.masterdata.refresh import ReferenceRefresher
from include.reference_store import refreshes

RUN = "scheduled__2026-11-22T05:00:00+00:00"


class FakeIntacct:
    """Answers every query with one department (or fails, when told to)."""

    def __init__(self, fail: Exception | None = None):
        self.queries: list[str] = []
        self.fail = fail
        self.metrics = Metrics()
        self.config = SimpleNamespace(user_id="xml_gateway")

    def query(self, object_name, fields, filter=None, order_by=None, page_size=None):
        self.queries.append(object_name)
        self.metrics.add("api_transactions")
        if self.fail:
            raise self.fail
        return SimpleNamespace(num_remaining=0, records=[
            {"RECORDNO": "7", "WHENMODIFIED": "11/22/2026 00:00:00", "DEPARTMENTID": "MKTG", "STATUS": "active",
             "TITLE": "Marketing"}])

    def close(self):
        pass


@pytest.fixture
def ledger(sqlite_url):
    ledger = Ledger(sqlite_url)
    ledger.migrate()
    return ledger


def _refresher(ledger, intacct, run_id=RUN, worker="extract_validate[0]"):
    return ReferenceRefresher(run_id=run_id, ledger=ledger, company_timezone="America/New_York", lookback_minutes=10,
                              max_age_hours=26, worker=worker, client_factory=lambda: intacct, wait_seconds=5)


def test_the_first_task_reads_the_list_and_the_others_of_the_run_use_that_read(ledger):
    intacct = FakeIntacct()
    first = _refresher(ledger, intacct)
    read = first.refresh({"DEPARTMENT"}, reason="ar_invoice INV-7 refused for department_id")["DEPARTMENT"]
    assert (read.by_this_task, read.api_calls, read.error) == (True, 1, None) and read.read_at is not None
    assert first.refresh({"DEPARTMENT"}, reason="again")["DEPARTMENT"] == read  # this task: remembered

    other_task = _refresher(ledger, FakeIntacct(), worker="extract_validate[1]")
    seen = other_task.refresh({"DEPARTMENT"}, reason="ap_bill BILL-3 refused")["DEPARTMENT"]
    assert (seen.by_this_task, seen.read_at) == (False, read.read_at)
    assert intacct.queries == ["DEPARTMENT"] and other_task.metrics() == {}  # the other task spent nothing
    assert [(r.stream, r.api_calls, r.reason) for r in refreshes.of_run(ledger.engine, RUN)] == [
        ("DEPARTMENT", 1, "ar_invoice INV-7 refused for department_id")]
    assert first.store.statuses("DEPARTMENT") == {"MKTG": "active"}

    next_run = FakeIntacct()
    _refresher(ledger, next_run, run_id="scheduled__next").refresh({"DEPARTMENT"}, reason="next night")
    assert next_run.queries == ["DEPARTMENT"]  # once per stream per run, not once for ever


def test_a_task_asking_while_another_reads_waits_for_that_read(ledger):
    assert refreshes.reserve(ledger.engine, RUN, "DEPARTMENT", requested_by="extract_validate[0]", reason="first")
    def finish_the_read():
        # time.sleep, not threading.Timer: a timed wait on a condition never ends under faketime's clock
        time.sleep(0.3)
        refreshes.finish(ledger.engine, RUN, "DEPARTMENT", api_calls=1, records_changed=1)

    finisher = threading.Thread(target=finish_the_read)
    finisher.start()
    intacct = FakeIntacct()
    read = _refresher(ledger, intacct, worker="extract_validate[1]").refresh({"DEPARTMENT"}, reason="second")
    finisher.join()
    assert read["DEPARTMENT"].read_at is not None and read["DEPARTMENT"].api_calls == 1
    assert intacct.queries == []


def test_a_list_that_cannot_be_read_is_said_so_and_not_raised(ledger):
    refresher = _refresher(ledger, FakeIntacct(fail=TimeoutError("read timed out")))
    read = refresher.refresh({"DEPARTMENT"}, reason="ar_invoice INV-7")["DEPARTMENT"]
    assert read.error == "TimeoutError: read timed out"
    assert refreshes.get(ledger.engine, RUN, "DEPARTMENT").error == "TimeoutError: read timed out"
    assert refresher.last_read("DEPARTMENT") is None  # never read successfully
