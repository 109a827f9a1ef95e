"""The intacct_post_transactions DAG: integrity, and dag.test() nights against the sandbox."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from include.ledger import Ledger
from tests.fixtures.airflow import intacct_connection_env
from tests.integration.pipeline.conftest import master_data_db, night  # noqa: F401 (fixtures)
from tests.integration.pipeline.night import assigned_error_classes

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "intacct_post_transactions"


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS / "intacct_post_transactions.py"))


@pytest.fixture
def dag(dagbag, night, monkeypatch):  # noqa: F811 (the night fixture)
    for name, value in {**night.env, **intacct_connection_env(night.sandbox.config_kwargs),
                        "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0"}.items():
        monkeypatch.setenv(name, value)
    dag = dagbag.get_dag(DAG_ID)
    for task in dag.tasks:
        task.retries = 0  # dag.test() would wait out the retry delays
    return dag


def _test(dag, night, offset_minutes: int, **conf):  # noqa: F811
    """A manual run triggered just after the night ``night.as_of`` (distinct per call)."""
    _, end = night.night_interval()
    run = dag.test(run_after=end + timedelta(minutes=offset_minutes), run_conf=conf or None)
    states = {}
    for ti in run.get_task_instances():
        states.setdefault(ti.task_id, set()).add(ti.state)
    return run, {task: sorted(s) if len(s) > 1 else s.pop() for task, s in states.items()}


def _report(of_night):
    reports = sorted(of_night.settings.reports_dir.glob("reconciliation_*.json"))
    return json.loads(reports[-1].read_text())


def test_dag_is_nightly_with_data_intervals_one_run_at_a_time_and_retries(dagbag):
    from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable

    assert dagbag.import_errors == {}
    dag = dagbag.get_dag(DAG_ID)
    # Nightly with data intervals (backfills), and right after fresh master data (the asset).
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    assert isinstance(dag.timetable.timetable, CronDataIntervalTimetable)
    assert dag.timetable.asset_condition.uri.rstrip("/") == "intacct://master-data"
    assert dag.max_active_runs == 1 and dag.tags
    assert set(dag.params) == {"doc_types", "dry_run", "keys", "posting_date_from", "posting_date_to"}
    load = dag.get_task("load")
    assert load.pool and load.pool_slots >= 1 and load.retry_exponential_backoff == 2.0
    assert dag.get_task("join").trigger_rule == "none_failed_min_one_success"
    assert all(t.retries >= 2 for t in dag.tasks if t.task_id != "reconcile")
    dag.check_cycle()


def test_clean_night_under_dag_test_posts_everything_and_skips_every_remediation(dag, night):  # noqa: F811
    manifest = night.generate(lines=120)
    run, states = _test(dag, night, 1)

    assert run.state == "success", states
    assert states["reconcile"] == "success" and states["join"] == "success"
    assert {states[t] for t in states if t.startswith("remediate_")} == {"skipped"}
    total = sum(manifest["documents_total"].values())
    assert len(night.sandbox.admin.posted()) == total
    report = _report(night)
    assert report["ok"] and report["api_cost"]["http_requests"] > 0


def test_defect_night_under_dag_test_matches_the_manifest_and_a_rerun_posts_nothing(dag, night):  # noqa: F811
    manifest = night.generate(lines=300, seed=9, defect_rate=0.35)
    run, states = _test(dag, night, 2)

    assert run.state == "success", states
    expected = {d["key"]: d["expected_error_class"] for d in manifest["documents"]}
    ledger = Ledger(night.settings.integration_db_url)
    assert assigned_error_classes(ledger, manifest["documents"]) == expected
    for error_class in set(expected.values()):
        assert states[f"remediate_{error_class}"] == "success"
    posted = night.sandbox.admin.posted()
    counters = night.sandbox.admin.counters()["DEMO"]

    again, states = _test(dag, night, 3, posting_date_from="2020-01-01", posting_date_to=night.as_of.isoformat())

    assert again.state == "success", states
    assert night.sandbox.admin.posted() == posted
    assert _report(night)["load"] and all(item["sent"] == 0 for item in _report(night)["load"])
    reads = night.sandbox.admin.counters()["DEMO"]["api_transactions"] - counters["api_transactions"]
    assert reads == _report(night)["api_cost"]["api_transactions"]  # the re-run only read


def test_dry_run_under_dag_test_posts_nothing(dag, night):  # noqa: F811
    night.generate(lines=100, seed=4, defect_rate=0.3)
    run, states = _test(dag, night, 4, dry_run=True)

    assert run.state == "success", states
    assert night.sandbox.admin.posted() == []
    assert Ledger(night.settings.integration_db_url).count(category="finance") == 0
    assert _report(night)["plan"]["dry_run"] is True
