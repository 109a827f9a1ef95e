"""The last runs of the transactions DAG as the run store recorded them, with the path
of each run's reconciliation report and whether it accounted for every document.

Read-only: the run store's tables are read through the ledger's engine (they live in
the same integration database) without migrating anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from include.ledger import Ledger
from include.ledger.db import read_transaction
from include.pipeline.run_store import run_selections, watermarks
from include.remediation.data_quality import safe_name

RUNS_SHOWN = 10


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    started_at: datetime | None
    extracted: dict[str, int]  # document type -> documents the run selected
    selection: str  # the run's plan in words
    report_markdown: Path | None  # None: no report (the run has not reconciled yet, or failed before)
    report_json: Path | None
    reconciled: bool | None  # every document accounted for; None without a report
    unaccounted: int | None


@dataclass(frozen=True)
class Watermark:
    doc_type: str
    updated_through: datetime
    run_id: str
    advanced_at: datetime


def report_paths(reports_dir: Path, run_id: str) -> tuple[Path, Path]:
    """Where the reconcile step writes a run's Markdown and JSON reports."""
    base = Path(reports_dir) / f"reconciliation_{safe_name(run_id)}"
    return base.with_suffix(".md"), base.with_suffix(".json")


def recent_runs(ledger: Ledger, reports_dir: Path, limit: int = RUNS_SHOWN) -> list[RunSummary]:
    """The ``limit`` runs that selected documents last, newest first."""
    s = run_selections
    if not _has_table(ledger, s.name):
        return []
    newest = (sa.select(s.c.run_id, sa.func.min(s.c.created_at).label("started"))
              .group_by(s.c.run_id).order_by(sa.func.max(s.c.created_at).desc(), s.c.run_id.desc()).limit(limit))
    with read_transaction(ledger.engine) as conn:
        started = {row.run_id: row.started for row in conn.execute(newest)}
        rows = conn.execute(sa.select(s.c.run_id, s.c.doc_type, s.c.plan, s.c.extracted)
                            .where(s.c.run_id.in_(list(started))).order_by(s.c.doc_type)).all() if started else []
    by_run: dict[str, list] = {}
    for row in rows:
        by_run.setdefault(row.run_id, []).append(row)
    return [_summary(run_id, _parse(first_seen), by_run.get(run_id, []), reports_dir)
            for run_id, first_seen in started.items()]


def _summary(run_id: str, started_at: datetime | None, rows: list, reports_dir: Path) -> RunSummary:
    markdown, data = report_paths(reports_dir, run_id)
    reconciled = unaccounted = None
    if data.exists():
        try:
            report = json.loads(data.read_text())
            reconciled, unaccounted = bool(report.get("ok")), len(report.get("unaccounted") or [])
        except (OSError, ValueError):  # being written, or not ours: show the path, not a verdict
            pass
    return RunSummary(run_id, started_at, {row.doc_type: row.extracted for row in rows}, _selection(rows),
                      markdown if markdown.exists() else None, data if data.exists() else None,
                      reconciled, unaccounted)


def _selection(rows: list) -> str:
    """The plan in words; every document type of a run shares one plan."""
    if not rows:
        return ""
    from include.pipeline.selection import RunPlan

    try:
        return RunPlan.from_json(json.loads(rows[0].plan)).describe()
    except (KeyError, TypeError, ValueError) as exc:
        return f"(selection not readable: {type(exc).__name__})"


def current_watermarks(ledger: Ledger) -> list[Watermark]:
    """Per document type, the upper bound of the last run that accounted for everything."""
    w = watermarks
    if not _has_table(ledger, w.name):
        return []
    with read_transaction(ledger.engine) as conn:
        rows = conn.execute(sa.select(w).order_by(w.c.doc_type)).all()
    return [Watermark(r.doc_type, _parse(r.updated_through), r.run_id, _parse(r.advanced_at)) for r in rows]


def _has_table(ledger: Ledger, name: str) -> bool:
    with ledger.engine.connect() as conn:
        return sa.inspect(conn).has_table(name)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
