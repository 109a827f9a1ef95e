"""The intacct_master_data DAG: integrity, and dag.test() runs against the sandbox."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from include.intacct import IntacctClient, IntacctConfig
from include.intacct.query_filter import Filter
from include.ledger import Ledger
from include.masterdata.streams import ALL_STREAM_NAMES
from include.reference_store import ReferenceStore
from tests.fixtures.airflow import intacct_connection_env

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "intacct_master_data"
SMALL = ["GLACCOUNT", "DEPARTMENT", "CUSTOMER", "CLOSEDBOOKS"]


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS / "intacct_master_data.py"))


@pytest.fixture(scope="module")
def erp_dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("erp")
    subprocess.run([sys.executable, "-m", "include.erp.generate", "--out", str(folder / "erp.db"), "--lines", "60",
                    "--seed", "5", "--manifest", str(folder / "manifest.json")], check=True, capture_output=True)
    return f"sqlite:///{folder / 'erp.db'}"


@pytest.fixture
def master_data_dag(dagbag, airflow_db, sandbox, erp_dataset, tmp_path, monkeypatch):
    db_url = f"sqlite:///{tmp_path / 'integration.db'}"
    monkeypatch.setenv("INTEGRATION_DB_URL", db_url)
    monkeypatch.setenv("INTEGRATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ERP_SOURCE_URL", erp_dataset)
    monkeypatch.setenv("INTEGRATION_MASTER_DATA_LOOKBACK_MINUTES", "0")
    for name, value in intacct_connection_env(sandbox.config_kwargs).items():
        monkeypatch.setenv(name, value)
    dag = dagbag.get_dag(DAG_ID)
    for task in dag.tasks:
        task.retries = 0  # dag.test() would wait out the retry delays
    dag.db_url = db_url
    return dag


def _run(dag, **conf):
    run = dag.test(run_conf=conf)
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    return run, states


def _report(run):
    ti = next(t for t in run.get_task_instances() if t.task_id == "report")
    return ti.xcom_pull(task_ids="report")


def test_dag_is_thin_nightly_retried_with_backoff_pooled_and_publishes_the_master_data_asset(dagbag):
    assert dagbag.import_errors == {}
    dag = dagbag.get_dag(DAG_ID)
    assert dag.tags and not dag.catchup and dag.max_active_runs == 1
    assert dag.timetable.expression == "0 23 * * *" and str(dag.timetable.timezone) == "America/New_York"
    assert set(dag.params.keys()) == {"objects", "full_refresh", "push_erp_masters"}
    assert dag.params.get_param("objects").value == list(ALL_STREAM_NAMES)
    calling = [t for t in dag.tasks if t.task_id in ("extract", "push_erp_masters")]
    assert {t.pool for t in calling} == {"intacct_api"}
    for task in calling:
        assert task.retries >= 2 and task.retry_exponential_backoff == 2.0 and task.max_retry_delay
    publish = dag.get_task("publish_when_fresh")
    assert [(o.name, o.uri.rstrip("/")) for o in publish.outlets] == [("intacct_master_data", "intacct://master-data")]
    source = (DAGS / "intacct_master_data.py").read_text()
    assert "great_expectations" not in source.split("def intacct_master_data")[0]


def test_full_load_then_incremental_run_reads_exactly_the_changed_records_and_marks_inactive(
        master_data_dag, sandbox):
    first, states = _run(master_data_dag, objects=SMALL, push_erp_masters=False)
    assert first.state == "success", states
    assert states[("publish_when_fresh", -1)] == "skipped"  # the other objects were never read: not fresh
    report = _report(first)
    assert report["streams"]["CUSTOMER"]["records_read"] == 120 and report["failed"] == []
    assert all(row["api_calls"] <= row["call_budget"] for row in report["streams"].values()), report

    sandbox.admin.advance_clock(2)
    sandbox.admin.update_record("CUSTOMER", "C-1005", {"NAME": "Evergreen Supply West"})
    sandbox.admin.deactivate("DEPARTMENT", "OPS")
    second, states = _run(master_data_dag, objects=SMALL, push_erp_masters=False)
    assert second.state == "success", states
    streams = _report(second)["streams"]
    assert {n: streams[n]["records_read"] for n in ("GLACCOUNT", "DEPARTMENT", "CUSTOMER")} == {
        "GLACCOUNT": 0, "DEPARTMENT": 1, "CUSTOMER": 1}
    assert all(streams[n]["api_calls"] == 1 for n in ("GLACCOUNT", "DEPARTMENT", "CUSTOMER"))
    store = ReferenceStore(master_data_dag.db_url)
    assert store.statuses("DEPARTMENT")["OPS"] == "inactive"
    assert {r.key: r.data["NAME"] for r in store.records("CUSTOMER")}["C-1005"] == "Evergreen Supply West"
    store.close()


def test_unpermitted_udd_fails_only_itself_and_becomes_available_after_the_grant(master_data_dag, sandbox):
    run, states = _run(master_data_dag, objects=["DIMENSIONS", "DEPARTMENT"], push_erp_masters=False)
    assert run.state == "success", states
    report = _report(run)
    assert set(report["unavailable"]) == {"CHANNEL"} and report["streams"]["DEPARTMENT"]["records_read"] == 7
    assert report["streams"]["UDD:REGION"]["records_read"] == 5
    assert all(row["api_calls"] <= row["call_budget"] for row in report["streams"].values()), report
    ledger = Ledger(master_data_dag.db_url)
    row = ledger.get("dimension", "CHANNEL")
    assert (row.status, row.error_class) == ("error", "dimension_unavailable")
    assert "Grant the integration user" in row.last_message

    sandbox.admin.grant_udd("CHANNEL")
    run, states = _run(master_data_dag, objects=["DIMENSIONS"], push_erp_masters=False)
    assert run.state == "success", states
    assert _report(run)["unavailable"] == {}
    assert ledger.get("dimension", "CHANNEL").status == "success"
    ledger.close()


def test_erp_masters_are_pushed_once_even_when_the_dag_runs_twice(master_data_dag, sandbox):
    objects = ["CUSTOMER", "VENDOR", "ITEM"]
    first, states = _run(master_data_dag, objects=objects, push_erp_masters=True)
    assert first.state == "success", states
    pushed = {t: first.get_task_instance("push_erp_masters", map_index=i).xcom_pull(
        task_ids="push_erp_masters", map_indexes=i) for i, t in enumerate(("customer", "vendor", "item"))}
    assert all(p["created"] > 0 and not p["failed"] for p in pushed.values()), pushed
    counters = sandbox.admin.counters("DEMO")["DEMO"]

    second, states = _run(master_data_dag, objects=objects, push_erp_masters=True)
    assert second.state == "success", states
    again = [second.get_task_instance("push_erp_masters", map_index=i).xcom_pull(
        task_ids="push_erp_masters", map_indexes=i) for i in range(3)]
    assert [p["created"] + p["updated"] + p["linked"] for p in again] == [0, 0, 0]
    writes_after = sandbox.admin.counters("DEMO")["DEMO"]["api_transactions"] - counters["api_transactions"]
    assert writes_after == 3  # the second run only read CUSTOMER, VENDOR and ITEM once each

    ledger = Ledger(master_data_dag.db_url)
    client = IntacctClient(IntacctConfig(**sandbox.config_kwargs))
    for object_type, obj, key_field in (("customer", "CUSTOMER", "CUSTOMERID"), ("vendor", "VENDOR", "VENDORID"),
                                        ("item", "ITEM", "ITEMID")):
        rows = ledger.find(object_type=object_type)
        assert rows and {r.status for r in rows} == {"success"}
        keys = [r.key for r in rows]
        found = []
        for start in range(0, len(keys), 500):
            found += client.query(obj, [key_field], filter=Filter.in_(key_field, keys[start:start + 500]),
                                  page_size=2000).records
        assert sorted(r[key_field] for r in found) == sorted(keys)  # each exactly once in Intacct
    client.close()
    ledger.close()
    assert json.dumps(pushed)  # results are JSON for XCom


def test_a_failed_push_does_not_stop_the_reads_and_the_run_fails_naming_it(master_data_dag, tmp_path, monkeypatch):
    monkeypatch.setenv("ERP_SOURCE_URL", f"sqlite:///{tmp_path / 'no-erp-here.db'}")
    run, states = _run(master_data_dag, objects=["CUSTOMER", "DEPARTMENT"], push_erp_masters=True)
    assert states[("push_erp_masters", 0)] == "failed"
    assert states[("extract", 0)] == states[("extract", 1)] == "success"
    assert states[("report", -1)] == "failed" and run.state == "failed"
    store = ReferenceStore(master_data_dag.db_url)
    assert store.state("CUSTOMER").records_read == 120
    store.close()
