"""Which held documents wait for which user-defined dimension, and releasing them dimension by dimension.

A document held as ``dimension_unavailable`` names the dimensions it could not use: validation
lists them as ``dimensions.<NAME>`` issues in its latest ``validation_failed`` event, and a
document Intacct refused names it in Intacct's message ("User-defined dimension 'CHANNEL' is not
available"). Once every dimension a document waits for reads again, its hold is released (the
next transactions run claims and posts it), whatever the other dimensions do. A document whose
dimensions cannot be told is released only once no dimension is unreadable.
"""

from __future__ import annotations

import re
from collections import defaultdict

from include.error_classes import ErrorClass

DIMENSION_FIELD_PREFIX = "dimensions."
HELD_FOR_DIMENSION = "dimension_unavailable"  # the ledger's hold (include.ledger.Hold)
_INTACCT_NAMES = re.compile(r"dimension '([^']+)' (?:is not available|is inactive|is not permitted)", re.IGNORECASE)


def dimensions_in_issues(issues: list[dict]) -> set[str]:
    """The dimensions named by the ``dimension_unavailable`` issues of a validation failure."""
    return {issue["field"][len(DIMENSION_FIELD_PREFIX):] for issue in issues
            if issue.get("error_class") == ErrorClass.DIMENSION_UNAVAILABLE.value
            and str(issue.get("field") or "").startswith(DIMENSION_FIELD_PREFIX)}


def awaited_dimensions(ledger, object_type: str, key: str) -> set[str] | None:
    """The dimensions the document's latest attempt could not use; None when it cannot be told."""
    for event in reversed(ledger.events(object_type, key)):
        details = event.details or {}
        if event.kind == "validation_failed":
            return dimensions_in_issues(list(details.get("issues") or [])) or None
        if event.kind == "failed" and details.get("sent", True) is not False:  # Intacct's own refusal
            return set(_INTACCT_NAMES.findall(str(details.get("message") or ""))) or None
        if event.kind == "claimed":
            return None  # the attempt's failure says nothing about dimensions
    return None


def release_for_readable_dimensions(ledger, *, readable: set[str], unreadable: set[str], run_id: str | None,
                                   reason_prefix: str) -> int:
    """Release every document held for ``dimension_unavailable`` whose awaited dimensions are all in
    ``readable``; returns how many. ``reason_prefix`` says who read them ("the master-data sync read")."""
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for row in ledger.find(status="error", hold=HELD_FOR_DIMENSION):
        awaited = awaited_dimensions(ledger, row.object_type, row.key)
        if awaited is None:
            if unreadable:
                continue  # which dimension it waits for is unknown: not while any dimension is unreadable
            groups[(row.object_type, ())].append(row.key)
        elif awaited <= readable:
            groups[(row.object_type, tuple(sorted(awaited)))].append(row.key)
    released = 0
    for (object_type, names), keys in sorted(groups.items()):
        what = (f"user-defined dimension(s) {', '.join(names)}" if names else
                "every user-defined dimension")
        released += ledger.release_holds(
            hold=HELD_FOR_DIMENSION, object_type=object_type, keys=keys, run_id=run_id,
            reason=f"{reason_prefix} {what} again: the documents held for it are retried")
    return released
