"""Operational realism: injected faults, the per-company concurrency limit, counters,
persistence across restarts, and the admin CLI."""

import json
import subprocess
import sys
import threading
import time

import pytest
import requests

from include.intacct_sandbox.process import ROOT, start_sandbox
from tests.integration.sandbox.raw_gateway import bill, call, envelope, fn, post, session

FINANCIAL_SETUP = fn("<getFinancialSetup/>")


def test_rate_limit_fault_answers_429_with_gw_0010_and_retry_after(sandbox):
    sandbox.admin.set_faults(["rate_limit"])
    reply = call(sandbox, FINANCIAL_SETUP)
    assert reply.status_code == 429 and reply.headers["retry-after"] == "1"
    assert reply.root.findtext("control/status") == "failure"
    assert reply.root.findtext("errormessage/error/errorno") == "GW-0010"
    assert call(sandbox, FINANCIAL_SETUP).status_code == 200  # only the next request was faulted


@pytest.mark.parametrize(("fault", "status"), [("bad_gateway", 502), ("unavailable", 503), ("html_page", 200)])
def test_gateway_faults_answer_with_html_instead_of_xml(sandbox, fault, status):
    sandbox.admin.set_faults([fault])
    reply = call(sandbox, fn(bill("B-1")))
    assert reply.status_code == status and reply.headers["content-type"].startswith("text/html")
    assert reply.root is None and "<html" in reply.text
    assert sandbox.admin.posted() == []  # nothing ran


def test_timeout_after_commit_answers_524_but_the_document_is_posted(sandbox):
    sandbox.admin.set_faults(["timeout_after_commit"])
    reply = call(sandbox, fn(bill("B-524"), "bill-B-524"), uniqueid="true")
    assert reply.status_code == 524
    assert [p["RECORDID"] for p in sandbox.admin.posted("APBILL")] == ["B-524"]
    # Resending the same controlid under uniqueid is refused: the write already happened.
    repeat = call(sandbox, fn(bill("B-524"), "bill-B-524"), uniqueid="true")
    assert "already been recorded with the control id bill-B-524" in repeat.errors()[0][1]


def test_dropped_connection_closes_without_a_response(sandbox):
    sandbox.admin.set_faults(["drop_connection"])
    with pytest.raises(requests.ConnectionError):
        call(sandbox, fn(bill("B-1")))
    assert sandbox.admin.posted() == []
    assert call(sandbox, FINANCIAL_SETUP).status_code == 200


def test_session_expiry_fault_expires_sessions_before_the_request_runs(sandbox):
    session_id, endpoint = session(sandbox)
    sandbox.admin.set_faults(["session_expiry"])
    reply = post(endpoint, envelope(FINANCIAL_SETUP, auth=f"<sessionid>{session_id}</sessionid>"))
    assert reply.root.findtext("operation/errormessage/error/description2") == "Invalid session"


def test_fault_probabilities_are_reproducible_with_a_seed(sandbox):
    def statuses():
        sandbox.admin.set_faults(next_faults=[], probabilities={"rate_limit": 0.3, "unavailable": 0.2}, seed=42)
        return [call(sandbox, FINANCIAL_SETUP).status_code for _ in range(12)]

    first = statuses()
    assert first == statuses()
    assert {429, 503, 200} <= set(first)


def test_unknown_fault_names_are_refused_with_the_field_named(sandbox):
    response = requests.post(sandbox.base_url + "/admin/faults", json={"next": ["meteor"]}, timeout=5)
    assert response.status_code == 400 and "unknown fault 'meteor'" in response.json()["error"]


def test_requests_over_the_company_concurrency_limit_get_429_gw_0010(sandbox):
    sandbox.admin.update_settings(latency_ms=400, concurrency_limit=1)
    replies = []

    def send():
        replies.append(call(sandbox, FINANCIAL_SETUP))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in replies)
    assert codes == [200, 429]
    refused = next(r for r in replies if r.status_code == 429)
    assert refused.root.findtext("errormessage/error/errorno") == "GW-0010"
    assert "concurrent request in process" in refused.root.findtext("errormessage/error/description2")


def test_request_counter_counts_every_http_request_including_faulted_ones(sandbox):
    sandbox.admin.set_faults(["unavailable"])
    call(sandbox, FINANCIAL_SETUP)
    call(sandbox, FINANCIAL_SETUP)
    assert sandbox.admin.counters("DEMO")["DEMO"]["requests"] == 2


