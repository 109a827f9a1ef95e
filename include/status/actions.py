"""The console's actions on selected objects: which apply to which object, and why not.

* **Synchronize**: objects not integrated or desynchronized (not one whose period is closed after a
  change that needs a manual adjustment in Intacct);
* **Force synchronize**: objects in error (held and quarantined ones too);
* **Mark as synced**: objects in error or desynchronized, with a reason, through the ledger's own
  ``mark_synced_manually`` (the path of ``python -m include.remediation mark-synced``).

Neither applies to pending objects (already synchronizing). The statuses come from the ledger's
transition table. Synchronize and Force synchronize are carried out by the ``intacct_resync`` DAG
(``include.status.web_actions`` triggers it through Airflow's API); this module decides, per object,
and records in each object's history who asked for which run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from include.ledger import (
    Action,
    Ledger,
    LedgerInputError,
    LedgerRow,
    Status,
    TransitionRefused,
    UnknownObject,
)
from include.ledger.transitions import from_statuses, refusal_reason
from include.resync.request import OBJECT_TYPES as RESYNC_OBJECT_TYPES
from include.resync.request import ResyncRequestError, request_from_params
from include.status.guidance import closed_books_date, manual_flags, still_closed
from include.status.resync_hint import MANUAL_ADJUSTMENT_REASON, RESYNC_DAG_ID, pending_reason

SYNCHRONIZE = Action.SYNCHRONIZE.value
FORCE_SYNCHRONIZE = Action.FORCE_SYNCHRONIZE.value
MARK_SYNCED = Action.MARK_SYNCED.value
CONSOLE_ACTIONS = {SYNCHRONIZE: "Synchronize", FORCE_SYNCHRONIZE: "Force synchronize", MARK_SYNCED: "Mark as synced"}
MAX_OBJECTS = 1000  # per action: one run's keys stay readable in its conf, report and log
REQUESTED = "resync_requested"  # the event each object gets when someone asks the console to re-sync it


class ActionError(ValueError):
    """A request the console cannot carry out at all (unknown action, no reason, too many objects)."""


@dataclass(frozen=True)
class Target:
    object_type: str
    key: str


@dataclass(frozen=True)
class Refused:
    object_type: str
    key: str
    reason: str


@dataclass
class ActionPlan:
    """The objects an action applies to, per object type (in the order asked), and those it refuses."""

    action: str
    accepted: dict[str, list[str]] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)

    @property
    def accepted_count(self) -> int:
        return sum(len(keys) for keys in self.accepted.values())


def check_action(action: str, reason: str | None, targets: list[Target]) -> None:
    if action not in CONSOLE_ACTIONS:
        raise ActionError(f"action {action!r} is not one of: {', '.join(CONSOLE_ACTIONS)}")
    if action == MARK_SYNCED and not (reason or "").strip():
        raise ActionError("Mark as synced needs a reason: what was done in Intacct, or why it counts as synced")
    if not targets:
        raise ActionError("no object selected")
    if len(targets) > MAX_OBJECTS:
        raise ActionError(f"{len(targets)} objects selected; at most {MAX_OBJECTS} per action: narrow the filter")


def refusal(action: str, row: LedgerRow | None, *, manual_adjustment_pending: bool = False,
            now: datetime | None = None) -> str | None:
    """Why ``action`` does not apply to this object, or None when it does."""
    if row is None:
        return "the integration ledger does not know it"
    label = CONSOLE_ACTIONS[action]
    if row.object_type not in RESYNC_OBJECT_TYPES:
        return (f"{label} does not apply to {row.object_type} objects: the {RESYNC_DAG_ID} DAG handles "
                f"{', '.join(RESYNC_OBJECT_TYPES)}" + (" (a dimension is read again by intacct_master_data)"
                                                       if row.object_type == "dimension" else ""))
    if row.status is Status.PENDING:
        return pending_reason(row, now)
    if row.status not in from_statuses(Action(action)):
        return f"{row.status.value}: {refusal_reason(Action(action), row.status)}"
    if action == SYNCHRONIZE and manual_adjustment_pending:
        return MANUAL_ADJUSTMENT_REASON
    if action != MARK_SYNCED:
        try:
            request = request_from_params({"object_type": row.object_type, "action": action, "keys": [row.key]},
                                          run_id="status-console")
        except ResyncRequestError as exc:
            return f"the {RESYNC_DAG_ID} DAG would refuse it: {exc}"
        if request.keys != (row.key,):
            return (f"its key has leading or trailing spaces, which the {RESYNC_DAG_ID} DAG removes: it cannot "
                    "select this object by key")
    return None


def plan_action(ledger: Ledger, action: str, targets: Iterable[Target], now: datetime | None = None) -> ActionPlan:
    """Judge every selected object against the action, from its current ledger row."""
    plan = ActionPlan(action)
    wanted = list(dict.fromkeys(targets))
    rows = {(t.object_type, t.key): ledger.get(t.object_type, t.key) for t in wanted}
    known = [row for row in rows.values() if row is not None]
    flags = manual_flags(ledger, known)
    closed_through = closed_books_date(ledger) if flags else None
    for target in wanted:
        row = rows[(target.object_type, target.key)]
        pending_adjustment = (target.object_type, target.key) in flags and still_closed(row, closed_through)
        why = refusal(action, row, manual_adjustment_pending=pending_adjustment, now=now)
        if why is None:
            plan.accepted.setdefault(target.object_type, []).append(target.key)
        else:
            plan.refused.append(Refused(target.object_type, target.key, why))
    return plan


def mark_synced(ledger: Ledger, plan: ActionPlan, *, actor: str, reason: str) -> int:
    """Mark the accepted objects as synced through the ledger, type by type. The ledger marks all or none
    of a call; when an object changed status since it was judged, the others are still marked, one by
    one, and that one joins the refused with the ledger's reason."""
    marked = 0
    for object_type, keys in plan.accepted.items():
        try:
            marked += ledger.mark_synced_manually(object_type, keys, actor=actor, reason=reason)
            continue
        except (TransitionRefused, UnknownObject, LedgerInputError):
            pass
        for key in list(keys):
            try:
                marked += ledger.mark_synced_manually(object_type, [key], actor=actor, reason=reason)
            except (TransitionRefused, UnknownObject, LedgerInputError) as exc:
                keys.remove(key)
                plan.refused.append(Refused(object_type, key, str(getattr(exc, "reason", exc))))
    return marked


def resync_conf(action: str, object_type: str, keys: list[str]) -> dict:
    """The ``intacct_resync`` run configuration for these keys (checked by the DAG's own validation)."""
    conf = {"object_type": object_type, "action": action, "keys": list(keys), "statuses": [], "error_class": None,
            "dry_run": False}
    request_from_params(conf, run_id="status-console")  # raises ResyncRequestError as the DAG would
    return conf


def record_request(ledger: Ledger, object_type: str, keys: list[str], *, action: str, actor: str,
                   dag_run_id: str) -> None:
    """Each object's history says who asked for which run (the run itself records its triggering user)."""
    label = CONSOLE_ACTIONS[action]
    for key in keys:
        ledger.log_decision(object_type, key, run_id=dag_run_id, decision=REQUESTED,
                            reason=f"{label} requested by {actor} on the integration status page: {RESYNC_DAG_ID} "
                                   f"run {dag_run_id}",
                            details={"actor": actor, "action": action, "dag_id": RESYNC_DAG_ID,
                                     "dag_run_id": dag_run_id})
