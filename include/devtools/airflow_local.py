"""Run Airflow for real on this machine: api-server, scheduler, dag-processor and
triggerer with the LocalExecutor on a SQLite metadata database.

``dag.test()`` runs tasks in-process and hides Airflow 3 runtime rules (no
metadata-database access from tasks, execution API, serialization); the tests that
must prove the DAGs work under a real scheduler, and ``make airflow``, use this.

Local development only: the API runs with every user an admin (no login).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from include.backfill.airflow_cli import run_airflow_cli

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
CELERY_WORKER = "celery worker"  # the CeleryExecutor's worker, a component of the production path


def production_env(metadata_url: str, broker_url: str, *, worker_concurrency: int = 4) -> dict[str, str | None]:
    """Airflow on the production path: PostgreSQL as the metadata database and the CeleryExecutor
    on Redis (start the components with ``CELERY_WORKER`` as well). URLs name psycopg2 (with
    SQLAlchemy 2.1 a plain ``postgresql://`` asks for psycopg 3, which is not installed): the
    metadata database as ``postgresql+psycopg2://…`` and the result backend as ``db+`` that."""
    if not metadata_url.startswith("postgresql+psycopg2://"):
        raise ValueError(f"the metadata database URL must start with postgresql+psycopg2://, got {metadata_url!r}")
    return {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": None,  # SQLite's; none for PostgreSQL
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(worker_concurrency),
    }
FINISHED_RUN_STATES = ("success", "failed")


class AirflowLocalError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_or_free(preferred: int) -> int:
    """``preferred`` when nothing listens on it, else a free port: a busy machine must not stop a start."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            return free_port()
    return preferred


@dataclass
class DagRunResult:
    dag_id: str
    run_id: str
    state: str
    task_states: dict[str, str] = field(default_factory=dict)


class LocalAirflow:
    """A throw-away (or persistent) Airflow installation rooted at ``home``."""

    def __init__(self, home: Path, *, dags_folder: Path | None = None, port: int | None = None,
                 env: dict[str, str | None] | None = None, python: str = sys.executable):
        self.home = Path(home).resolve()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.python = python
        self._processes: dict[str, subprocess.Popen] = {}
        self.home.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
        pythonpath = os.pathsep.join(filter(None, [str(REPO_ROOT), base.get("PYTHONPATH", "")]))
        self.env = {
            **base,
            "PYTHONPATH": pythonpath,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder or REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # Each LocalExecutor worker is a ~130 MB process; 32 (the default) is far more than 2 cores use.
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": "include.devtools.sqlite_metadata.CONNECT_ARGS",
            # Both must move together, or every task fails with "connection refused".
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            # Free ports, not 8793/8794: a busy machine (or a second installation) may hold those.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            **(env or {}),
        }
        self.env = {name: value for name, value in self.env.items() if value is not None}  # None: unset it

    # -- processes ---------------------------------------------------------
    def cli(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run an ``airflow`` CLI command against this installation."""
        result = run_airflow_cli(args, python=self.python, env=self.env, timeout=timeout)
        if check and result.returncode != 0:
            raise AirflowLocalError(f"airflow {' '.join(args)} exited {result.returncode}:\n"
                                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def start(self, components: tuple[str, ...] = COMPONENTS, timeout: float = 120) -> LocalAirflow:
        self.cli("db", "migrate")
        logs = self.home / "logs"
        logs.mkdir(exist_ok=True)
        for component in components:
            log = open(logs / f"{component}.out", "ab")  # noqa: SIM115 - closed with the process
            args = [self.python, "-m", "airflow", *component.split()]
            if component == "api-server":
                args += ["--port", str(self.port), "--host", "127.0.0.1"]
            self._processes[component] = subprocess.Popen(
                args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(lambda: self._get("/api/v2/version") is not None, timeout, "the api-server to answer")
        return self

    def stop(self, grace: float = 15) -> None:
        for process in self._processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self._processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()

    def __enter__(self) -> LocalAirflow:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def component_log(self, component: str, tail: int = 4000) -> str:
        path = self.home / "logs" / f"{component}.out"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    # -- REST API ----------------------------------------------------------
    def _get(self, path: str) -> dict | None:
        try:
            response = requests.get(self.url + path, timeout=10)
        except requests.ConnectionError:
            return None
        return response.json() if response.ok else None

    def api(self, method: str, path: str, **kwargs) -> dict:
        response = requests.request(method, self.url + path, timeout=30, **kwargs)
        if not response.ok:
            raise AirflowLocalError(f"{method} {path} -> HTTP {response.status_code}: {response.text[:1000]}")
        return response.json() if response.content else {}

    def _wait(self, condition, timeout: float, what: str, interval: float = 1.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self._processes.items():
                if process.poll() is not None:
                    raise AirflowLocalError(f"airflow {name} exited with {process.returncode} while waiting for "
                                            f"{what}:\n{self.component_log(name)}")
            value = condition()
            if value:
                return value
            time.sleep(interval)
        raise AirflowLocalError(f"timed out after {timeout:.0f}s waiting for {what}")

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> dict:
        """Wait until the dag-processor has parsed and serialized ``dag_id``."""
        def parsed():
            errors = self._get("/api/v2/importErrors") or {}
            if errors.get("import_errors"):
                raise AirflowLocalError(f"DAG import errors: {json.dumps(errors['import_errors'])[:3000]}")
            return self._get(f"/api/v2/dags/{dag_id}")
        return self._wait(parsed, timeout, f"DAG {dag_id} to be parsed")

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def ensure_pool(self, name: str, slots: int, description: str = "") -> None:
        self.cli("pools", "set", name, str(slots), description or name)

    def ensure_intacct_pool(self, config, pool_name: str | None = None) -> None:
        """The Intacct pool, sized from the connection as ``python -m include.intacct pool`` does."""
        from include.intacct.__main__ import pool_command

        self.cli(*pool_command(config, pool_name)[1:])

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date: str | None = None) -> str:
        body = {"logical_date": logical_date, "conf": conf or {}}
        return self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body)["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        instances = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                             params={"limit": 1000})["task_instances"]
        states: dict[str, str] = {}
        for ti in instances:
            name = ti["task_id"] if ti.get("map_index", -1) < 0 else f"{ti['task_id']}[{ti['map_index']}]"
            states[name] = ti["state"]
        return states

    def map_labels(self, dag_id: str, run_id: str, task_id: str) -> list[str | None]:
        """The rendered ``map_index_template`` of each mapped instance of a task, in map-index order."""
        instances = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                             params={"limit": 1000, "task_id": task_id})["task_instances"]
        mapped = sorted((ti for ti in instances if ti["task_id"] == task_id and ti.get("map_index", -1) >= 0),
                        key=lambda ti: ti["map_index"])
        return [ti.get("rendered_map_index") for ti in mapped]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600) -> DagRunResult:
        state = self._wait(lambda: (s := self.run_state(dag_id, run_id)) in FINISHED_RUN_STATES and s,
                           timeout, f"run {run_id} of {dag_id} to finish", interval=2)
        return DagRunResult(dag_id, run_id, state, self.task_states(dag_id, run_id))

    def runs(self, dag_id: str) -> list[dict]:
        return self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 1000})["dag_runs"]

    def wait_for_runs_finished(self, dag_id: str, expected: int, timeout: float = 900,
                               run_type: str | None = None) -> list[dict]:
        """Wait until at least ``expected`` runs (of ``run_type``, if given) exist and none is
        queued or running."""
        def done():
            runs = [r for r in self.runs(dag_id) if run_type is None or r["run_type"] == run_type]
            finished = [r for r in runs if r["state"] in FINISHED_RUN_STATES]
            return runs if len(runs) >= expected and len(finished) == len(runs) else None
        return self._wait(done, timeout, f"{expected} runs of {dag_id} to finish", interval=2)

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1, map_index: int = -1) -> str:
        """The task's log as text, one line per event (Airflow 3 serves structured events as JSON)."""
        content = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
                           params={"map_index": map_index, "full_content": "true"})["content"]
        if isinstance(content, str):
            return content
        return "\n".join(event.get("event", "") if isinstance(event, dict) else str(event) for event in content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Airflow locally (LocalExecutor, SQLite) for this project.")
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "data" / "airflow")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    airflow = LocalAirflow(args.home, port=args.port)
    airflow.start()
    print(f"Airflow UI and API: {airflow.url}  (local development: no login)", flush=True)
    print(f"AIRFLOW_HOME={airflow.home}; component logs in {airflow.home / 'logs'}. Ctrl-C stops it.", flush=True)
    try:
        while all(p.poll() is None for p in airflow._processes.values()):
            time.sleep(2)
        print("An Airflow component exited; stopping.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        airflow.stop()


if __name__ == "__main__":
    raise SystemExit(main())
