"""How to re-sync one object: which action its status allows, and the exact command.

The page's own buttons trigger the DAG (``include.status.actions``); the object's page also shows the
``airflow dags trigger intacct_resync --conf '...'`` command, for a shell. The action per status comes from
the ledger's transition table, and the command's conf is checked with the DAG's own request
validation (``include.resync.request``), so the hint cannot drift from what the DAG accepts.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from include.ledger import Action, LedgerRow, Status
from include.ledger.transitions import from_statuses
from include.resync.request import OBJECT_TYPES, ResyncRequestError, request_from_params
from include.settings import DOC_TYPES

RESYNC_DAG_ID = "intacct_resync"
# Airflow 3.3's UI has no URL that opens the trigger form with a conf filled in (the form opens
# from the DAG page's Trigger button), so the link goes to the DAG page.
RESYNC_DAG_UI_PATH = f"dags/{RESYNC_DAG_ID}"  # relative to the Airflow UI's base URL
ACTION_LABELS = {Action.SYNCHRONIZE.value: "Synchronize", Action.FORCE_SYNCHRONIZE.value: "Force synchronize"}
MANUAL_ADJUSTMENT_REASON = ("Manual adjustment required: it was posted, then changed in the ERP, and its period is "
                            "closed, so Intacct refuses the change: neither Synchronize nor Force synchronize "
                            "applies. Adjust it in Intacct, then Mark as synced.")


@dataclass(frozen=True)
class ResyncHint:
    """``action`` is None when neither action applies; ``reason`` then says why."""

    action: str | None
    reason: str
    conf: dict[str, Any] | None = None
    command: str | None = None

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action or "", "none")


def _action_for(status: Status) -> Action | None:
    for action in (Action.SYNCHRONIZE, Action.FORCE_SYNCHRONIZE):
        if status in from_statuses(action):
            return action
    return None


def trigger_command(conf: dict[str, Any]) -> str:
    """The CLI command that triggers the resync DAG with ``conf``, quoted for a POSIX shell.

    JSON escapes every non-ASCII and control character, so the command is one line of ASCII
    whatever the key holds; ``shlex.quote`` makes quotes in keys safe.
    """
    return f"airflow dags trigger {RESYNC_DAG_ID} --conf {shlex.quote(json.dumps(conf))}"


def resync_hint(row: LedgerRow, now: datetime | None = None, *, manual_adjustment_pending: bool = False
                ) -> ResyncHint:
    """Synchronize (not integrated, desynchronized), Force synchronize (error) or nothing, and why.

    ``manual_adjustment_pending``: a posted document changed in the ERP while its period is closed
    (``include.status.guidance``): Intacct refuses the change, so no re-sync applies."""
    if row.status is Status.PENDING:
        return ResyncHint(None, pending_reason(row, now))
    if manual_adjustment_pending and row.status is Status.DESYNCHRONIZED:
        return ResyncHint(None, MANUAL_ADJUSTMENT_REASON)
    if row.status is Status.SUCCESS:
        return ResyncHint(None, "Already synchronized: Intacct has the ERP's current version. A change in the "
                                "ERP makes it desynchronized, and the next run posts it.")
    action = _action_for(row.status)
    if action is None:  # a status this version of the page does not know
        return ResyncHint(None, f"No re-sync action applies to status {row.status.value}.")
    if row.object_type not in OBJECT_TYPES:
        return ResyncHint(None, f"The {RESYNC_DAG_ID} DAG does not handle {row.object_type!r} objects "
                                f"(it handles {', '.join(OBJECT_TYPES)}).")
    conf = {"object_type": row.object_type, "action": action.value, "keys": [row.key]}
    try:
        request = request_from_params(conf, run_id="status-page")
    except ResyncRequestError as exc:
        return ResyncHint(None, f"The {RESYNC_DAG_ID} DAG would refuse this object: {exc}")
    if request.keys != (row.key,):  # the DAG trims keys: one with outer spaces cannot be named
        return ResyncHint(None, f"The key {row.key!r} has leading or trailing spaces, which the {RESYNC_DAG_ID} "
                                f"DAG removes from the keys it is given: it cannot select this object by key.")
    return ResyncHint(action.value, _why(row, action), conf, trigger_command(conf))


def _why(row: LedgerRow, action: Action) -> str:
    if action is Action.SYNCHRONIZE:
        if row.status is Status.DESYNCHRONIZED:
            return "The ERP changed this object after it was posted; this posts the current version now."
        return "It is not in Intacct yet; this posts the ERP's current version now."
    held = f" It is held ({row.hold}); forcing it clears the hold." if row.hold else ""
    return ("It is in error; this tries it again now. Fix the cause first (see what to "
            f"do), or it fails the same way.{held}")


def pending_reason(row: LedgerRow, now: datetime | None) -> str:
    claimed = f" by {row.claim_run_id}" if row.claim_run_id else ""
    if row.claim_expires_at is not None and now is not None and row.claim_expires_at < now:
        recovery = ("The next run of intacct_post_transactions recovers it" if row.object_type in DOC_TYPES
                    else "The next run of intacct_master_data recovers it with the same controlid (a run that "
                         "stopped leaves its ERP watermark, so the record is read again)")
        return (f"Pending: claimed{claimed}, but the claim expired at {row.claim_expires_at:%Y-%m-%d %H:%M:%S} "
                f"UTC (its worker stopped). {recovery}; neither Synchronize nor Force synchronize applies to "
                "a pending object.")
    until = f" until {row.claim_expires_at:%Y-%m-%d %H:%M:%S} UTC" if row.claim_expires_at else ""
    return (f"Pending: already synchronizing (claimed{claimed}{until}); neither Synchronize nor Force "
            "synchronize applies until that attempt ends.")
