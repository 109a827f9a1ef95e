"""The objects tab and an object's page as server-rendered HTML, with the console's selection and
actions for a user who may act (``include.status.console``).

Every value is escaped, and keys are quoted where they go into a link. Links are relative:
``root`` is the way from the page to the status page's root (the objects tab sits in it, an
object's page two levels down), and Airflow's UI is one level above that root. Links into the
UI open in the top window, so they leave the UI's frame.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlencode

from include.error_classes import ErrorClass
from include.ledger import LedgerRow
from include.status.console import Console, action_bar, object_actions, select_cell, select_header, toolbar
from include.status.ledger_view import OBJECT_TYPES, PAGE_SIZE, STATUSES, UNCLASSIFIED
from include.status.objects import CATEGORIES, KEY_MATCHES, ObjectDetail, ObjectFilters, ObjectsPage
from include.status.page import amount_text, e, head, nav, time_text
from include.status.resync_hint import RESYNC_DAG_ID, RESYNC_DAG_UI_PATH, ResyncHint
from include.status.summary import ObjectsListing, object_path

SHORT_VERSION = 12
CATEGORY_LABELS = {"finance": "Finance", "master": "Master data"}


def _query(filters: ObjectFilters, **changes) -> str:
    """A relative link to the objects tab with the filters changed (defaults left out)."""
    params = {**filters.as_params(), **changes}
    defaults = {"page": 1, "page_size": PAGE_SIZE, "key_match": "exact"}
    query = urlencode({k: v for k, v in params.items() if v not in (None, "") and defaults.get(k) != v})
    return f"?{query}" if query else "objects"


def _select(name: str, label: str, values, selected: str | None, labels: dict | None = None) -> str:
    options = ["<option value=''>all</option>"]
    for value in values:
        chosen = " selected" if value == selected else ""
        options.append(f"<option value='{e(value)}'{chosen}>{e((labels or {}).get(value, value))}</option>")
    return f"<label>{e(label)} <select name='{e(name)}'>{''.join(options)}</select></label> "


def _form(filters: ObjectFilters) -> str:
    matches = "".join(f"<option value='{m}'{' selected' if m == filters.key_match else ''}>{m}</option>"
                      for m in KEY_MATCHES)
    size = (f"<input type='hidden' name='page_size' value='{filters.page_size}'>"
            if filters.page_size != PAGE_SIZE else "")
    return ("<form method='get' action=''>"
            + _select("category", "category", CATEGORIES, filters.category, CATEGORY_LABELS)
            + _select("object_type", "object type", OBJECT_TYPES, filters.object_type)
            + _select("status", "status", STATUSES, filters.status)
            + _select("error_class", "error class", [*(c.value for c in ErrorClass), UNCLASSIFIED],
                      filters.error_class)
            + f"<label>key <input name='key' value='{e(filters.key)}' size='18'></label> "
            f"<select name='key_match' aria-label='key match'>{matches}</select> "
            f"<label>version <input name='version' value='{e(filters.version)}' size='12'></label> "
            f"{size}<button type='submit'>Show</button></form>")


def _error_or_hold(row: LedgerRow) -> str:
    parts = [e(row.error_class)] if row.error_class else []
    if row.hold:
        parts.append(f"held: {e(row.hold)}" + (f" ({e(row.held_for_period)})" if row.held_for_period else ""))
    return "<br>".join(parts)


def _version(value: str | None) -> str:
    if not value:
        return ""
    short = value if len(value) <= SHORT_VERSION else value[:SHORT_VERSION] + "…"
    return f"<span title='{e(value)}'>{e(short)}</span>"


def _resync_cell(hint: ResyncHint, detail_link: str) -> str:
    if hint.action is None:
        return f"<span class='muted' title='{e(hint.reason)}'>none</span>"
    return f"<a href='{e(detail_link)}#resync'>{e(hint.label)}</a>"


def render_objects_page(listing: ObjectsListing, console: Console | None = None) -> str:
    console = console or Console()
    filters = listing.filters
    query = _query(filters)
    json_link = "api/objects" + (query if query.startswith("?") else "")
    parts = [head("Integration objects", "./", console), "<h1>Integration objects</h1>", nav("./", "objects"),
             toolbar(console), "<main id='content'>",
             f"<p class='muted'>Every object of the integration ledger as of {time_text(listing.generated_at)}, "
             f"newest change first. Select a key for its history and how to re-sync it. "
             f"<a href='{e(json_link)}'>JSON</a></p>"]
    if listing.notice:
        parts.append(f"<p class='notice'>{e(listing.notice)}</p>")
    if listing.page is not None:
        parts.append(_form(filters) + _objects_table(listing.page, console))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _objects_table(page: ObjectsPage, console: Console) -> str:
    shown = (f"<p class='muted'>{page.total} object{'s' if page.total != 1 else ''}; "
             f"page {page.filters.page} of {page.pages}.</p>")
    if not page.lines:
        return shown + "<p class='ok'>No object matches.</p>" + _pager(page)
    scope = {k: v for k, v in page.filters.as_params().items() if k not in ("page", "page_size")}
    bar = action_bar(console, view="objects", filters=scope, total=page.total, shown=len(page.lines))
    rows = []
    for line in page.lines:
        row = line.row
        link = object_path(row.object_type, row.key)
        rows.append(
            f"<tr>{select_cell(console, row.object_type, row.key, row.status.value)}"
            f"<td><a href='{e(link)}'>{e(row.key)}</a></td><td>{e(row.object_type)}</td>"
            f"<td>{e(CATEGORY_LABELS.get(row.category, row.category))}</td><td>{e(line.state)}</td>"
            f"<td>{_error_or_hold(row)}</td><td class='msg'>{e(line.guidance.last_message)}</td>"
            f"<td class='mono'>{_version(row.source_version)}</td>"
            f"<td>{e(row.intacct_record_no)}</td><td class='n'>{row.attempts}</td>"
            f"<td>{time_text(row.updated_at)}</td><td>{_resync_cell(line.resync, link)}</td></tr>")
    table = (f"<table class='rows'><tr>{select_header(console)}<th>key</th><th>object type</th><th>category</th>"
             "<th>status</th><th>error class / hold</th><th>last message</th><th>source version</th>"
             "<th>Intacct RECORDNO</th><th>attempts</th><th>last change</th><th>re-sync</th></tr>"
             + "".join(rows) + "</table>")
    return shown + bar + table + _pager(page)


def _pager(page: ObjectsPage) -> str:
    links = []
    if page.filters.page > 1:
        links.append(f"<a href='{e(_query(page.filters, page=page.filters.page - 1))}'>&larr; newer</a>")
    if page.filters.page < page.pages:
        links.append(f"<a href='{e(_query(page.filters, page=page.filters.page + 1))}'>older &rarr;</a>")
    return f"<p>{' &middot; '.join(links)}</p>" if links else ""


def render_object_page(detail: ObjectDetail, root: str = "../../", console: Console | None = None) -> str:
    """An object's page; ``root`` is the relative path from it to the status page's root."""
    console = console or Console()
    row = detail.row
    title = f"{row.object_type} {row.key}"
    last_message = detail.guidance.last_message
    parts = [head(title, root, console), f"<h1>{e(row.object_type)} <code>{e(row.key)}</code></h1>", nav(root, ""),
             toolbar(console), "<main id='content'>",
             f"<p>Status: <strong class='object-state'>{e(detail.state)}</strong>. "
             f"<a href='{e(root + object_path(row.object_type, row.key).replace('object/', 'api/object/', 1))}'>"
             "JSON</a></p>", object_actions(console, row.object_type, row.key, row.status.value,
                                           detail.actions)]
    if detail.remediation is not None:
        parts.append(f"<h2>What to do</h2><p class='fix'>{e(detail.remediation)}</p>")
    if last_message:
        parts.append(f"<p>Last message:</p><pre class='last-message'>{e(last_message)}</pre>")
    parts += [_resync_section(detail.resync, root), _row_table(row), _events_table(detail), "</main></body></html>"]
    return "\n".join(parts)


def _resync_section(hint: ResyncHint, root: str) -> str:
    heading = "<h2 id='resync'>How to re-sync it</h2>"
    if hint.action is None:
        return heading + f"<p>No action applies. {e(hint.reason)}</p>"
    dag_link = root + "../" + RESYNC_DAG_UI_PATH
    return (heading + f"<p><strong>{e(hint.label)}</strong>. {e(hint.reason)} The button above does it (if "
            f"your Airflow role may trigger DAGs), or trigger the <code>{RESYNC_DAG_ID}</code> DAG from a shell "
            "where the <code>airflow</code> command works (the DAG must be unpaused):</p>"
            f"<pre>{e(hint.command)}</pre>"
            f"<p>or in the UI: open <a class='ui-link' href='{e(dag_link)}' target='_top'>the {RESYNC_DAG_ID} DAG</a>, choose "
            "Trigger and give this configuration (add <code>\"dry_run\": true</code> to see what it would "
            f"do first):</p><pre>{e(json.dumps(hint.conf, indent=2))}</pre>")


def _row_table(row: LedgerRow) -> str:
    cells = []
    for name, value in vars(row).items():
        if name == "amount":
            shown = amount_text(value)
        elif isinstance(value, datetime):
            shown = time_text(value)
        else:
            shown = e(value)
        cells.append(f"<tr><th>{e(name)}</th><td class='msg'>{shown}</td></tr>")
    return "<h2>In the ledger</h2><table>" + "".join(cells) + "</table>"


def _details(details) -> str:
    if not details:
        return ""
    if not isinstance(details, dict):
        return e(details)
    return "<br>".join(f"{e(k)}: {e(json.dumps(v) if isinstance(v, dict | list) else v)}"
                       for k, v in details.items())


def _events_table(detail: ObjectDetail) -> str:
    if not detail.events:
        return "<h2>History</h2><p class='muted'>No event recorded.</p>"
    rows = "".join(
        f"<tr><td>{time_text(ev.at)}</td><td>{e(ev.kind)}</td><td>{e(ev.from_status or '—')} &rarr; "
        f"{e(ev.to_status or '—')}</td><td class='mono'>{_version(ev.source_version)}</td><td>{e(ev.run_id)}</td>"
        f"<td>{e(ev.actor)}</td><td class='msg'>{e(ev.reason)}</td>"
        f"<td class='msg'>{_details(ev.details)}</td></tr>"
        for ev in detail.events)
    return ("<h2>History</h2><p class='muted'>Every attempt and automatic decision, oldest first.</p>"
            "<table><tr><th>at</th><th>event</th><th>status</th><th>source version</th><th>run</th><th>by</th>"
            f"<th>why</th><th>details</th></tr>{rows}</table>")
