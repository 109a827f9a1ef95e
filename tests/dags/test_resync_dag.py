"""The intacct_resync DAG under dag.test() against the sandbox: Synchronize, Force synchronize,
refusal of pending objects, dry run."""

import json
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest

from include.ledger import Ledger
from tests.fixtures.airflow import intacct_connection_env
from tests.integration.pipeline.conftest import master_data_db, night  # noqa: F401 (fixtures)

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "intacct_resync"
_RUNS = count(1)  # dag.test() run ids come from run_after: one distinct minute per run of the session


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS / "intacct_resync.py"))


@pytest.fixture
def dag(dagbag, night, monkeypatch):  # noqa: F811 (the night fixture)
    for name, value in {**night.env, **intacct_connection_env(night.sandbox.config_kwargs),
                        "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0"}.items():
        monkeypatch.setenv(name, value)
    return dagbag.get_dag(DAG_ID)


def _resync(dag, night, **conf):  # noqa: F811
    _, end = night.night_interval()
    # Every param given: dag.test() keeps the previous run's conf in the DAG object's params.
    conf = {"keys": [], "statuses": [], "error_class": None, "dry_run": False, **conf}
    run = dag.test(run_after=end + timedelta(minutes=30 + next(_RUNS)), run_conf=conf)
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    reports = sorted(night.settings.reports_dir.glob("resync_*.json"), key=lambda p: p.stat().st_mtime)
    report = json.loads(reports[-1].read_text()) if reports else None
    return run, states, report


def _by_key(report) -> dict[str, dict]:
    return {o["key"]: o for o in report["objects"]}


def _documents(night, doc_type="ar_invoice", count=2) -> list[str]:  # noqa: F811
    from include.erp.source import open_source

    night.generate(lines=30, seed=21)
    source = open_source(night.settings.erp_source)
    try:
        keys = sorted(d.key for page in source.iter_documents(doc_type) for d in page)
    finally:
        source.close()
    assert len(keys) >= count
    return keys[:count]


def test_dag_has_typed_params_for_the_integration_page_actions(dagbag):
    assert dagbag.import_errors == {}
    dag = dagbag.get_dag(DAG_ID)
    assert set(dag.params) == {"object_type", "action", "keys", "statuses", "error_class", "dry_run"}
    assert dag.params.get_param("action").schema["enum"] == ["synchronize", "force_synchronize"]
    assert dag.schedule is None and dag.get_task("synchronize").pool


def test_synchronize_posts_exactly_the_chosen_not_integrated_documents(dag, night):  # noqa: F811
    chosen = _documents(night)

    run, states, report = _resync(dag, night, object_type="ar_invoice", action="synchronize", keys=chosen)

    assert run.state == "success", states
    assert [o["result"] for o in report["objects"]] == ["posted", "posted"]
    posted = night.sandbox.admin.posted("ARINVOICE")
    assert sorted(r["RECORDID"] for r in posted) == chosen
    ledger = Ledger(night.settings.integration_db_url)
    assert {r.key for r in ledger.find(category="finance", status="success")} == set(chosen)

    again, states, report = _resync(dag, night, object_type="ar_invoice", action="synchronize", keys=chosen)

    assert again.state == "failed" and states["synchronize"] == "failed"  # nothing to do: said, not redone
    assert {o["message"] for o in report["objects"]} == {"success: already synchronized; nothing changed since"}
    assert len(night.sandbox.admin.posted("ARINVOICE")) == 2


def test_force_synchronize_posts_documents_in_error_once_the_cause_is_fixed(dag, night):  # noqa: F811
    chosen = _documents(night)
    closed = night.sandbox.admin.closed_books()
    night.sandbox.admin.close_books(through=night.as_of)  # Intacct refuses every posting date up to today
    night.run()
    ledger = Ledger(night.settings.integration_db_url)
    assert {ledger.get("ar_invoice", k).error_class for k in chosen} == {"closed_period"}

    refused_run, _, report = _resync(dag, night, object_type="ar_invoice", action="synchronize", keys=chosen)
    assert refused_run.state == "failed"  # objects in error need Force synchronize

    night.sandbox.admin.reopen(to=min(closed.values()))
    run, states, report = _resync(dag, night, object_type="ar_invoice", action="force_synchronize",
                                  statuses=["error"], error_class="closed_period")

    assert run.state == "success", states
    results = _by_key(report)
    assert {results[k]["result"] for k in chosen} == {"posted"} and results[chosen[0]]["before"] == "error"
    assert sorted(r["RECORDID"] for r in night.sandbox.admin.posted("ARINVOICE")) == sorted(
        r.key for r in ledger.find(object_type="ar_invoice", status="success"))
    assert all(ledger.get("ar_invoice", k).status == "success" for k in chosen)


def test_pending_documents_are_refused_by_name_and_the_others_are_synchronized(dag, night):  # noqa: F811
    busy, free = _documents(night)
    ledger = Ledger(night.settings.integration_db_url)
    ledger.migrate()
    ledger.observe("ar_invoice", busy, "v-elsewhere", category="finance")
    ledger.claim("ar_invoice", [busy], run_id="scheduled__elsewhere", worker="night-worker")

    run, states, report = _resync(dag, night, object_type="ar_invoice", action="synchronize", keys=[busy, free])

    assert run.state == "failed" and states["synchronize"] == "failed"
    results = _by_key(report)
    assert results[busy]["result"] == "refused" and "pending: already synchronizing" in results[busy]["message"]
    assert "night-worker" in results[busy]["message"]
    assert results[free]["result"] == "posted"
    assert [r["RECORDID"] for r in night.sandbox.admin.posted("ARINVOICE")] == [free]

    only_busy, states, _ = _resync(dag, night, object_type="ar_invoice", action="force_synchronize", keys=[busy])
    assert only_busy.state == "failed" and states["select"] == "failed"


def test_dry_run_reports_what_would_happen_and_changes_nothing(dag, night):  # noqa: F811
    chosen = _documents(night)
    missing = "INV-NOT-IN-ERP"

    run, states, report = _resync(dag, night, object_type="ar_invoice", action="synchronize",
                                  keys=[*chosen, missing], dry_run=True)

    assert run.state == "success", states
    results = _by_key(report)
    assert [results[k]["result"] for k in chosen] == ["would synchronize", "would synchronize"]
    assert results[missing]["result"] == "not in the ERP"
    assert night.sandbox.admin.posted() == []
    assert Ledger(night.settings.integration_db_url).count(category="finance") == 0


def test_synchronize_pushes_a_chosen_erp_customer(dag, night):  # noqa: F811
    night.generate(lines=10, seed=21)
    from include.erp.source import open_source

    source = open_source(night.settings.erp_source)
    customer = next(iter(source.iter_masters("customer", chunk_size=1)))[0].key
    source.close()

    run, states, report = _resync(dag, night, object_type="customer", action="synchronize", keys=[customer])

    assert run.state == "success", states
    assert _by_key(report)[customer]["result"] == "posted"
    assert Ledger(night.settings.integration_db_url).get("customer", customer).status == "success"
