"""The integration status page: what is stuck and why, with the fix, from the ledger and the run store.

``status_summary`` gathers it (plain functions over the Ledger API), ``render_page`` and
``to_json`` shape it, ``web.app`` serves it; the Airflow plugin in ``plugins/`` mounts it.
"""

from include.status.ledger_view import (
    FailedPage,
    FailedRecord,
    Filters,
    StatusFilterError,
    TypeCounts,
    counts_by_type,
    failed_records,
    parse_filters,
    remediation,
)
from include.status.page import render_page
from include.status.runs import RunSummary, current_watermarks, recent_runs, report_paths
from include.status.summary import StatusSummary, status_summary, to_json

__all__ = [
    "FailedPage",
    "FailedRecord",
    "Filters",
    "RunSummary",
    "StatusFilterError",
    "StatusSummary",
    "TypeCounts",
    "counts_by_type",
    "current_watermarks",
    "failed_records",
    "parse_filters",
    "recent_runs",
    "remediation",
    "render_page",
    "report_paths",
    "status_summary",
    "to_json",
]
