"""A reopened period under a real scheduler (LocalExecutor, SQLite): close the books, the nightly
run holds the documents, reopen, the backfill command refuses while the DAG is paused and, told
to unpause it, posts each held document once; a second backfill posts nothing."""

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from include.airflow_api import AirflowApi
from include.backfill import DagPaused, backfill_cli_args, backfill_period
from include.devtools.airflow_local import LocalAirflow
from include.intacct import IntacctConfig
from include.ledger import Ledger
from include.masterdata import run as masterdata
from include.masterdata.streams import CLOSED_BOOKS_STREAM
from tests.fixtures.airflow import STARTS_AIRFLOW_PROCESSES, intacct_connection_env

DAG_ID = "intacct_post_transactions"
DATE_COLUMNS = {"ar_invoices": ("invoice_no", "invoice_date"), "ap_bills": ("bill_no", "bill_date"),
                "journal_entries": ("je_no", "entry_date")}


def _date_documents_on(erp_path, days: list[date]) -> int:
    """Move every ERP document onto ``days`` (in turn), due and reversal dates moving with it."""
    moved = 0
    with sqlite3.connect(erp_path) as erp:
        for table, (key, column) in DATE_COLUMNS.items():
            columns = {row[1] for row in erp.execute(f"PRAGMA table_info({table})")}
            shifted = [c for c in ("due_date", "reverse_date") if c in columns]
            for key_value, posted, *others in erp.execute(f"SELECT {key}, {column}, {', '.join([column, *shifted])} "
                                                          f"FROM {table} ORDER BY {key}").fetchall():
                day = days[moved % len(days)]
                delta = day - date.fromisoformat(posted)
                values = {column: day.isoformat(),
                          "updated_at": datetime.combine(day, time(12), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
                for name, value in zip(shifted, others[1:], strict=True):
                    if value:
                        values[name] = (date.fromisoformat(value) + delta).isoformat()
                erp.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {key} = ?",
                            [*values.values(), key_value])
                moved += 1
    return moved


def _sync_closed_books_date(night, run_id: str) -> dict:
    return masterdata.extract(CLOSED_BOOKS_STREAM, run_id=run_id, settings=night.settings, client=night.client())


@pytest.mark.slow
@STARTS_AIRFLOW_PROCESSES
def test_held_documents_of_a_reopened_period_post_once_with_one_backfill_and_a_second_posts_nothing(
        night, tmp_path):
    zone = ZoneInfo(night.settings.schedule_timezone)
    today = datetime.now(zone).date()
    last = today - timedelta(days=3 if (today - timedelta(days=3)).day > 1 else 4)
    days = [last - timedelta(days=1), last]  # the backfill's dates: one month, clear of the nightly run's day
    night.as_of = today - timedelta(days=2)
    night.generate(lines=10, seed=5, defect_rate=0.0)
    documents = _date_documents_on(night.erp_path, days)
    night.sandbox.admin.close_books(through=days[-1])
    assert _sync_closed_books_date(night, "md-close")["reopening"]["released"] == {}
    env = {**night.env, **intacct_connection_env(night.sandbox.config_kwargs),
           "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0",
           "AIRFLOW__CORE__DEFAULT_TIMEZONE": night.settings.schedule_timezone}
    ledger = Ledger(night.settings.integration_db_url)
    with LocalAirflow(tmp_path / "airflow", env=env) as airflow:
        airflow.ensure_intacct_pool(IntacctConfig(**night.sandbox.config_kwargs), night.settings.intacct_pool)
        airflow.wait_for_dag(DAG_ID)
        airflow.unpause(DAG_ID)  # the nightly run of yesterday: every document, all in the closed period
        runs = airflow.wait_for_runs_finished(DAG_ID, expected=1, run_type="scheduled", timeout=300)
        assert [r["state"] for r in runs] == ["success"], airflow.task_states(DAG_ID, runs[0]["dag_run_id"])
        held = ledger.find(category="finance", hold="closed_period")
        assert len(held) == documents and night.sandbox.admin.posted() == []
        assert {r.held_for_period for r in held} == {f"{d:%Y-%m}" for d in days}

        # Accounting reopens the period; the next closed-books sync releases what it held.
        night.sandbox.admin.reopen(to=days[0] - timedelta(days=1))
        reopening = _sync_closed_books_date(night, "md-reopen")["reopening"]
        assert sum(reopening["released"].values()) == documents
        assert reopening["started"].startswith("skipped")  # no airflow_api connection: the command is logged
        planned = AirflowApi(airflow.url).create_backfill(DAG_ID, days[0], days[-1], timezone=str(zone),
                                                          dry_run=True)
        assert planned["total_entries"] == len(days)  # the REST route plans one run per day, as the CLI does

        # The wrapper refuses a paused DAG (its backfill runs would wait unseen), then unpauses when told to.
        airflow.cli("dags", "pause", DAG_ID)
        wrapper = {"settings": night.settings, "ledger": ledger, "runner": lambda args: airflow.cli(*args, check=False),
                   "now": datetime.combine(days[-1] + timedelta(days=1), time(9), zone)}
        with pytest.raises(DagPaused, match=f"{DAG_ID} is paused, so its backfill runs would wait"):
            backfill_period(f"{days[0]:%Y-%m}", client=night.client(), use_api=True,
                            api_factory=lambda: AirflowApi(airflow.url), **wrapper)
        outcome = backfill_period(f"{days[0]:%Y-%m}", client=night.client(), unpause=True, **wrapper)
        assert (outcome.unpaused, outcome.started, outcome.waiting) == (True, "cli", documents)
        assert (outcome.from_date, outcome.to_date) == (days[0], days[-1])
        runs = airflow.wait_for_runs_finished(DAG_ID, expected=len(days), run_type="backfill", timeout=300)
        assert [r["state"] for r in runs] == ["success"] * len(days), [
            airflow.task_states(DAG_ID, r["dag_run_id"]) for r in runs]
        posted = night.sandbox.admin.posted()
        keys = [r.get("RECORDID") or r.get("REFERENCENO") or r.get("RECORDNO") for r in posted]
        assert len(posted) == documents and len(set(keys)) == documents
        assert ledger.count(category="finance", status="success") == documents

        # A second backfill (Airflow clears and re-runs the completed run of the day) posts nothing.
        airflow._wait(lambda: all(b["completed_at"] for b in airflow.api("GET", "/api/v2/backfills", params={
            "dag_id": DAG_ID})["backfills"]), 120, "the first backfill to complete", interval=2)
        first_ends = {r["dag_run_id"]: r["end_date"] for r in runs}
        airflow.cli(*backfill_cli_args(days[-1], days[-1], reprocess_behavior="completed"))
        runs = airflow._wait(lambda: (done := airflow.wait_for_runs_finished(DAG_ID, expected=len(days),
                                                                             run_type="backfill"))
                             and sum(r["end_date"] != first_ends.get(r["dag_run_id"]) for r in done) == 1 and done,
                             300, "the second backfill's run to finish", interval=2)
        assert {r["state"] for r in runs} == {"success"}
        assert night.sandbox.admin.posted() == posted
