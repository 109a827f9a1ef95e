"""Reopen detection on a real ledger (SQLite): the close date moves back, the held documents are released."""

from datetime import UTC, date, datetime

import pytest

from include.airflow_api import AirflowApiNotConfigured
from include.backfill.run import handle_reopening
from include.ledger import Ledger, Outcome
from include.settings import load_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def ledger(sqlite_url):
    ledger = Ledger(sqlite_url)
    ledger.migrate()
    yield ledger
    ledger.close()


def _hold(ledger, key: str, posting_date: date) -> None:
    ledger.observe("ar_invoice", key, "v1", posting_date=posting_date)
    ledger.claim("ar_invoice", [key], run_id="night-1", worker="test")
    ledger.record_outcomes([Outcome.error("ar_invoice", key, error_class="closed_period",
                                          message="Periods are closed", hold="closed_period",
                                          held_for_period=f"{posting_date:%Y-%m}")], run_id="night-1")


def _not_configured():
    raise AirflowApiNotConfigured("Airflow connection 'airflow_api' is not configured")


def test_close_date_moved_back_releases_the_reopened_periods_holds_and_names_the_backfill(ledger, caplog):
    _hold(ledger, "SEP-1", date(2026, 9, 3))
    _hold(ledger, "SEP-2", date(2026, 9, 28))
    _hold(ledger, "AUG-1", date(2026, 8, 30))  # August stays closed

    result = handle_reopening(date(2026, 9, 30), date(2026, 8, 31), ledger=ledger, run_id="md-2",
                              settings=load_settings({}), api_factory=_not_configured, now=NOW)

    assert result["released"] == {"2026-09": 2}
    assert [r.key for r in ledger.find(released=True, held_for_period="2026-09")] == ["SEP-1", "SEP-2"]
    assert ledger.get("ar_invoice", "AUG-1").hold == "closed_period"
    assert (result["from_date"], result["to_date"], result["waiting"]) == ("2026-09-01", "2026-09-30", 2)
    assert result["command"] == ("airflow backfill create --dag-id intacct_post_transactions "
                                 "--from-date 2026-09-01 --to-date 2026-09-30")
    assert result["started"].startswith("skipped: Airflow connection 'airflow_api' is not configured")
    assert "run: airflow backfill create" in caplog.text
    released = [e for e in ledger.events("ar_invoice", "SEP-1") if e.kind == "hold_released"]
    assert released and "Intacct reopened 2026-09" in released[0].reason


def test_close_date_unchanged_releases_nothing_and_starts_nothing(ledger):
    _hold(ledger, "SEP-1", date(2026, 9, 3))

    result = handle_reopening(date(2026, 9, 30), date(2026, 9, 30), ledger=ledger, run_id="md-2",
                              settings=load_settings({}), api_factory=_not_configured, now=NOW)

    assert result["released"] == {} and result["started"] == "not needed"
    assert ledger.get("ar_invoice", "SEP-1").hold == "closed_period"


def test_reopened_dates_end_at_the_last_complete_day(ledger):
    _hold(ledger, "NOV-1", date(2026, 11, 2))

    result = handle_reopening(date(2026, 11, 30), date(2026, 10, 31), ledger=ledger, run_id="md-2",
                              settings=load_settings({"INTEGRATION_SCHEDULE_TIMEZONE": "UTC"}),
                              api_factory=_not_configured, now=NOW)

    assert result["released"] == {"2026-11": 1}
    assert (result["from_date"], result["to_date"]) == ("2026-11-01", "2026-11-21")
