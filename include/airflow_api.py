"""Airflow's REST API through the `airflow_api` connection: starting a backfill, pausing, a run's tasks.

The base URL and credentials come from an Airflow connection (default ``airflow_api``):
host (with scheme, or schema + host + port), login and password of an Airflow user allowed
to create backfills. Without a login no token is requested (an api-server that lets every
user in, as in local development). The password and the token never leave this object:
repr() leaves them out and errors quote only Airflow's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

DEFAULT_CONN_ID = "airflow_api"


class AirflowApiNotConfigured(LookupError):
    """No usable connection: the caller skips the automatic start and says so."""


class AirflowApiError(RuntimeError):
    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


@dataclass
class AirflowApi:
    base_url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    _token: str | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_connection(cls, conn_id: str = DEFAULT_CONN_ID) -> AirflowApi:
        try:
            from airflow.sdk import BaseHook

            conn = BaseHook.get_connection(conn_id)
        except Exception as exc:  # Airflow raises its own not-found types, which differ inside and outside tasks
            raise AirflowApiNotConfigured(f"Airflow connection {conn_id!r} is not configured "
                                          f"({type(exc).__name__})") from None
        if not conn.host:
            raise AirflowApiNotConfigured(f"Airflow connection {conn_id!r} has no host")
        return cls(base_url=base_url_of(conn.host, conn.schema, conn.port), username=conn.login or None,
                   password=conn.password or None)

    def _headers(self) -> dict[str, str]:
        if not self.username:
            return {}
        if self._token is None:
            response = requests.post(f"{self.base_url}/auth/token", timeout=self.timeout,
                                     json={"username": self.username, "password": self.password or ""})
            if not response.ok:
                raise AirflowApiError(f"Airflow refused a token for user {self.username!r}: HTTP "
                                      f"{response.status_code}", response.status_code)
            self._token = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def create_backfill(self, dag_id: str, from_date: date, to_date: date, *, timezone: str,
                        reprocess_behavior: str = "none", max_active_runs: int = 1, dry_run: bool = False) -> dict:
        """POST /api/v2/backfills (or its dry run): runs for the logical dates from_date..to_date,
        both read as local midnights in ``timezone`` (as the CLI reads them in the default timezone)."""
        zone = ZoneInfo(timezone)
        body = {"dag_id": dag_id, "from_date": datetime.combine(from_date, time(0), zone).isoformat(),
                "to_date": datetime.combine(to_date, time(0), zone).isoformat(), "run_backwards": False,
                "dag_run_conf": {}, "reprocess_behavior": reprocess_behavior, "max_active_runs": max_active_runs}
        path = "/api/v2/backfills/dry_run" if dry_run else "/api/v2/backfills"
        response = requests.post(self.base_url + path, json=body, headers=self._headers(), timeout=self.timeout)
        if not response.ok:
            raise AirflowApiError(f"POST {path} for {dag_id} {from_date}..{to_date} -> HTTP {response.status_code}: "
                                  f"{_detail(response)}", response.status_code)
        return response.json()

    def is_paused(self, dag_id: str) -> bool:
        path = f"/api/v2/dags/{quote(dag_id, safe='')}"
        response = requests.get(self.base_url + path, headers=self._headers(), timeout=self.timeout)
        if not response.ok:
            raise AirflowApiError(f"GET {path} -> HTTP {response.status_code}: {_detail(response)}",
                                  response.status_code)
        return bool(response.json().get("is_paused"))

    def unpause(self, dag_id: str) -> None:
        path = f"/api/v2/dags/{quote(dag_id, safe='')}"
        response = requests.patch(self.base_url + path, json={"is_paused": False}, headers=self._headers(),
                                  timeout=self.timeout)
        if not response.ok:
            raise AirflowApiError(f"PATCH {path} -> HTTP {response.status_code}: {_detail(response)}",
                                  response.status_code)

    def task_states(self, dag_id: str, run_id: str, page_size: int = 100) -> dict[str, str | None]:
        """task -> state of every task instance of a DAG run (a mapped one as ``<task>_<index>``, as the
        Task SDK names them); empty when Airflow has no such run."""
        path = f"/api/v2/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}/taskInstances"
        states: dict[str, str | None] = {}
        offset = 0
        while True:
            response = requests.get(self.base_url + path, params={"limit": page_size, "offset": offset},
                                    headers=self._headers(), timeout=self.timeout)
            if response.status_code == 404:
                return {}
            if not response.ok:
                raise AirflowApiError(f"GET {path} -> HTTP {response.status_code}: {_detail(response)}",
                                      response.status_code)
            page = response.json()
            instances = page.get("task_instances") or []
            for ti in instances:
                index = ti.get("map_index", -1)
                name = ti["task_id"] if index is None or index < 0 else f"{ti['task_id']}_{index}"
                states[name] = ti.get("state")
            offset += len(instances)
            if not instances or offset >= int(page.get("total_entries") or 0):
                return states


def base_url_of(host: str, schema: str | None, port: int | None) -> str:
    host = host.rstrip("/")
    if "://" in host:
        scheme, _, rest = host.partition("://")
        if port and ":" not in rest.split("/")[0]:
            head, _, tail = rest.partition("/")
            rest = f"{head}:{port}" + (f"/{tail}" if tail else "")
        return f"{scheme}://{rest}"
    return f"{schema or 'http'}://{host}" + (f":{port}" if port else "")


def _detail(response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return str(detail if detail is not None else response.text[:500])
