"""Chaos-ready fault injection: faults aimed at writes, reads or one function, the seed that makes
a fault sequence reproducible over the matching requests, and the counts of what was injected."""

import itertools
import json
import subprocess
import sys
from collections import Counter

import pytest
import requests

from include.intacct import IntacctClient, IntacctConfig
from include.intacct_sandbox.admin import SandboxAdminError
from include.intacct_sandbox.faults import FAULT_KINDS
from include.intacct_sandbox.process import ROOT, start_sandbox
from tests.integration.sandbox.raw_gateway import bill, call, fn

FINANCIAL_SETUP = fn("<getFinancialSetup/>")
QUERY = fn("<query><object>VENDOR</object><select><field>VENDORID</field></select></query>")
READ_BY_QUERY = fn("<readByQuery><object>VENDOR</object><fields>VENDORID</fields><query></query>"
                   "<pagesize>5</pagesize></readByQuery>")
SIGN_IN = fn("<getAPISession/>")
STATUS_OF_FAULT = {"rate_limit": 429, "bad_gateway": 502, "unavailable": 503}
FAULT_OF_STATUS = {status: kind for kind, status in STATUS_OF_FAULT.items()}
NO_FAULTS = dict.fromkeys(FAULT_KINDS, 0)
_bill_numbers = itertools.count(1)


def write_request() -> str:
    """A request that posts a new bill (a fresh number each time, so every one of them can succeed)."""
    return fn(bill(f"B-T{next(_bill_numbers)}"))


# One request of each shape; the values build the request body.
REQUESTS = {
    "getFinancialSetup": lambda: FINANCIAL_SETUP,
    "query": lambda: QUERY,
    "readByQuery": lambda: READ_BY_QUERY,
    "getAPISession": lambda: SIGN_IN,
    "create": write_request,
    "query+create": lambda: QUERY + fn(bill(f"B-T{next(_bill_numbers)}"), "f2"),
}


def injected(faults: dict) -> dict[str, int]:
    """The kinds that were injected at least once, with their counts."""
    return {kind: count for kind, count in faults["injected"].items() if count}


@pytest.mark.parametrize(("target", "faulted"), [
    ("all", set(REQUESTS)),
    ("writes", {"create", "query+create"}),
    ("reads", {"getFinancialSetup", "query", "readByQuery", "getAPISession"}),
    ("function:query", {"query", "query+create"}),
    ("function:getAPISession", {"getAPISession"}),
    ("function:create", {"create", "query+create"}),
])
def test_a_target_faults_exactly_the_requests_it_names(sandbox, target, faulted):
    sandbox.admin.set_faults(probabilities={"rate_limit": 1.0}, target=target)
    statuses = {name: call(sandbox, build()).status_code for name, build in REQUESTS.items()}
    assert {name for name, status in statuses.items() if status == 429} == faulted
    assert all(status == 200 for name, status in statuses.items() if name not in faulted)
    faults = sandbox.admin.faults()
    assert (faults["target"], faults["matched"], faults["seen"]) == (target, len(faulted), len(REQUESTS))
    assert injected(faults) == {"rate_limit": len(faulted)}


def test_faults_aimed_at_writes_never_touch_a_read(sandbox):
    sandbox.admin.set_faults(probabilities={"unavailable": 1.0}, target="writes")
    # The project's client without retries: any fault on its sign-in or its reads would raise.
    config = IntacctConfig(**sandbox.config_kwargs, max_retries=0)
    write_statuses = []
    with IntacctClient(config) as client:
        for _ in range(4):
            assert client.get_financial_setup()
            assert [v["VENDORID"] for v in client.read_by_name("VENDOR", ["V-2001"], ["VENDORID"])] == ["V-2001"]
            assert client.query("VENDOR", ["VENDORID"]).records
            write_statuses.append(call(sandbox, write_request()).status_code)
        reads_sent = client.metrics.snapshot()["http_requests"]
    assert write_statuses == [503] * 4
    assert sandbox.admin.posted("APBILL") == []  # a faulted write never ran
    faults = sandbox.admin.faults()
    assert injected(faults) == {"unavailable": 4}
    assert (faults["matched"], faults["seen"]) == (4, 4 + reads_sent)


