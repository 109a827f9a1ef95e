"""The routing branch: which remediation tasks a run needs.

One task per error class in ``include.remediation.HANDLERS``; the branch picks the
classes that have documents left in error by this run, and the others are skipped.
"""

from __future__ import annotations

from include.error_classes import ErrorClass
from include.ledger import Status
from include.remediation import HANDLERS, task_id_for


def error_classes_in_run(ledger, run_id: str, doc_types) -> list[ErrorClass]:
    """Error classes with at least one document of ``doc_types`` left in error by this run."""
    found = {row["error_class"] for row in ledger.reconciliation(run_id)
             if row["status"] == Status.ERROR and row["object_type"] in doc_types and row["count"]}
    return [cls for cls in ErrorClass if cls.value in found]


def remediation_tasks(ledger, run_id: str, doc_types, *, task_group: str | None = None) -> list[str]:
    """Task ids for the branch to follow (a class without a route is reported, never dropped)."""
    classes = error_classes_in_run(ledger, run_id, doc_types)
    unrouted = [cls.value for cls in classes if cls not in HANDLERS]
    if unrouted:
        raise LookupError(f"run {run_id}: no remediation route for error classes {unrouted}")
    prefix = f"{task_group}." if task_group else ""
    return [prefix + task_id_for(cls) for cls in classes]
