"""The integration status page: what is stuck and why, with the fix, from the ledger and the run store.

``status_summary`` gathers it (plain functions over the Ledger API), ``render_page`` and
``to_json`` shape it, ``web.app`` serves it; the Airflow plugin in ``plugins/`` mounts it.
``objects_listing`` and ``find_object`` gather the objects tab and an object's page (with its
event log and how to re-sync it, ``resync_hint``), ``render_objects_page`` / ``render_object_page``
and ``objects_to_json`` / ``detail_to_json`` shape them. ``guidance`` says what to do about an
object (from ``include.error_classes``), ``actions`` which console action applies to it,
``web_actions`` carries them out (``airflow_api``: Airflow's REST API as the user), ``charts``
and ``trend`` draw the overview's charts, ``console`` and ``static/console.js`` the page's controls.
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
from include.status.objects import (
    ObjectDetail,
    ObjectFilters,
    ObjectLine,
    ObjectsPage,
    list_objects,
    object_detail,
    parse_object_filters,
)
from include.status.objects_page import render_object_page, render_objects_page
from include.status.page import render_page
from include.status.resync_hint import (
    RESYNC_DAG_ID,
    RESYNC_DAG_UI_PATH,
    ResyncHint,
    resync_hint,
    trigger_command,
)
from include.status.runs import RunSummary, current_watermarks, recent_runs, report_paths
from include.status.summary import (
    ObjectsListing,
    StatusSummary,
    detail_to_json,
    find_object,
    object_path,
    objects_listing,
    objects_to_json,
    status_summary,
    to_json,
)

__all__ = [
    "FailedPage",
    "FailedRecord",
    "Filters",
    "ObjectDetail",
    "ObjectFilters",
    "ObjectLine",
    "ObjectsListing",
    "ObjectsPage",
    "RESYNC_DAG_ID",
    "RESYNC_DAG_UI_PATH",
    "ResyncHint",
    "RunSummary",
    "StatusFilterError",
    "StatusSummary",
    "TypeCounts",
    "counts_by_type",
    "current_watermarks",
    "detail_to_json",
    "failed_records",
    "find_object",
    "list_objects",
    "object_detail",
    "object_path",
    "objects_listing",
    "objects_to_json",
    "parse_filters",
    "parse_object_filters",
    "recent_runs",
    "remediation",
    "render_object_page",
    "render_objects_page",
    "render_page",
    "report_paths",
    "resync_hint",
    "status_summary",
    "to_json",
    "trigger_command",
]