def test_queued_faults_wait_for_the_next_matching_request(sandbox):
    sandbox.admin.set_faults(next_faults=["bad_gateway", "unavailable"], target="writes")
    assert call(sandbox, FINANCIAL_SETUP).status_code == 200  # a read does not use up a queued fault
    assert call(sandbox, write_request()).status_code == 502
    assert call(sandbox, QUERY).status_code == 200
    assert call(sandbox, write_request()).status_code == 503
    assert call(sandbox, write_request()).status_code == 200
    assert sandbox.admin.faults()["next"] == []


def test_fault_counts_by_kind_match_what_the_client_observed(sandbox):
    sandbox.admin.set_faults(probabilities={"rate_limit": 0.2, "bad_gateway": 0.2, "unavailable": 0.2}, seed=5,
                             target="writes")
    observed: Counter[str] = Counter()
    for _ in range(30):
        status = call(sandbox, write_request()).status_code
        if status != 200:
            observed[FAULT_OF_STATUS[status]] += 1
        assert call(sandbox, FINANCIAL_SETUP).status_code == 200
    faults = sandbox.admin.faults()
    assert injected(faults) == dict(observed) and len(observed) == 3  # each kind fired at least once
    assert (faults["matched"], faults["seen"]) == (30, 60)
    assert len(sandbox.admin.posted("APBILL")) == 30 - sum(observed.values())


def test_the_clients_retries_are_the_faults_the_sandbox_counted(sandbox):
    sandbox.admin.set_faults(probabilities={"unavailable": 0.3, "bad_gateway": 0.2}, seed=3, target="reads")
    config = IntacctConfig(**sandbox.config_kwargs, max_retries=10, backoff_base=0.0, backoff_max=0.0)
    with IntacctClient(config, sleep=lambda seconds: None) as client:
        for _ in range(10):
            assert client.get_financial_setup()
        metrics = client.metrics.snapshot()
    faults = sandbox.admin.faults()
    assert metrics["retries"] == sum(faults["injected"].values()) > 0
    assert metrics["http_requests"] == faults["matched"] == faults["seen"]  # sign-in included: it is a read


def test_same_seed_faults_the_same_writes_whatever_reads_come_between(sandbox):
    plan = {"probabilities": {"rate_limit": 0.3, "unavailable": 0.3}, "seed": 11, "target": "writes"}

    def write_statuses(reads_between: int) -> list[int]:
        sandbox.admin.set_faults(**plan, reset_counts=True)  # setting the seed again restarts the sequence
        statuses = []
        for n in range(12):
            statuses.append(call(sandbox, write_request()).status_code)
            for _ in range(n % 3 * reads_between):
                assert call(sandbox, READ_BY_QUERY).status_code == 200
        return statuses

    alone = write_statuses(reads_between=0)
    assert alone == write_statuses(reads_between=1) == write_statuses(reads_between=2)
    assert {429, 503, 200} <= set(alone)
    faults = sandbox.admin.faults()
    assert faults["matched"] == 12 and faults["seen"] == 12 + 2 * (0 + 1 + 2) * 4


@pytest.mark.parametrize("target", ["writez", "function:Query", "function:", "function:nosuchcall", 7])
def test_unknown_target_is_refused_with_400_naming_it_and_the_allowed_forms(sandbox, target):
    response = requests.post(sandbox.base_url + "/admin/faults",
                             json={"target": target, "probabilities": {"unavailable": 1.0}}, timeout=5)
    assert response.status_code == 400
    error = response.json()["error"]
    assert f"unknown target '{target}'" in error
    assert "all, writes, reads or function:<name>" in error
    faults = sandbox.admin.faults()  # a refused call changes nothing
    assert (faults["target"], faults["probabilities"]) == ("all", {})


def test_unknown_function_target_lists_the_gateway_functions(sandbox):
    with pytest.raises(SandboxAdminError, match=r"'Query' is not a gateway function \(known: getAPISession, "):
        sandbox.admin.set_faults(target="function:Query")


