"""What the status page shows from the ledger: counts per object type, and the records
that need a person (in error, held or quarantined), newest first, each with its fix.

Read-only: nothing here writes to the ledger or migrates it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from include.error_classes import ERROR_CLASSES, ErrorClass
from include.ledger import OBJECT_CATEGORIES, Ledger, Status
from include.ledger.db import read_transaction
from include.ledger.records import LedgerRow
from include.ledger.schema import objects

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
UNCLASSIFIED = "unclassified"  # an error recorded without a class
STATUSES = tuple(status.value for status in Status)
ERROR_CLASS_FILTERS = (*(c.value for c in ErrorClass), UNCLASSIFIED)


class StatusFilterError(ValueError):
    """A filter of the page that cannot be applied: names the field and the allowed values."""

    def __init__(self, field_name: str, value, allowed):
        super().__init__(f"{field_name} {value!r} is not one of: {', '.join(map(str, allowed))}")
        self.field_name = field_name


@dataclass(frozen=True)
class TypeCounts:
    """One object type: how many objects per ledger status, and the errors per class."""

    object_type: str
    category: str
    by_status: dict[str, int]
    errors_by_class: dict[str, int]
    held: int
    quarantined: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class FailedRecord:
    """One object in error as a person reads it: what happened, and what to do."""

    object_type: str
    key: str
    state: str  # "error", "held: <hold>", "quarantined", "hold released"
    error_class: str
    last_message: str | None
    remediation: str
    hold: str | None
    held_for_period: str | None
    amount: Decimal | None
    posting_date: date | None
    attempts: int
    last_run_id: str | None
    updated_at: datetime


@dataclass(frozen=True)
class FailedPage:
    records: list[FailedRecord]
    total: int
    page: int
    page_size: int
    object_type: str | None = None
    error_class: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class Filters:
    """The page's validated filters (see :func:`parse_filters`)."""

    object_type: str | None = None
    error_class: str | None = None
    page: int = 1
    page_size: int = PAGE_SIZE


def parse_filters(object_type: str | None = None, error_class: str | None = None, page: str | int | None = None,
                  page_size: str | int | None = None) -> Filters:
    """Validate the page's query parameters; an empty value means "all"."""
    object_type = (object_type or "").strip() or None
    error_class = (error_class or "").strip() or None
    if object_type is not None and object_type not in OBJECT_CATEGORIES:
        raise StatusFilterError("object_type", object_type, OBJECT_CATEGORIES)
    if error_class is not None and error_class not in ERROR_CLASS_FILTERS:
        raise StatusFilterError("error_class", error_class, ERROR_CLASS_FILTERS)
    return Filters(object_type, error_class, whole_number("page", page, 1, 1, None),
                   whole_number("page_size", page_size, PAGE_SIZE, 1, MAX_PAGE_SIZE))


def whole_number(name: str, value, default: int, minimum: int, maximum: int | None) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} {value!r} is not a whole number") from None
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ValueError(f"{name} {value!r} must be {bound}")
    return number


def remediation(error_class: str | None) -> str:
    """What a person does about an error of this class (``include.error_classes``)."""
    try:
        return ERROR_CLASSES[ErrorClass(error_class)].person_does
    except ValueError:  # unclassified or a class this version does not know: read the message
        return ERROR_CLASSES[ErrorClass.UNKNOWN].person_does


def state_of(row: LedgerRow) -> str:
    """The page's word for an object in error."""
    if row.hold:
        return f"held: {row.hold}" + (f" ({row.held_for_period})" if row.held_for_period else "")
    if row.released_at is not None:
        return "hold released"
    if row.error_class == ErrorClass.DATA_QUALITY:
        return "quarantined"
    return "error"


def ledger_is_ready(ledger: Ledger) -> bool:
    """Whether the ledger's tables exist (a migrated database; ``python -m include.ledger upgrade``)."""
    with ledger.engine.connect() as conn:
        return sa.inspect(conn).has_table(objects.name)


def counts_by_type(ledger: Ledger) -> list[TypeCounts]:
    """Every known object type (finance first, then master data), plus any other type the ledger holds."""
    by_status: dict[str, dict[str, int]] = {}
    errors: dict[str, dict[str, int]] = {}
    for group in ledger.reconciliation():
        object_type, status = group["object_type"], group["status"]
        by_status.setdefault(object_type, {}).setdefault(status, 0)
        by_status[object_type][status] += group["count"]
        if status == Status.ERROR:
            error_class = group["error_class"] or UNCLASSIFIED
            errors.setdefault(object_type, {})[error_class] = group["count"]
    held = _count_by_type(objects.c.hold.is_not(None))
    with read_transaction(ledger.engine) as conn:
        held_counts = dict(conn.execute(held).all())
    types = list(OBJECT_CATEGORIES) + sorted(set(by_status) - set(OBJECT_CATEGORIES))
    categories = {t: OBJECT_CATEGORIES[t].value for t in OBJECT_CATEGORIES}
    result = []
    for object_type in types:
        counts = {status: by_status.get(object_type, {}).get(status, 0) for status in STATUSES}
        classes = dict(sorted(errors.get(object_type, {}).items(), key=lambda item: (-item[1], item[0])))
        result.append(TypeCounts(object_type, categories.get(object_type, ""), counts, classes,
                                 held_counts.get(object_type, 0), classes.get(ErrorClass.DATA_QUALITY.value, 0)))
    return result


def _count_by_type(condition):
    t = objects
    return (sa.select(t.c.object_type, sa.func.count())
            .where(t.c.status == Status.ERROR.value, condition).group_by(t.c.object_type))


def failed_records(ledger: Ledger, filters: Filters | None = None) -> FailedPage:
    """The objects in error (held and quarantined ones included), newest change first, one page."""
    filters = filters or Filters()
    unclassified = filters.error_class == UNCLASSIFIED
    selected = {"status": Status.ERROR.value, "object_type": filters.object_type or None,
                "error_class": None if unclassified else filters.error_class or None,
                "unclassified": unclassified or None}
    total = ledger.count(**selected)
    rows = ledger.find(**selected, newest_first=True, offset=(filters.page - 1) * filters.page_size,
                       limit=filters.page_size)
    return FailedPage([_failed_record(row) for row in rows], total, filters.page, filters.page_size,
                      filters.object_type, filters.error_class)


def _failed_record(row: LedgerRow) -> FailedRecord:
    error_class = row.error_class or UNCLASSIFIED
    return FailedRecord(row.object_type, row.key, state_of(row), error_class, row.last_message,
                        remediation(row.error_class), row.hold, row.held_for_period, row.amount,
                        row.posting_date, row.attempts, row.last_run_id, row.updated_at)
