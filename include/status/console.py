"""The console's HTML pieces: refresh, the selection column, the action bar and the runs it started.

What a user sees depends on ``Console.can_act`` (may they trigger ``intacct_resync``? Airflow's auth
manager answers, see ``include.status.auth``): a user who may not gets the same lists without
checkboxes or buttons. ``static/console.js`` makes the pieces work (select, act, follow the run,
refresh); without script the page still reads in full.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

from include.status.actions import CONSOLE_ACTIONS, FORCE_SYNCHRONIZE, MARK_SYNCED, SYNCHRONIZE
from include.status.resync_hint import RESYNC_DAG_ID

# The Airflow UI's page of a DAG run, relative to the UI's base URL (one level above the status page).
RUN_UI_PATH = "dags/{dag_id}/runs/{run_id}"
ACTION_HELP = {
    SYNCHRONIZE: "not integrated or desynchronized objects",
    FORCE_SYNCHRONIZE: "objects in error, held or quarantined (fix the cause first)",
    MARK_SYNCED: "objects in error or desynchronized, right in Intacct already (a reason is required)",
}


def run_ui_path(run_id: str) -> str:
    return RUN_UI_PATH.format(dag_id=RESYNC_DAG_ID, run_id=quote(run_id, safe=""))


def _e(value) -> str:
    return "" if value is None else escape(str(value), quote=True)


@dataclass(frozen=True)
class Console:
    """Who is looking, and what the page may offer them."""

    can_act: bool = False
    user: str | None = None
    recent_runs: list[dict] = field(default_factory=list)  # intacct_resync's latest runs (Airflow's API)
    runs_notice: str | None = None  # why the runs could not be read


def script_tag(root: str) -> str:
    return f"<script src='{_e(root)}static/console.js' defer></script>"


def body_tag(root: str, console: Console) -> str:
    return (f"<body data-root='{_e(root)}' data-can-act='{'1' if console.can_act else '0'}' "
            f"data-dag-id='{RESYNC_DAG_ID}'>")


def toolbar(console: Console) -> str:
    """Refresh (button, and optional auto-refresh while a run it follows is active) and the runs area."""
    who = f"Signed in as <strong>{_e(console.user)}</strong>. " if console.user else ""
    role = ("You may act on the objects: select them, then choose an action." if console.can_act else
            "Read-only: your Airflow role may not trigger DAGs, so the page offers no action.")
    return ("<div class='toolbar'><button type='button' id='refresh'>Refresh</button> "
            "<label><input type='checkbox' id='auto-refresh' checked> auto-refresh while a run is active</label> "
            f"<span class='muted'>{who}{role}</span></div>"
            "<div id='runs' aria-live='polite'></div>")


def select_header(console: Console) -> str:
    if not console.can_act:
        return ""
    return ("<th class='pick'><input type='checkbox' class='pick-page' "
            "aria-label='select every object on this page'></th>")


def select_cell(console: Console, object_type: str, key: str, status: str) -> str:
    if not console.can_act:
        return ""
    return (f"<td class='pick'><input type='checkbox' class='pick' data-object-type='{_e(object_type)}' "
            f"data-key='{_e(key)}' data-status='{_e(status)}' aria-label='select {_e(object_type)} {_e(key)}'></td>")


def _buttons(actions=tuple(CONSOLE_ACTIONS)) -> str:
    buttons = "".join(f"<button type='button' class='act' data-action='{action}' title='{_e(ACTION_HELP[action])}' "
                      f"disabled>{_e(CONSOLE_ACTIONS[action])}</button> " for action in actions)
    reason = ("<label>reason <input type='text' class='mark-reason' size='28' maxlength='2000' "
              "placeholder='required for Mark as synced'></label>") if MARK_SYNCED in actions else ""
    return buttons + reason


def action_bar(console: Console, *, view: str, filters: dict, total: int, shown: int) -> str:
    """The bar above a list: the selection, select-all-matching and the three actions.

    ``view`` and ``filters`` let the server select every object the filter matches (not only this page)."""
    if not console.can_act:
        return ""
    everything = ""
    if total > shown:
        everything = (f" <button type='button' class='pick-all-matching' data-total='{total}'>Select all {total} "
                      "matching the filter</button>")
    scope = _e(json.dumps({"view": view, "filters": {k: v for k, v in filters.items() if v not in (None, "")}}))
    return (f"<div class='actionbar' data-scope='{scope}'><span class='selected-count'>0 selected</span>"
            f"{everything} &nbsp; {_buttons()}<div class='action-result' aria-live='polite'></div></div>")


def object_actions(console: Console, object_type: str, key: str, status: str,
                   actions: dict[str, str | None]) -> str:
    """The actions that apply to the object, on its own page (``actions``: action -> why not, None: applies)."""
    if not console.can_act:
        return ""
    applies = [action for action in CONSOLE_ACTIONS if action in actions and actions[action] is None]
    if not applies:
        return "<p class='muted'>No action of the console applies to it now.</p>"
    target = _e(json.dumps([{"object_type": object_type, "key": key}]))
    return (f"<div class='actionbar single' data-targets='{target}' data-status='{_e(status)}'>{_buttons(applies)}"
            "<div class='action-result' aria-live='polite'></div></div>")


def recent_runs_section(console: Console, root: str) -> str:
    """The latest runs of intacct_resync, with who triggered each: the console's actions and any other."""
    heading = (f"<h2>Re-sync runs</h2><p class='muted'>The latest runs of <code>{RESYNC_DAG_ID}</code> (the "
               "console's actions and any other trigger), newest first.</p>")
    if console.runs_notice:
        return heading + f"<p class='muted'>{_e(console.runs_notice)}</p>"
    if not console.recent_runs:
        return heading + "<p class='muted'>No run yet.</p>"
    rows = []
    for run in console.recent_runs:
        conf = run.get("conf") or {}
        keys = conf.get("keys") or []
        what = (f"{CONSOLE_ACTIONS.get(conf.get('action'), conf.get('action') or '')} "
                f"{conf.get('object_type') or ''}: {', '.join(map(str, keys[:10]))}"
                + (f" and {len(keys) - 10} more" if len(keys) > 10 else ""))
        link = root + "../" + run_ui_path(run.get("dag_run_id") or "")
        rows.append(f"<tr><td><a class='ui-link' href='{_e(link)}' target='_top'>{_e(run.get('dag_run_id'))}</a></td>"
                    f"<td>{_e(run.get('triggering_user_name'))}</td><td>{_e(what)}</td>"
                    f"<td class='state-{_e(run.get('state'))}'>{_e(run.get('state'))}</td>"
                    f"<td>{_e((run.get('run_after') or '')[:19].replace('T', ' '))}</td></tr>")
    return (heading + "<table><tr><th>run</th><th>triggered by</th><th>what</th><th>state</th><th>asked at</th></tr>"
            + "".join(rows) + "</table>")
