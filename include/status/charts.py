"""The overview's charts, drawn on the server as inline SVG: no script, no library, no internet, and
they show inside the Airflow UI's frame like the rest of the page.

Each bar is a link to the objects it counts and has a tooltip (``<title>``) with the exact number.
Every text is escaped: object types and run ids come from the ledger.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from include.status.ledger_view import STATUSES, TypeCounts
from include.status.trend import RunOutcomes

STATUS_COLORS = {"not_integrated": "#a0aec0", "pending": "#3182ce", "success": "#38a169", "error": "#e53e3e",
                 "desynchronized": "#dd6b20"}
POSTED_COLOR, ERROR_COLOR, MANUAL_COLOR = "#38a169", "#e53e3e", "#d69e2e"
MANUAL_LABEL = "manual adjustment"
FONT = "font-family='system-ui, sans-serif' font-size='12'"


def _t(value) -> str:
    return escape(str(value), quote=True)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' role='img' aria-label='{_t(label)}' class='chart' {FONT}>"
            f"<title>{_t(label)}</title>{''.join(body)}</svg>")


def _bar(x: float, y: float, width: float, height: float, color: str, tooltip: str, link: str | None) -> str:
    rect = (f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(width, 0):.1f}' height='{height:.1f}' fill='{color}'>"
            f"<title>{_t(tooltip)}</title></rect>")
    return f"<a href='{_t(link)}'>{rect}</a>" if link else rect


def _legend(items: list[tuple[str, str]], y: int, x: int = 0) -> list[str]:
    parts = []
    for label, color in items:
        parts.append(f"<rect x='{x}' y='{y - 9}' width='10' height='10' fill='{color}'/>"
                     f"<text x='{x + 14}' y='{y}'>{_t(label)}</text>")
        x += 22 + 7 * len(label)
    return parts


def status_chart(counts: list[TypeCounts], width: int = 600) -> str:
    """One stacked bar per object type: how many objects in each status (links to the objects tab)."""
    label_width, row, top = 110, 24, 26
    scale_width = width - label_width - 60
    largest = max((c.total for c in counts), default=0) or 1
    body = _legend([(s, STATUS_COLORS[s]) for s in STATUSES], 12)
    for i, c in enumerate(counts):
        y = top + i * row
        body.append(f"<text x='0' y='{y + 12}'>{_t(c.object_type)}</text>")
        x = float(label_width)
        for status in STATUSES:
            n = c.by_status.get(status, 0)
            if not n:
                continue
            width_n = scale_width * n / largest
            link = "objects?" + urlencode({"object_type": c.object_type, "status": status})
            body.append(_bar(x, y, width_n, 16, STATUS_COLORS[status], f"{c.object_type}: {n} {status}", link))
            x += width_n
        body.append(f"<text x='{x + 6:.1f}' y='{y + 12}' fill='#4a5568'>{c.total}</text>")
    return _svg(width, top + row * len(counts) + 4, "Objects by status, per object type", body)


def errors_chart(counts: list[TypeCounts], width: int = 600) -> str:
    """One bar per error class (every object type together), and the documents waiting for a manual
    adjustment in Intacct; each links to "Needs attention" filtered by that class."""
    totals: dict[str, int] = {}
    for c in counts:
        for error_class, n in c.errors_by_class.items():
            totals[error_class] = totals.get(error_class, 0) + n
    bars = [(error_class, n, ERROR_COLOR, "?" + urlencode({"error_class": error_class}))
            for error_class, n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
    manual = sum(c.manual_adjustment for c in counts)
    if manual:
        bars.append((MANUAL_LABEL, manual, MANUAL_COLOR, "?" + urlencode({"error_class": "closed_period"})))
    if not bars:
        return _svg(width, 24, "Errors by class: none", ["<text x='0' y='16' fill='#2f855a'>No object is in "
                                                           "error.</text>"])
    label_width, row = 170, 22
    scale_width = width - label_width - 50
    largest = max(n for _, n, _, _ in bars)
    body = []
    for i, (label, n, color, link) in enumerate(bars):
        y = 4 + i * row
        body.append(f"<text x='0' y='{y + 12}'>{_t(label)}</text>")
        body.append(_bar(label_width, y, scale_width * n / largest, 16, color, f"{label}: {n}", link))
        body.append(f"<text x='{label_width + scale_width * n / largest + 6:.1f}' y='{y + 12}' "
                    f"fill='#4a5568'>{n}</text>")
    return _svg(width, 8 + row * len(bars), "Objects in error by error class", body)


def runs_chart(runs: list[RunOutcomes], width: int = 600) -> str:
    """Per run (oldest left), the documents it posted and those it left in error."""
    if not runs:
        return _svg(width, 24, "Documents per run: no run yet",
                    ["<text x='0' y='16' fill='#4a5568'>No run has recorded a document outcome yet.</text>"])
    plot_top, plot_height, axis = 24, 120, 36
    slot = (width - 40) / len(runs)
    bar = min(18.0, slot / 2 - 3)
    largest = max(max(r.posted, r.in_error) for r in runs) or 1
    body = _legend([("posted", POSTED_COLOR), ("in error", ERROR_COLOR)], 12)
    base = plot_top + plot_height
    body.append(f"<line x1='36' y1='{base}' x2='{width}' y2='{base}' stroke='#cbd5e0'/>"
                f"<text x='0' y='{plot_top + 10}' fill='#4a5568'>{largest}</text>"
                f"<text x='0' y='{base}' fill='#4a5568'>0</text>")
    for i, r in enumerate(runs):
        x = 40 + i * slot + slot / 2 - bar - 1
        for offset, n, color, what in ((0, r.posted, POSTED_COLOR, "posted"),
                                       (bar + 2, r.in_error, ERROR_COLOR, "in error")):
            height = plot_height * n / largest
            body.append(_bar(x + offset, base - height, bar, height, color, f"{r.run_id}: {n} {what}", None))
        when = r.last_outcome_at.strftime("%m-%d %H:%M") if r.last_outcome_at else ""
        body.append(f"<text x='{x + bar:.1f}' y='{base + 14}' text-anchor='middle' font-size='10'>"
                    f"{_t(when)}<title>{_t(r.run_id)}</title></text>")
    return _svg(width, base + axis - 16, f"Documents posted and in error over the last {len(runs)} runs", body)
