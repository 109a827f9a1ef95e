"""The status page's overview as server-rendered HTML: charts, counts, "Needs attention" with its
selection and actions, the re-sync runs, the last transactions runs and the watermarks.

Every value is escaped: keys and messages come from the ERP and from Intacct. Links
are relative to the page, so it works under any mount point and inside the Airflow
UI's frame. The page reads in full without script; ``static/console.js`` adds selection,
actions and refresh (``include.status.console``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

from include.error_classes import ErrorClass
from include.status.charts import errors_chart, runs_chart, status_chart
from include.status.console import (
    Console,
    action_bar,
    body_tag,
    recent_runs_section,
    script_tag,
    select_cell,
    select_header,
    toolbar,
)
from include.status.ledger_view import (
    OBJECT_TYPES,
    PAGE_SIZE,
    STATUSES,
    UNCLASSIFIED,
    FailedPage,
    Filters,
    remediation,
)
from include.status.summary import StatusSummary, object_path

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a202c; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
table { border-collapse: collapse; font-size: .9rem; } th, td { border: 1px solid #cbd5e0; padding: .3rem .5rem;
  text-align: left; vertical-align: top; } th { background: #edf2f7; } td.n { text-align: right; }
td.msg { white-space: pre-wrap; max-width: 36rem; } td.fix { max-width: 28rem; }
.muted { color: #4a5568; font-size: .85rem; } .notice { background: #fefcbf; padding: .5rem .75rem; }
.bad { color: #c53030; font-weight: 600; } .ok { color: #2f855a; } form { margin: .5rem 0; }
.tabs { margin: .25rem 0 .75rem; } td.mono, code { font-family: ui-monospace, monospace; }
pre { background: #f7fafc; border: 1px solid #cbd5e0; padding: .5rem; white-space: pre-wrap; word-break: break-all; }
.toolbar { margin: .25rem 0 .5rem; } .actionbar { background: #ebf8ff; border: 1px solid #90cdf4; padding: .4rem .6rem;
  margin: .5rem 0; } .actionbar button { margin-right: .25rem; } th.pick, td.pick { width: 1.5rem; text-align: center; }
.action-result, #runs { white-space: pre-wrap; } #runs .run { background: #f0fff4; border: 1px solid #9ae6b4;
  padding: .4rem .6rem; margin: .25rem 0; } #runs .run.failed, .refused { background: #fff5f5; border-color: #feb2b2; }
.refused { border: 1px solid #feb2b2; padding: .3rem .5rem; margin: .25rem 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem 2rem; } .charts figure { margin: 0; }
.charts figcaption { font-weight: 600; margin-bottom: .25rem; } svg.chart { max-width: 100%; height: auto; }
tr.selected td { background: #ebf8ff; }
"""
CENT = Decimal("0.01")


def e(value) -> str:
    """Escaped text of a value; nothing for None."""
    return "" if value is None else escape(str(value), quote=True)


def _query(filters: Filters, **changes) -> str:
    """A relative link to this page with the filters changed (defaults left out; "./": no filter at all,
    since an empty link would keep the current query)."""
    params = {"object_type": filters.object_type, "error_class": filters.error_class, "page": filters.page,
              "page_size": filters.page_size, **changes}
    defaults = {"page": 1, "page_size": PAGE_SIZE}
    query = urlencode({k: v for k, v in params.items() if v not in (None, "") and defaults.get(k) != v})
    return f"?{query}" if query else "./"


def amount_text(value: Decimal | None) -> str:
    """Cents when the amount has no finer digits; every digit otherwise."""
    if value is None:
        return ""
    cents = value.quantize(CENT)
    return e(f"{cents:,}" if cents == value else f"{value.normalize():,f}")


def time_text(value: datetime | None) -> str:
    return e(value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()) if value else ""


def head(title: str, root: str = "./", console: Console | None = None) -> str:
    """The document's head and body tag; ``root`` is the relative path from the page to the status page's root."""
    console = console or Console()
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{e(title)}</title><style>{STYLE}</style>{script_tag(root)}</head>{body_tag(root, console)}")


def nav(root: str, current: str) -> str:
    """The tabs; ``root`` is the relative path from this page to the status page's root."""
    tabs = []
    for name, path in (("overview", root), ("objects", root + "objects")):
        tabs.append(f"<strong>{e(name)}</strong>" if name == current else f"<a href='{e(path)}'>{e(name)}</a>")
    return f"<p class='tabs'>{' &middot; '.join(tabs)}</p>"