def test_state_survives_a_restart(tmp_path):
    state = tmp_path / "state"
    with start_sandbox(state) as first:
        handle = type("H", (), {"url": first.url})
        created = call(handle, fn(bill("B-persist"), "persist-1"), uniqueid="true")
        assert created.result().findtext("status") == "success"
        first.admin.deactivate("ARTERM", "N15")
    with start_sandbox(state) as second:
        handle = type("H", (), {"url": second.url})
        assert [p["RECORDID"] for p in second.admin.posted("APBILL")] == ["B-persist"]
        repeat = call(handle, fn(bill("B-persist"), "persist-1"), uniqueid="true")
        assert "already been recorded" in repeat.errors()[0][1]
        term = call(handle, fn("<readByName><object>ARTERM</object><keys>N15</keys><fields>STATUS</fields>"
                               "</readByName>")).result().findtext("data/ARTERM/STATUS")
        assert term == "inactive"


def test_admin_cli_closes_books_and_lists_posted_documents(sandbox):
    def cli(*args):
        completed = subprocess.run([sys.executable, "-m", "include.intacct_sandbox", "admin", "--url",
                                    sandbox.base_url, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        return completed.returncode, completed.stdout, completed.stderr

    code, out, _ = cli("close-books", "--through", "2026-10-31", "--module", "AP")
    assert code == 0 and json.loads(out)["AP"] == "2026-10-31"
    code, out, _ = cli("posted", "--object", "APBILL")
    assert code == 0 and json.loads(out) == []
    code, _, err = cli("--company", "NOPE", "closed-books")
    assert code == 1 and "unknown company 'NOPE'" in err


def test_admin_creates_and_updates_records_that_queries_then_see(sandbox):
    sandbox.admin.create_record("CUSTOMER", {"CUSTOMERID": "C-9001", "NAME": "Fresh Customer",
                                             "TERMNAME": "N30"})
    sandbox.admin.create_record("REGION", {"id": "10009", "name": "Islands"})
    sandbox.admin.deactivate("DEPARTMENT", "SALES")
    rows = call(sandbox, fn("<query><object>CUSTOMER</object><select><field>NAME</field></select><filter>"
                            "<equalto><field>CUSTOMERID</field><value>C-9001</value></equalto></filter></query>"))
    assert rows.result().findtext("data/CUSTOMER/NAME") == "Fresh Customer"
    region = call(sandbox, fn("<readByQuery><object>REGION</object><query>id = '10009'</query></readByQuery>"))
    assert region.result().findtext("data/region/name") == "Islands"
    dept = call(sandbox, fn("<readByQuery><object>DEPARTMENT</object><query>STATUS = 'F'</query>"
                            "<fields>DEPARTMENTID</fields></readByQuery>")).result().find("data")
    assert sorted(d.findtext("DEPARTMENTID") for d in dept) == ["LEGACY", "SALES"]
    with pytest.raises(Exception, match="no CUSTOMER record with id 'C-0'"):
        sandbox.admin.update_record("CUSTOMER", "C-0", {"NAME": "x"})


def test_latency_per_request_and_per_function_delays_the_answer(sandbox):
    sandbox.admin.update_settings(latency_ms=100, function_latency_ms=100)
    started = time.perf_counter()
    call(sandbox, FINANCIAL_SETUP + fn("<getDimensions/>", "f2"))
    assert time.perf_counter() - started >= 0.3  # 100 ms per request + 2 x 100 ms per function, at least


def test_latency_is_the_time_to_answer_so_the_request_has_run_before_its_answer_arrives(sandbox):
    # A tenant's latency includes its own work: the bill is posted as the request arrives and
    # the answer waits out the rest of the latency.
    sandbox.admin.update_settings(latency_ms=1500)
    replies = []
    sender = threading.Thread(target=lambda: replies.append(call(sandbox, fn(bill("B-LAT")))))
    started = time.perf_counter()
    sender.start()
    deadline = started + 1.2
    while not sandbox.admin.posted("APBILL") and time.perf_counter() < deadline:
        time.sleep(0.05)
    posted_while_waiting = [p["RECORDID"] for p in sandbox.admin.posted("APBILL")]
    answered_by_then = bool(replies)
    sender.join()
    assert posted_while_waiting == ["B-LAT"] and not answered_by_then
    assert replies[0].status_code == 200 and time.perf_counter() - started >= 1.5


def test_faults_configured_at_start_fire_with_their_probability(tmp_path):
    with start_sandbox(tmp_path / "state", seed=3, fault_probabilities={"unavailable": 1.0}) as server:
        handle = type("H", (), {"url": server.url})
        assert call(handle, FINANCIAL_SETUP).status_code == 503
        assert server.admin.set_faults(probabilities={"unavailable": 0})["probabilities"] == {}
        assert call(handle, FINANCIAL_SETUP).status_code == 200


def test_requests_refused_at_control_level_are_counted_and_persisted(sandbox):
    call(sandbox, FINANCIAL_SETUP, sender_password="wrong")
    post(sandbox.url, "<not-xml")
    counters = sandbox.admin.counters()
    assert counters["DEMO"]["requests"] == 1 and counters["*"]["requests"] == 1
