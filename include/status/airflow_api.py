"""Airflow's REST API, called as the signed-in user, inside the API server that serves the page.

The console triggers ``intacct_resync`` and follows its runs through ``/api/v2`` exactly as the
Airflow UI does: with the user's own credential (their bearer token or the UI's session cookie),
so Airflow itself checks their permission, validates the conf against the DAG's params, writes its
audit log and records them as the run's triggering user. The requests go to the Airflow app running
in this process (an ASGI call, no network): no URL, proxy or certificate to configure.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import httpx

RUN_FINISHED = ("success", "failed")


class AirflowApiError(RuntimeError):
    """Airflow's API refused or failed a request; ``status_code`` and Airflow's ``detail`` say why."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"HTTP {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


def running_airflow_app():
    """The Airflow API app this process serves (``airflow.api_fastapi.main:app``), never a new one."""
    from airflow.api_fastapi.app import cached_app

    if cached_app.cache_info().currsize == 0:
        raise AirflowApiError(503, "Airflow's API is not served by this process: the console acts only inside "
                                   "the Airflow API server")
    return cached_app(apps=os.environ.get("AIRFLOW_API_APPS", "all"))


def request_credential(request) -> str | None:
    """The credential the user's request came with: its bearer token, else the UI's session cookie."""
    from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(COOKIE_NAME_JWT_TOKEN)


class UserAirflowApi:
    """A few ``/api/v2`` calls made with one user's credential."""

    def __init__(self, credential: str | None, *, app=None, transport: httpx.AsyncBaseTransport | None = None,
                 base_url: str = "http://airflow.internal", referer: str | None = None, timeout: float = 30):
        self._transport = transport or httpx.ASGITransport(app=app)
        self._headers = {"Accept": "application/json"}
        if credential:
            self._headers["Authorization"] = f"Bearer {credential}"
        if referer:  # Airflow records a run triggered with a Referer as triggered from its UI
            self._headers["Referer"] = referer
        self._base_url = base_url
        self._timeout = timeout

    @classmethod
    def for_request(cls, request) -> UserAirflowApi:
        return cls(request_credential(request), app=running_airflow_app(), referer=str(request.url))

    async def _call(self, method: str, path: str, **kwargs) -> Any:
        async with httpx.AsyncClient(transport=self._transport, base_url=self._base_url, headers=self._headers,
                                     timeout=self._timeout) as client:
            response = await client.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:500]
            raise AirflowApiError(response.status_code, detail if isinstance(detail, str) else str(detail))
        return response.json() if response.content else {}

    async def trigger_dag_run(self, dag_id: str, conf: dict, note: str | None = None) -> dict:
        """``POST /api/v2/dags/{dag_id}/dagRuns``: a manual run now, with ``conf``."""
        body = {"logical_date": None, "conf": conf, **({"note": note} if note else {})}
        return await self._call("POST", f"/api/v2/dags/{quote(dag_id, safe='')}/dagRuns", json=body)

    async def dag_run(self, dag_id: str, run_id: str) -> dict | None:
        try:
            return await self._call("GET", f"/api/v2/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}")
        except AirflowApiError as exc:
            if exc.status_code == 404:
                return None
            raise

    async def dag_runs(self, dag_id: str, limit: int = 10) -> list[dict]:
        """The DAG's latest runs, newest first."""
        data = await self._call("GET", f"/api/v2/dags/{quote(dag_id, safe='')}/dagRuns",
                                params={"limit": limit, "order_by": "-run_after"})
        return data.get("dag_runs", [])

    async def dag(self, dag_id: str) -> dict | None:
        try:
            return await self._call("GET", f"/api/v2/dags/{quote(dag_id, safe='')}")
        except AirflowApiError as exc:
            if exc.status_code == 404:
                return None
            raise
