"""Everything the status page shows, gathered once per request, and its JSON form.

The ledger comes from the integration settings (``INTEGRATION_DB_URL``); the page
never creates it: before the first migration it says so instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import sqlalchemy as sa

from include.ledger import Ledger
from include.settings import Settings, load_settings
from include.status.ledger_view import (
    FailedPage,
    Filters,
    TypeCounts,
    counts_by_type,
    failed_records,
    ledger_is_ready,
)
from include.status.objects import (
    ObjectDetail,
    ObjectFilters,
    ObjectLine,
    ObjectsPage,
    list_objects,
    object_detail,
)
from include.status.resync_hint import RESYNC_DAG_UI_PATH, ResyncHint
from include.status.runs import RunSummary, Watermark, current_watermarks, recent_runs
from include.status.trend import RunOutcomes, recent_outcomes

NOT_MIGRATED = ("The integration ledger has no tables yet: no run has written to it. The first DAG run "
                "creates them (or run: python -m include.ledger upgrade).")


@dataclass(frozen=True)
class StatusSummary:
    filters: Filters
    generated_at: datetime
    ledger_ready: bool
    notice: str | None = None
    counts: list[TypeCounts] = field(default_factory=list)
    failed: FailedPage | None = None
    runs: list[RunSummary] = field(default_factory=list)
    watermarks: list[Watermark] = field(default_factory=list)
    trend: list[RunOutcomes] = field(default_factory=list)  # documents posted / in error, last runs, oldest first


def status_summary(filters: Filters | None = None, settings: Settings | None = None,
                   now: datetime | None = None) -> StatusSummary:
    """Counts, the page of failed records the filters select, the last runs and the watermarks."""
    from include.ledger.types import utcnow

    filters = filters or Filters()
    settings = settings or load_settings()
    generated_at = now or utcnow()
    with _ready_ledger(settings) as ledger:
        if ledger is None:
            return StatusSummary(filters, generated_at, False, NOT_MIGRATED)
        return StatusSummary(filters, generated_at, True, None, counts_by_type(ledger),
                             failed_records(ledger, filters), recent_runs(ledger, settings.reports_dir),
                             current_watermarks(ledger), recent_outcomes(ledger))


@contextmanager
def _ready_ledger(settings: Settings) -> Iterator[Ledger | None]:
    """The ledger, or None before its first migration (never creating the database)."""
    if not _database_exists(settings.integration_db_url):
        yield None
        return
    with Ledger(settings.integration_db_url) as ledger:
        yield ledger if ledger_is_ready(ledger) else None


@dataclass(frozen=True)
class ObjectsListing:
    """The objects tab: one page of the ledger's objects, or the notice that there is no ledger yet."""

    filters: ObjectFilters
    generated_at: datetime
    ledger_ready: bool
    notice: str | None = None
    page: ObjectsPage | None = None


def objects_listing(filters: ObjectFilters | None = None, settings: Settings | None = None,
                    now: datetime | None = None) -> ObjectsListing:
    from include.ledger.types import utcnow

    filters = filters or ObjectFilters()
    generated_at = now or utcnow()
    with _ready_ledger(settings or load_settings()) as ledger:
        if ledger is None:
            return ObjectsListing(filters, generated_at, False, NOT_MIGRATED)
        return ObjectsListing(filters, generated_at, True, None, list_objects(ledger, filters, generated_at))


def find_object(object_type: str, key: str, settings: Settings | None = None,
                now: datetime | None = None) -> ObjectDetail | None:
    """One object with its event log; None when the ledger does not know it (or does not exist yet)."""
    from include.ledger.types import utcnow

    with _ready_ledger(settings or load_settings()) as ledger:
        return None if ledger is None else object_detail(ledger, object_type, key, now or utcnow())


def _database_exists(url: str) -> bool:
    """False for a SQLite file not created yet (opening it would create an empty one)."""
    parsed = sa.make_url(url)
    return parsed.get_backend_name() != "sqlite" or Path(parsed.database or "").exists()


def to_json(summary: StatusSummary) -> dict[str, Any]:
    """The JSON twin of the page (amounts as decimal strings, times in ISO 8601)."""
    failed = summary.failed
    return _plain({
        "generated_at": summary.generated_at,
        "ledger_ready": summary.ledger_ready,
        "notice": summary.notice,
        "filters": {"object_type": summary.filters.object_type, "error_class": summary.filters.error_class,
                    "page": summary.filters.page, "page_size": summary.filters.page_size},
        "object_types": [{"object_type": c.object_type, "category": c.category, "total": c.total,
                          "by_status": c.by_status, "errors_by_class": c.errors_by_class, "held": c.held,
                          "quarantined": c.quarantined, "manual_adjustment": c.manual_adjustment}
                         for c in summary.counts],
        "failed": None if failed is None else {
            "total": failed.total, "page": failed.page, "pages": failed.pages, "page_size": failed.page_size,
            "records": [vars(record) for record in failed.records]},
        "runs": [vars(run) for run in summary.runs],
        "watermarks": [vars(w) for w in summary.watermarks],
        "trend": [vars(r) for r in summary.trend],
    })


def object_path(object_type: str, key: str) -> str:
    """The detail page's path relative to the status page's root, the key quoted as one path segment.

    "." and ".." cannot be path segments (browsers resolve them), so those keys go in the query.
    """
    if key in (".", ".."):
        return f"object/{quote(object_type, safe='')}?{urlencode({'key': key})}"
    return f"object/{quote(object_type, safe='')}/{quote(key, safe='')}"


def _resync_json(hint: ResyncHint) -> dict[str, Any]:
    return {"action": hint.action, "label": hint.label, "reason": hint.reason, "conf": hint.conf,
            "command": hint.command, "dag_ui_path": RESYNC_DAG_UI_PATH if hint.action else None}


def _row_json(row) -> dict[str, Any]:
    return {**asdict(row), "status": row.status.value}


def _line_json(line: ObjectLine) -> dict[str, Any]:
    row = line.row
    return {"object_type": row.object_type, "key": row.key, "category": row.category, "status": row.status.value,
            "state": line.state, "error_class": row.error_class, "case": _case(line.guidance),
            "last_message": line.guidance.last_message, "what_to_do": line.guidance.what_to_do, "hold": row.hold,
            "held_for_period": row.held_for_period, "source_version": row.source_version,
            "intacct_record_no": row.intacct_record_no, "attempts": row.attempts, "updated_at": row.updated_at,
            "detail_path": object_path(row.object_type, row.key), "resync": _resync_json(line.resync)}


def _case(guidance) -> str | None:
    return guidance.case.value if guidance.case else None


def objects_to_json(listing: ObjectsListing) -> dict[str, Any]:
    """The JSON twin of the objects tab (paths are relative to the status page's root)."""
    page = listing.page
    return _plain({
        "generated_at": listing.generated_at,
        "ledger_ready": listing.ledger_ready,
        "notice": listing.notice,
        "filters": listing.filters.as_params(),
        "total": page.total if page else 0,
        "pages": page.pages if page else 1,
        "objects": [_line_json(line) for line in page.lines] if page else [],
    })


def detail_to_json(detail: ObjectDetail) -> dict[str, Any]:
    """The JSON twin of an object's page: its ledger row, event log, fix and re-sync."""
    return _plain({
        "object": _row_json(detail.row),
        "state": detail.state,
        "case": _case(detail.guidance),
        "last_message": detail.guidance.last_message,
        "remediation": detail.remediation,
        "resync": _resync_json(detail.resync),
        "events": [asdict(event) for event in detail.events],
    })


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | Path):
        return str(value)
    return value
