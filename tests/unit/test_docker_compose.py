"""docker-compose.yaml cannot run here (no Docker engine): the compose CLI validates it, and its
invariants are checked: the official 3.x shape, CeleryExecutor on Redis, an init that runs as root,
required secrets, nothing secret written in the file."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker")
REQUIRED = {"AIRFLOW_FERNET_KEY": "fernet", "AIRFLOW_JWT_SECRET": "jwt", "AIRFLOW_ADMIN_PASSWORD": "admin-pw",
            "INTACCT_CONN": '{"conn_type": "intacct"}'}


def _compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    cli = shutil.which("docker-compose")
    if cli is None:  # `make test` installs it (Debian's docker-compose): fail loudly when it is not there
        pytest.fail("the compose CLI (docker-compose) is not installed; `make test-tools` installs it")
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    return subprocess.run([cli, "-f", str(ROOT / "docker-compose.yaml"), *args], env={**clean, **env},
                          capture_output=True, text=True, cwd=ROOT, check=False)


def test_the_compose_cli_accepts_the_file_with_and_without_the_sandbox_profile():
    for profile in ([], ["--profile", "sandbox"]):
        result = _compose(*profile, "config", "-q", env=REQUIRED)
        assert result.returncode == 0, result.stderr
    services = _compose("--profile", "sandbox", "config", "--services", env=REQUIRED).stdout.split()
    assert {"postgres", "redis", "airflow-init", "intacct-sandbox", *AIRFLOW_SERVICES} == set(services)


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_a_missing_secret_stops_compose_naming_it(missing):
    result = _compose("config", "-q", env={k: v for k, v in REQUIRED.items() if k != missing})
    assert result.returncode != 0 and f"set {missing}" in result.stderr


def test_the_image_runs_the_airflow_version_pinned_in_requirements_and_registers_the_connection_type():
    pinned = re.search(r"^apache-airflow==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"apache/airflow:{pinned}-python3.11" in dockerfile
    assert "--no-deps --no-build-isolation /opt/project" in dockerfile  # the provider entry point


def test_celery_on_redis_with_a_psycopg2_result_backend_and_scalable_workers():
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://") and "redis" in SERVICES
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://")
    worker = SERVICES["airflow-worker"]
    assert worker["command"] == "celery worker" and "container_name" not in worker and "ports" not in worker


def test_every_airflow_component_shares_the_execution_api_url_and_jwt_secret():
    for name in AIRFLOW_SERVICES:
        env = SERVICES[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/", name
        assert "AIRFLOW_JWT_SECRET" in env["AIRFLOW__API_AUTH__JWT_SECRET"], name
        assert ".:/opt/airflow/project" in SERVICES[name]["volumes"], name
        assert env["PYTHONPATH"] == "/opt/airflow/project", name


def test_the_init_runs_as_root_migrates_through_the_entrypoint_and_prepares_everything():
    init = SERVICES["airflow-init"]
    script = " ".join(init["command"])
    assert init["user"] == "0:0" and init["environment"]["_AIRFLOW_DB_MIGRATE"] == "true"
    assert "/entrypoint airflow version" in script  # the image's entrypoint runs the migration
    assert "chown -R" in script and "/opt/airflow/logs" in script and "/opt/airflow/project/data" in script
    assert "python -m include.intacct pool" in script and "python -m include.ledger upgrade" in script
    assert "simple_auth_manager_passwords.json" in script
    for name in AIRFLOW_SERVICES:
        assert SERVICES[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_no_secret_is_written_in_the_compose_file():
    env = SERVICES["airflow-scheduler"]["environment"]
    for variable in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW_CONN_INTACCT_DEFAULT"):
        assert env[variable].startswith("${") and ":?" in env[variable], variable
    assert SERVICES["airflow-init"]["environment"]["AIRFLOW_ADMIN_PASSWORD"].startswith("${AIRFLOW_ADMIN_PASSWORD:?")


def test_the_sandbox_profile_generates_a_demo_erp_when_there_is_none():
    script = " ".join(SERVICES["intacct-sandbox"]["command"])
    assert "test -f /opt/airflow/project/data/erp.db || python -m include.erp.generate" in script
    assert SERVICES["intacct-sandbox"]["profiles"] == ["sandbox"]


def test_backfill_dates_are_read_in_the_schedules_timezone():
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == env["INTEGRATION_SCHEDULE_TIMEZONE"]