def render_page(summary: StatusSummary, console: Console | None = None) -> str:
    console = console or Console()
    filters = summary.filters
    query = _query(filters)
    json_link = "api/summary" + (query if query.startswith("?") else "")
    parts = [
        head("Integration status", "./", console),
        "<h1>Integration status</h1>",
        nav("./", "overview"),
        toolbar(console),
        "<main id='content'>",
        f"<p class='muted'>The integration ledger as of {time_text(summary.generated_at)}. "
        f"<a href='{e(json_link)}'>JSON</a></p>",
    ]
    if summary.notice:
        parts.append(f"<p class='notice'>{e(summary.notice)}</p>")
    if summary.ledger_ready:
        parts += [_charts(summary), _counts(summary), _failed(summary.failed, filters, console),
                  recent_runs_section(console, "./"), _runs(summary), _watermarks(summary)]
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _charts(summary: StatusSummary) -> str:
    figures = (("Status counts per object type", status_chart(summary.counts)),
               ("Objects in error per class", errors_chart(summary.counts)),
               (f"Documents posted / in error, last {len(summary.trend)} runs", runs_chart(summary.trend)))
    return ("<section class='charts' aria-label='charts'>"
            + "".join(f"<figure><figcaption>{e(caption)}</figcaption>{svg}</figure>" for caption, svg in figures)
            + "</section>")


def _counts(summary: StatusSummary) -> str:
    head = "".join(f"<th>{e(status)}</th>" for status in STATUSES)
    rows = []
    for counts in summary.counts:
        cells = []
        for status in STATUSES:
            n = counts.by_status[status]
            if status == "error" and n:
                cells.append(f"<td class='n bad'><a href='{e(_query(Filters(), object_type=counts.object_type))}'>"
                             f"{n}</a></td>")
            elif n:  # the objects tab lists them
                link = "objects?" + urlencode({"object_type": counts.object_type, "status": status})
                cells.append(f"<td class='n'><a href='{e(link)}'>{n}</a></td>")
            else:
                cells.append(f"<td class='n'>{n}</td>")
        manual = counts.manual_adjustment
        manual_cell = (f"<a href='{e(_query(Filters(), object_type=counts.object_type, error_class='closed_period'))}'>"
                       f"{manual}</a>" if manual else "0")
        rows.append(f"<tr><td>{e(counts.object_type)}</td><td>{e(counts.category)}</td>{''.join(cells)}"
                    f"<td class='n'>{counts.held}</td><td class='n'>{counts.quarantined}</td>"
                    f"<td class='n'>{manual_cell}</td><td class='n'>{counts.total}</td></tr>")
    classes = []
    for counts in summary.counts:
        for error_class, n in counts.errors_by_class.items():
            link = _query(Filters(), object_type=counts.object_type, error_class=error_class)
            classes.append(f"<tr><td>{e(counts.object_type)}</td><td><a href='{e(link)}'>{e(error_class)}</a></td>"
                           f"<td class='n'>{n}</td><td class='fix'>{e(remediation(error_class))}</td></tr>")
    by_class = ("<table><tr><th>object type</th><th>error class</th><th>in error</th><th>what to do</th></tr>"
                + "".join(classes) + "</table>") if classes else "<p class='ok'>No object is in error.</p>"
    return ("<h2>Objects by status</h2>"
            f"<table><tr><th>object type</th><th>category</th>{head}<th>of which held</th>"
            f"<th>of which quarantined</th><th>of which manual adjustment (desynchronized)</th><th>total</th></tr>"
            f"{''.join(rows)}</table>"
            f"<h2>Errors by class</h2>{by_class}")


def _options(values, selected: str | None, everything: str) -> str:
    options = [f"<option value=''>{e(everything)}</option>"]
    for value in values:
        chosen = " selected" if value == selected else ""
        options.append(f"<option value='{e(value)}'{chosen}>{e(value)}</option>")
    return "".join(options)


