"""A real Airflow with login required, for the browser tests: the simple auth manager with named users and
roles, and the few REST calls the tests make as one of them (``LocalAirflow``'s own helpers assume the
local harness's "everyone is admin")."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from include.devtools.airflow_local import LocalAirflow

# name -> (role, password). "user" may trigger DAGs; "viewer" may only look.
USERS = {"operator": ("user", "operator-pw"), "auditor": ("viewer", "auditor-pw")}
COMPONENTS = ("api-server", "scheduler", "dag-processor")  # no deferrable task here: no triggerer


def login_env(home: Path) -> dict[str, str]:
    """Environment that makes Airflow ask for a login, with USERS and their passwords."""
    passwords = home / "simple_auth_manager_passwords.json"
    passwords.parent.mkdir(parents=True, exist_ok=True)
    passwords.write_text(json.dumps({name: password for name, (_, password) in USERS.items()}))
    return {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{n}:{role}" for n, (role, _) in USERS.items()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords)}


class SignedInApi:
    """Airflow's REST API as one of USERS."""

    def __init__(self, airflow: LocalAirflow, username: str):
        password = USERS[username][1]
        token = airflow.api("POST", "/auth/token", json={"username": username, "password": password})
        self.url = airflow.url
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.url + path, headers=self.headers, timeout=30, **kwargs)

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.call("GET", f"/api/v2/dags/{dag_id}").ok:
                return
            time.sleep(2)
        errors = self.call("GET", "/api/v2/importErrors").text[:3000]
        raise AssertionError(f"{dag_id} was not parsed within {timeout:.0f}s; import errors: {errors}")

    def unpause(self, dag_id: str) -> None:
        response = self.call("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        assert response.ok, response.text

    def runs(self, dag_id: str) -> list[dict]:
        return self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100}).json()["dag_runs"]
