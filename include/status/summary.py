"""Everything the status page shows, gathered once per request, and its JSON form.

The ledger comes from the integration settings (``INTEGRATION_DB_URL``); the page
never creates it: before the first migration it says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from include.status.runs import RunSummary, Watermark, current_watermarks, recent_runs

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


def status_summary(filters: Filters | None = None, settings: Settings | None = None,
                   now: datetime | None = None) -> StatusSummary:
    """Counts, the page of failed records the filters select, the last runs and the watermarks."""
    from include.ledger.types import utcnow

    filters = filters or Filters()
    settings = settings or load_settings()
    generated_at = now or utcnow()
    if not _database_exists(settings.integration_db_url):
        return StatusSummary(filters, generated_at, False, NOT_MIGRATED)
    with Ledger(settings.integration_db_url) as ledger:
        if not ledger_is_ready(ledger):
            return StatusSummary(filters, generated_at, False, NOT_MIGRATED)
        return StatusSummary(filters, generated_at, True, None, counts_by_type(ledger),
                             failed_records(ledger, filters), recent_runs(ledger, settings.reports_dir),
                             current_watermarks(ledger))


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
                          "quarantined": c.quarantined} for c in summary.counts],
        "failed": None if failed is None else {
            "total": failed.total, "page": failed.page, "pages": failed.pages, "page_size": failed.page_size,
            "records": [vars(record) for record in failed.records]},
        "runs": [vars(run) for run in summary.runs],
        "watermarks": [vars(w) for w in summary.watermarks],
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
