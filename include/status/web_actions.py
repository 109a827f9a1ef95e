"""The console's action routes: act on selected objects, and follow the re-sync runs they start.

``POST /api/actions`` judges every selected object (``include.status.actions``), then:

* Synchronize / Force synchronize: one ``intacct_resync`` run per object type, triggered through
  Airflow's REST API as the signed-in user (``include.status.airflow_api``), each object's history
  noting who asked for which run;
* Mark as synced: the ledger's ``mark_synced_manually`` with the user as actor and their reason.

It answers what was done and, per refused object, why. ``GET /api/resync-runs/{run_id}`` gives a
run's state and, from the ledger, the status now of each object it was asked to re-sync; the page
polls it until the run ends, then refreshes its rows.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from include.ledger import Ledger
from include.ledger.types import utcnow
from include.resync.request import ResyncRequestError
from include.settings import load_settings
from include.status.actions import (
    CONSOLE_ACTIONS,
    MARK_SYNCED,
    ActionError,
    ActionPlan,
    Refused,
    Target,
    check_action,
    mark_synced,
    plan_action,
    record_request,
    resync_conf,
)
from include.status.airflow_api import RUN_FINISHED, AirflowApiError
from include.status.auth import acting_user, airflow_user, user_name
from include.status.console import run_ui_path
from include.status.guidance import guidance_for, manual_flags
from include.status.resync_hint import RESYNC_DAG_ID
from include.status.scope import objects_in_scope

NO_STORE = {"Cache-Control": "no-store"}
NOTE_KEYS_SHOWN = 20  # keys named in a run's note in Airflow's UI (the conf has them all)


class TargetBody(BaseModel):
    object_type: str = Field(max_length=32)
    key: str = Field(max_length=128)


class ScopeBody(BaseModel):
    view: str
    filters: dict[str, str | int | None] = {}


class ActionBody(BaseModel):
    """Either ``objects`` (the selection) or ``scope`` (every object a list's filter matches)."""

    action: str
    objects: list[TargetBody] | None = None
    scope: ScopeBody | None = None
    reason: str | None = Field(default=None, max_length=2000)


router = APIRouter()


def _ledger() -> Ledger:
    return Ledger(load_settings().integration_db_url)


def _judge(body: ActionBody) -> ActionPlan:
    with _ledger() as ledger:
        if body.scope is not None:
            targets = objects_in_scope(ledger, body.scope.view, body.scope.filters)
        else:
            targets = [Target(t.object_type, t.key) for t in body.objects or []]
        check_action(body.action, body.reason, targets)
        return plan_action(ledger, body.action, targets, now=utcnow())


def _mark(plan: ActionPlan, actor: str, reason: str) -> int:
    with _ledger() as ledger:
        return mark_synced(ledger, plan, actor=actor, reason=reason.strip())


def _record(object_type: str, keys: list[str], action: str, actor: str, dag_run_id: str) -> None:
    with _ledger() as ledger:
        record_request(ledger, object_type, keys, action=action, actor=actor, dag_run_id=dag_run_id)


def _note(action: str, object_type: str, keys: list[str], actor: str) -> str:
    named = ", ".join(keys[:NOTE_KEYS_SHOWN]) + (f" and {len(keys) - NOTE_KEYS_SHOWN} more"
                                                 if len(keys) > NOTE_KEYS_SHOWN else "")
    return f"{CONSOLE_ACTIONS[action]} {object_type} from the integration status page by {actor}: {named}"[:1000]


async def _trigger(api, plan: ActionPlan, actor: str) -> tuple[list[dict], list[str]]:
    """One run per object type; the objects of a run Airflow refused join the refused with its answer."""
    runs, notices = [], []
    dag = await api.dag(RESYNC_DAG_ID)
    if dag is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"Airflow does not know the {RESYNC_DAG_ID} DAG (is the "
                                                      "dags folder deployed and parsed?)")
    if dag.get("is_paused"):
        notices.append(f"The {RESYNC_DAG_ID} DAG is paused: its runs wait until someone unpauses it in Airflow.")
    for object_type, keys in list(plan.accepted.items()):
        try:
            conf = resync_conf(plan.action, object_type, keys)
            run = await api.trigger_dag_run(RESYNC_DAG_ID, conf, _note(plan.action, object_type, keys, actor))
        except (ResyncRequestError, AirflowApiError) as exc:
            plan.refused += [Refused(object_type, key, f"Airflow did not start the run: {exc}") for key in keys]
            del plan.accepted[object_type]
            continue
        await asyncio.to_thread(_record, object_type, keys, plan.action, actor, run["dag_run_id"])
        runs.append({"dag_run_id": run["dag_run_id"], "state": run.get("state"), "object_type": object_type,
                     "keys": keys, "ui_path": run_ui_path(run["dag_run_id"]),
                     "triggering_user_name": run.get("triggering_user_name")})
    return runs, notices


@router.post("/api/actions")
async def act(request: Request, body: ActionBody, user: Annotated[object, Depends(acting_user)]) -> JSONResponse:
    actor = user_name(user)
    try:
        plan = await asyncio.to_thread(_judge, body)
    except (ActionError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    runs, notices, marked = [], [], 0
    if plan.accepted and body.action == MARK_SYNCED:
        marked = await asyncio.to_thread(_mark, plan, actor, body.reason or "")
    elif plan.accepted:
        runs, notices = await _trigger(request.app.state.api_factory(request), plan, actor)
    return JSONResponse({
        "action": body.action, "label": CONSOLE_ACTIONS[body.action], "actor": actor,
        "accepted": [{"object_type": t, "key": k} for t, keys in plan.accepted.items() for k in keys],
        "refused": [vars(r) for r in plan.refused], "runs": runs, "marked": marked, "notices": notices,
    }, headers=NO_STORE)


def _objects_now(object_type: str, keys: list[str]) -> list[dict]:
    with _ledger() as ledger:
        rows = [row for row in (ledger.get(object_type, key) for key in keys) if row is not None]
        flags = manual_flags(ledger, rows)
    found = {row.key: row for row in rows}
    result = []
    for key in keys:
        row = found.get(key)
        if row is None:
            result.append({"object_type": object_type, "key": key, "status": None, "state": "not in the ledger",
                           "last_message": None})
            continue
        guidance = guidance_for(row, flags.get((object_type, key)))
        result.append({"object_type": object_type, "key": key, "status": row.status.value, "state": guidance.state,
                       "last_message": guidance.last_message})
    return result


@router.get("/api/resync-runs/{run_id:path}")
async def resync_run(request: Request, run_id: str, _user: Annotated[object, Depends(airflow_user)]) -> JSONResponse:
    try:
        run = await request.app.state.api_factory(request).dag_run(RESYNC_DAG_ID, run_id)
    except AirflowApiError as exc:
        raise HTTPException(exc.status_code, exc.detail) from None
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{RESYNC_DAG_ID} has no run {run_id!r}")
    conf = run.get("conf") or {}
    keys = [str(k) for k in conf.get("keys") or []]
    objects = await asyncio.to_thread(_objects_now, str(conf.get("object_type") or ""), keys) if keys else []
    return JSONResponse({"dag_run_id": run["dag_run_id"], "state": run.get("state"),
                         "finished": run.get("state") in RUN_FINISHED, "action": conf.get("action"),
                         "object_type": conf.get("object_type"), "triggering_user_name": run.get("triggering_user_name"),
                         "ui_path": run_ui_path(run["dag_run_id"]), "objects": objects}, headers=NO_STORE)
