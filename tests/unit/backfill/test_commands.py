from datetime import UTC, date, datetime

from include.airflow_api import AirflowApi, base_url_of
from include.backfill.run import backfill_cli_args, last_complete_day


def test_backfill_command_is_the_documented_airflow_command():
    assert backfill_cli_args(date(2026, 9, 1), date(2026, 9, 30)) == [
        "backfill", "create", "--dag-id", "intacct_post_transactions", "--from-date", "2026-09-01",
        "--to-date", "2026-09-30"]
    assert backfill_cli_args(date(2026, 9, 1), date(2026, 9, 2), reprocess_behavior="completed")[-2:] == [
        "--reprocess-behavior", "completed"]


def test_last_complete_day_is_yesterday_in_the_schedule_timezone():
    # 02:00 UTC on Oct 2 is still Oct 1 in New York: the last complete day there is Sep 30.
    assert last_complete_day("America/New_York", datetime(2026, 10, 2, 2, 0, tzinfo=UTC)) == date(2026, 9, 30)
    assert last_complete_day("UTC", datetime(2026, 10, 2, 2, 0, tzinfo=UTC)) == date(2026, 10, 1)


def test_api_base_url_is_built_from_the_connection_fields():
    assert base_url_of("http://airflow:8080/", None, None) == "http://airflow:8080"
    assert base_url_of("https://airflow.example.com", None, 8443) == "https://airflow.example.com:8443"
    assert base_url_of("airflow-apiserver", "http", 8080) == "http://airflow-apiserver:8080"


def test_api_password_never_shows_in_repr():
    api = AirflowApi("http://127.0.0.1:8080", username="admin", password="s3cret-pass")
    assert "s3cret-pass" not in repr(api) and "admin" in repr(api)