def _failed(page: FailedPage, filters: Filters, console: Console) -> str:
    types = _options(OBJECT_TYPES, filters.object_type, "all")
    classes = _options([*(c.value for c in ErrorClass), UNCLASSIFIED], filters.error_class, "all")
    form = ("<form method='get' action=''>"
            f"<label>object type <select name='object_type'>{types}</select></label> "
            f"<label>error class <select name='error_class'>{classes}</select></label> "
            "<button type='submit'>Show</button></form>")
    shown = f"{page.total} object{'s' if page.total != 1 else ''} need{'s' if page.total == 1 else ''} attention"
    if page.object_type or page.error_class:
        shown += " (" + ", ".join(e(v) for v in (page.object_type, page.error_class) if v) + ")"
    heading = (f"<h2 id='attention'>Needs attention</h2><p class='muted'>Objects in error, held or quarantined, "
               f"and documents changed after posting in a closed period (adjust them in Intacct), newest change "
               f"first. {shown}; page {page.page} of {page.pages}.</p>{form}")
    if not page.records:
        return heading + "<p class='ok'>Nothing to show.</p>" + _pager(page, filters)
    scope = {"object_type": filters.object_type, "error_class": filters.error_class}
    bar = action_bar(console, view="attention", filters=scope, total=page.total, shown=len(page.records))
    rows = []
    for r in page.records:
        rows.append(
            f"<tr>{select_cell(console, r.object_type, r.key, r.status)}<td>{time_text(r.updated_at)}</td>"
            f"<td>{e(r.object_type)}</td>"
            f"<td><a href='{e(object_path(r.object_type, r.key))}'>{e(r.key)}</a></td><td>{e(r.state)}</td>"
            f"<td>{e(r.error_class)}</td><td class='n'>{amount_text(r.amount)}</td><td>{e(r.posting_date)}</td>"
            f"<td class='n'>{r.attempts}</td><td class='msg'>{e(r.last_message)}</td>"
            f"<td class='fix'>{e(r.remediation)}</td><td>{e(r.last_run_id)}</td></tr>")
    table = (f"<table class='rows'><tr>{select_header(console)}<th>changed</th><th>object type</th><th>key</th>"
             "<th>state</th><th>error class</th><th>amount</th><th>posting date</th><th>attempts</th>"
             "<th>last message</th><th>what to do</th><th>last run</th></tr>" + "".join(rows) + "</table>")
    return heading + bar + table + _pager(page, filters)


def _pager(page: FailedPage, filters: Filters) -> str:
    links = []
    if page.page > 1:
        links.append(f"<a href='{e(_query(filters, page=page.page - 1))}'>&larr; newer</a>")
    if page.page < page.pages:
        links.append(f"<a href='{e(_query(filters, page=page.page + 1))}'>older &rarr;</a>")
    return f"<p>{' &middot; '.join(links)}</p>" if links else ""


def _runs(summary: StatusSummary) -> str:
    if not summary.runs:
        return "<h2>Last runs</h2><p class='muted'>No transactions run has selected documents yet.</p>"
    rows = []
    for run in summary.runs:
        extracted = ", ".join(f"{e(doc_type)}: {n}" for doc_type, n in run.extracted.items())
        if run.reconciled is None:
            verdict = "<span class='muted'>no report yet</span>"
        elif run.reconciled:
            verdict = "<span class='ok'>every document accounted for</span>"
        else:
            verdict = f"<span class='bad'>NOT RECONCILED ({e(run.unaccounted)} unaccounted)</span>"
        reports = "<br>".join(e(path) for path in (run.report_markdown, run.report_json) if path)
        rows.append(f"<tr><td>{e(run.run_id)}</td><td>{time_text(run.started_at)}</td><td>{e(run.selection)}</td>"
                    f"<td>{extracted}</td><td>{verdict}</td><td>{reports}</td></tr>")
    return ("<h2>Last runs</h2><table><tr><th>run</th><th>started</th><th>selection</th><th>selected</th>"
            "<th>reconciliation</th><th>report</th></tr>" + "".join(rows) + "</table>")


def _watermarks(summary: StatusSummary) -> str:
    if not summary.watermarks:
        return ""
    rows = "".join(f"<tr><td>{e(w.doc_type)}</td><td>{time_text(w.updated_through)}</td><td>{e(w.run_id)}</td>"
                   f"<td>{time_text(w.advanced_at)}</td></tr>" for w in summary.watermarks)
    return ("<h2>Watermarks</h2><p class='muted'>Per document type, the ERP changes up to this time are "
            "accounted for; the next scheduled run selects what changed after it.</p>"
            "<table><tr><th>document type</th><th>accounted through</th><th>by run</th><th>advanced</th></tr>"
            f"{rows}</table>")