def test_reset_restores_the_default_target_and_seed_and_zeroes_the_counts(sandbox):
    sandbox.admin.set_faults(next_faults=["html_page"], probabilities={"unavailable": 0.5}, seed=9, target="writes")
    call(sandbox, write_request())
    call(sandbox, FINANCIAL_SETUP)
    assert sandbox.admin.faults()["seen"] == 2
    sandbox.admin.reset()
    assert sandbox.admin.faults() == {"next": [], "probabilities": {}, "seed": 0, "target": "all",
                                      "injected": NO_FAULTS, "matched": 0, "seen": 0}


def test_clear_faults_stops_them_and_zeroes_the_counts_but_keeps_target_and_seed(sandbox):
    sandbox.admin.set_faults(next_faults=["rate_limit"], probabilities={"unavailable": 1.0}, seed=4,
                             target="function:query")
    assert call(sandbox, QUERY).status_code == 429
    cleared = sandbox.admin.clear_faults()
    assert cleared == {"next": [], "probabilities": {}, "seed": 4, "target": "function:query",
                       "injected": NO_FAULTS, "matched": 0, "seen": 0}
    assert call(sandbox, QUERY).status_code == 200


def test_reset_counts_zeroes_the_counts_and_keeps_the_plan(sandbox):
    sandbox.admin.set_faults(next_faults=["unavailable", "unavailable"], target="writes")
    assert call(sandbox, write_request()).status_code == 503
    faults = sandbox.admin.set_faults(reset_counts=True)
    assert (faults["next"], faults["target"]) == (["unavailable"], "writes")
    assert (faults["injected"], faults["matched"], faults["seen"]) == (NO_FAULTS, 0, 0)
    assert call(sandbox, write_request()).status_code == 503
    assert injected(sandbox.admin.faults()) == {"unavailable": 1}


def test_target_and_seed_given_at_start_come_back_on_reset(tmp_path):
    with start_sandbox(tmp_path / "state", seed=5, fault_target="writes",
                       fault_probabilities={"unavailable": 0.5}) as server:
        handle = type("H", (), {"url": server.url})

        def statuses() -> list[int]:
            out = []
            for _ in range(10):
                out.append(call(handle, write_request()).status_code)
                assert call(handle, FINANCIAL_SETUP).status_code == 200  # reads are never faulted
            return out

        first = statuses()
        assert {200, 503} == set(first)
        server.admin.set_faults(probabilities={"rate_limit": 1.0}, seed=1, target="all")
        server.admin.reset()
        faults = server.admin.faults()
        assert (faults["seed"], faults["target"], faults["probabilities"]) == (5, "writes", {"unavailable": 0.5})
        assert (faults["matched"], faults["seen"]) == (0, 0)
        assert statuses() == first  # the start seed's sequence, from its beginning


def test_serve_refuses_an_unknown_fault_target(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "include.intacct_sandbox", "serve", "--port", "0",
                                "--state-dir", str(tmp_path / "state"), "--fault-target", "everything"],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "--fault-target: unknown target 'everything'" in completed.stderr


def test_admin_cli_aims_faults_and_shows_their_counts(sandbox):
    def cli(*args):
        completed = subprocess.run([sys.executable, "-m", "include.intacct_sandbox", "admin", "--url",
                                    sandbox.base_url, "faults", *args], cwd=ROOT, capture_output=True, text=True,
                                   timeout=60)
        return completed.returncode, completed.stdout, completed.stderr

    code, out, _ = cli("--target", "function:query", "--probability", "rate_limit=1", "--seed", "3")
    assert code == 0 and json.loads(out)["target"] == "function:query"
    assert call(sandbox, QUERY).status_code == 429
    assert call(sandbox, FINANCIAL_SETUP).status_code == 200
    code, out, _ = cli("--show")
    shown = json.loads(out)
    assert code == 0 and (shown["seed"], shown["matched"], shown["seen"]) == (3, 1, 2)
    assert shown["injected"]["rate_limit"] == 1
    code, out, _ = cli("--reset-counts")
    assert code == 0 and json.loads(out)["seen"] == 0
    code, _, err = cli("--target", "nope")
    assert code == 1 and "unknown target 'nope'" in err
    code, _, err = cli("--show", "--seed", "1")
    assert code != 0 and "--show only shows" in err
