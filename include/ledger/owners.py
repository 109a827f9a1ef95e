"""Who holds a claim, and whether Airflow says it is still working on it.

A claim taken inside an Airflow task names that task instance in its worker
(``claimed_by``): ``airflow:<dag_id>:<task_id>:<map_index>:<try_number>@<host:pid:...>``; the
claim's run id is already on the row (``claim_run_id``). Whoever later finds the claim pending
can then ask Airflow about the run that holds it:

* inside a task, through the Task SDK (the task's own channel to the API server: no connection
  to configure);
* elsewhere, through Airflow's REST API when an ``airflow_api`` connection exists
  (``include.airflow_api``);
* otherwise nobody can tell, and only the claim's lease speaks (``include.ledger.leases``).

Airflow is imported only where it is already loaded (inside a task) or when the REST API is
asked: the ledger stays usable without it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

WORKER_LIMIT = 200  # the ledger's claimed_by column
_PREFIX = "airflow:"
_TASK_RUNNER = "airflow.sdk.execution_time.task_runner"
# Task instance states in which Airflow will still run (or is running) something of the run.
ACTIVE_STATES = frozenset({"scheduled", "queued", "running", "restarting", "up_for_reschedule", "deferred"})

TaskStates = Callable[[str, str], "Mapping[str, str | None] | None"]  # (dag_id, run_id) -> task -> state


@dataclass(frozen=True)
class TaskOwner:
    """The Airflow task instance that took a claim."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
    try_number: int = 1

    @property
    def state_key(self) -> str:
        """How the Task SDK names this task in a run's task states (mapped ones carry their index)."""
        return self.task_id if self.map_index < 0 else f"{self.task_id}_{self.map_index}"

    def describe(self) -> str:
        mapped = f"[{self.map_index}]" if self.map_index >= 0 else ""
        return f"task {self.task_id}{mapped} (try {self.try_number}) of {self.dag_id} run {self.run_id}"


def current_task() -> TaskOwner | None:
    """The Airflow task instance this code runs in; None outside a task (tests, the CLI)."""
    if _TASK_RUNNER not in sys.modules:
        return None  # no task is running in this process: do not import Airflow for nothing
    try:
        from airflow.sdk import get_current_context

        ti = get_current_context()["ti"]
    except (ImportError, RuntimeError, KeyError):  # imported, but not called from a running task
        return None
    map_index = getattr(ti, "map_index", None)
    return TaskOwner(str(ti.dag_id), str(ti.run_id), str(ti.task_id),
                     int(map_index) if map_index is not None else -1, int(getattr(ti, "try_number", 1) or 1))


def worker_name(base: str, owner: TaskOwner | None = None) -> str:
    """The ``claimed_by`` of a claim taken by ``base`` (host:pid:step), naming the Airflow task
    instance it runs in (``owner``, else the current one) so others can ask Airflow about it."""
    owner = owner if owner is not None else current_task()
    if owner is None:
        return base[:WORKER_LIMIT]
    return f"{_PREFIX}{owner.dag_id}:{owner.task_id}:{owner.map_index}:{owner.try_number}@{base}"[:WORKER_LIMIT]


def owner_of(claimed_by: str | None, claim_run_id: str | None) -> TaskOwner | None:
    """The task instance a claim names; None for a claim taken outside Airflow (or cut short)."""
    if not claimed_by or not claim_run_id or not claimed_by.startswith(_PREFIX) or "@" not in claimed_by:
        return None
    parts = claimed_by[len(_PREFIX):].split("@", 1)[0].split(":")
    if len(parts) != 4:
        return None
    dag_id, task_id, map_index, try_number = parts
    try:
        return TaskOwner(dag_id, claim_run_id, task_id, int(map_index), int(try_number))
    except ValueError:
        return None


def _state_text(state) -> str | None:
    value = getattr(state, "value", state)
    return str(value) if value is not None else None


def _from_task_sdk(dag_id: str, run_id: str) -> dict[str, str | None] | None:
    """The run's task states through the running task's own channel; None outside a task."""
    runner = sys.modules.get(_TASK_RUNNER)
    if runner is None or getattr(runner, "SUPERVISOR_COMMS", None) is None:
        return None
    try:
        states = runner.RuntimeTaskInstance.get_task_states(dag_id=dag_id, run_ids=[run_id])
    except Exception as exc:  # the SDK raises its own error types for an API-server hiccup
        log.warning("Could not ask Airflow for the task states of %s run %s: %s", dag_id, run_id, exc)
        return None
    return {task: _state_text(state) for task, state in (states.get(run_id) or {}).items()}


def _from_rest_api(dag_id: str, run_id: str) -> dict[str, str | None] | None:
    from include.airflow_api import AirflowApi, AirflowApiError, AirflowApiNotConfigured

    try:
        api = AirflowApi.from_connection()
    except AirflowApiNotConfigured:
        return None
    try:
        return api.task_states(dag_id, run_id)
    except (AirflowApiError, OSError) as exc:
        log.warning("Could not ask Airflow's REST API for the task states of %s run %s: %s", dag_id, run_id, exc)
        return None


class AirflowTaskStates:
    """What Airflow knows about the task instances of a run, asked once per run per check."""

    def __init__(self, sources: tuple[TaskStates, ...] = (_from_task_sdk, _from_rest_api)):
        self.sources = sources
        self._known: dict[tuple[str, str], Mapping[str, str | None] | None] = {}

    def __call__(self, dag_id: str, run_id: str) -> Mapping[str, str | None] | None:
        """task -> state for the run (empty: Airflow has no such run); None: nobody could be asked."""
        if (dag_id, run_id) not in self._known:
            states = None
            for source in self.sources:
                states = source(dag_id, run_id)
                if states is not None:
                    break
            self._known[(dag_id, run_id)] = states
        return self._known[(dag_id, run_id)]


def active_tasks(states: Mapping[str, str | None]) -> list[str]:
    """``task state`` for every task instance Airflow still runs or will run, in name order."""
    return [f"{task} {state}" for task, state in sorted(states.items()) if state in ACTIVE_STATES]
