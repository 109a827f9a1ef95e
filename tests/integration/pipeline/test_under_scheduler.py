"""The transactions DAG under a real scheduler (LocalExecutor, SQLite): a scheduled night and a backfill.

dag.test() runs tasks in-process and would not notice a task touching Airflow's
metadata database or a value that does not survive XCom's JSON; this does.
"""

from datetime import timedelta

import pytest

from include.devtools.airflow_local import LocalAirflow
from include.intacct import IntacctConfig
from include.ledger import Ledger
from include.settings import DOC_TYPES
from tests.fixtures.airflow import STARTS_AIRFLOW_PROCESSES, intacct_connection_env
from tests.integration.pipeline.night import assigned_error_classes

DAG_ID = "intacct_post_transactions"


@pytest.mark.slow
@STARTS_AIRFLOW_PROCESSES
def test_triggered_run_and_backfill_succeed_under_the_local_executor(night, tmp_path, smtp_sink):
    # Two days back: the scheduler's first run covers that night, whose data interval is complete.
    night.as_of -= timedelta(days=2)
    manifest = night.generate(lines=60, seed=13, defect_rate=0.2)
    env = {**night.env, **intacct_connection_env(night.sandbox.config_kwargs),
           "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0",
           # backfill --from-date/--to-date are read in Airflow's default timezone: the schedule's, so a
           # date means that local day (see docs/pipeline/transactions.md)
           "AIRFLOW__CORE__DEFAULT_TIMEZONE": night.settings.schedule_timezone,
           # The night leaves defective documents for a person: the DAG's notifier mails once.
           **smtp_sink.connection_env(), "INTEGRATION_ALERT_EMAIL_TO": "finance@example.test"}
    with LocalAirflow(tmp_path / "airflow", env=env) as airflow:
        airflow.ensure_intacct_pool(IntacctConfig(**night.sandbox.config_kwargs), night.settings.intacct_pool)
        airflow.wait_for_dag(DAG_ID)
        airflow.unpause(DAG_ID)  # the scheduler starts the latest complete night: the one of night.as_of
        runs = airflow.wait_for_runs_finished(DAG_ID, expected=1, run_type="scheduled", timeout=400)
        assert [r["state"] for r in runs] == ["success"], [airflow.task_states(DAG_ID, r["dag_run_id"])
                                                           for r in runs]

        scheduled_run = runs[0]["dag_run_id"]
        # Mapped tasks carry their document type and partition in the UI, and log their progress.
        labels = airflow.map_labels(DAG_ID, scheduled_run, "extract_validate")
        assert labels == list(DOC_TYPES), labels
        assert airflow.map_labels(DAG_ID, scheduled_run, "load") == ["partition 1"]
        extract_log = airflow.task_log(DAG_ID, scheduled_run, "extract_validate", map_index=0)
        assert f"{labels[0]} extract + validate: " in extract_log and " of " in extract_log
        assert "load (partition 1 of 1" in airflow.task_log(DAG_ID, scheduled_run, "load", map_index=0)
        airflow._wait(lambda: any(scheduled_run in (m["Subject"] or "") for m in smtp_sink.messages), 120,
                      "the alert of the night, sent by the DAG's success callback")
        [subject] = [m["Subject"] for m in smtp_sink.messages if scheduled_run in m["Subject"]]
        assert subject.startswith(f"[Intacct integration] {DAG_ID} run {scheduled_run}: ")
        assert subject.endswith("item(s) need a person")

        ledger = Ledger(night.settings.integration_db_url)
        expected = {d["key"]: d["expected_error_class"] for d in manifest["documents"]}
        assert assigned_error_classes(ledger, manifest["documents"]) == expected
        posted = night.sandbox.admin.posted()
        assert len(posted) == ledger.count(category="finance", status="success") > 0

        # A backfill of the day before: its documents are posted already, nothing is posted twice.
        day = (night.as_of - timedelta(days=1)).isoformat()
        airflow.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", day, "--to-date", day)
        runs = airflow.wait_for_runs_finished(DAG_ID, expected=1, run_type="backfill", timeout=400)
        assert [r["state"] for r in runs] == ["success"], [airflow.task_states(DAG_ID, r["dag_run_id"])
                                                           for r in runs]
        assert night.sandbox.admin.posted() == posted
    reports = sorted(night.settings.reports_dir.glob("reconciliation_*.md"))
    assert len(reports) == 2 and any("backfill" in p.name for p in reports)
