"""docker-compose.yaml cannot be run here (no Docker engine), so its invariants are checked."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")


def test_the_image_runs_the_airflow_version_pinned_in_requirements():
    pinned = re.search(r"^apache-airflow==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert f"apache/airflow:{pinned}-python3.11" in (ROOT / "Dockerfile").read_text()


def test_every_airflow_component_shares_the_execution_api_url_and_jwt_secret():
    for name in AIRFLOW_SERVICES:
        env = COMPOSE["services"][name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/", name
        assert "AIRFLOW_JWT_SECRET" in env["AIRFLOW__API_AUTH__JWT_SECRET"], name


def test_the_project_is_importable_where_it_is_mounted():
    for name in AIRFLOW_SERVICES:
        service = COMPOSE["services"][name]
        assert ".:/opt/airflow/project" in service["volumes"], name
        assert service["environment"]["PYTHONPATH"] == "/opt/airflow/project", name


def test_components_wait_for_the_database_migration_and_the_intacct_pool():
    init = " ".join(COMPOSE["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in init and "pools set intacct_api" in init and "include.ledger upgrade" in init
    for name in AIRFLOW_SERVICES:
        assert COMPOSE["services"][name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_no_secret_is_written_in_the_compose_file():
    env = COMPOSE["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW_CONN_INTACCT_DEFAULT"] == "${INTACCT_CONN:-}"
    assert env["AIRFLOW__CORE__FERNET_KEY"].startswith("${")


def test_backfill_dates_are_read_in_the_schedules_timezone():
    env = COMPOSE["services"]["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == env["INTEGRATION_SCHEDULE_TIMEZONE"]
