"""What the status page shows from the ledger: counts per object type, and the records
that need a person (in error, held, quarantined, or flagged for a manual adjustment in
Intacct), newest first, each with its last message and fix (``include.status.guidance``).

Read-only: nothing here writes to the ledger or migrates it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from include.error_classes import ErrorClass
from include.ledger import OBJECT_CATEGORIES, Category, Ledger, Status
from include.ledger.db import read_transaction
from include.ledger.records import LEDGER_ROW_COLUMNS, LedgerRow
from include.ledger.schema import objects
from include.masterdata.dimensions import DIMENSION_OBJECT_TYPE
from include.status.guidance import (
    ManualFlag,
    class_advice,
    closed_books_date,
    error_state,
    flagged_condition,
    guidance_for,
    manual_flags,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
UNCLASSIFIED = "unclassified"  # an error recorded without a class
STATUSES = tuple(status.value for status in Status)
ERROR_CLASS_FILTERS = (*(c.value for c in ErrorClass), UNCLASSIFIED)
# Every object type a filter accepts, with its category: the ledger's documents and masters, and master
# data's user-defined dimensions (their availability is a master-data object of the ledger).
KNOWN_CATEGORIES: dict[str, str] = {**{t: c.value for t, c in OBJECT_CATEGORIES.items()},
                                    DIMENSION_OBJECT_TYPE: Category.MASTER.value}
OBJECT_TYPES = tuple(KNOWN_CATEGORIES)


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
    manual_adjustment: int = 0  # desynchronized, flagged for a manual adjustment in Intacct

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class FailedRecord:
    """One object that needs a person as they read it: what happened, and what to do."""

    object_type: str
    key: str
    state: str  # "error", "held: <hold>", "quarantined", "hold released", "manual adjustment required (...)"
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
    category: str = ""
    status: str = Status.ERROR.value
    case: str | None = None  # an include.error_classes.ErrorCase with its own advice


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
    if object_type is not None and object_type not in OBJECT_TYPES:
        raise StatusFilterError("object_type", object_type, OBJECT_TYPES)
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
    return class_advice(error_class)


def state_of(row: LedgerRow) -> str:
    """The page's word for an object in error."""
    return error_state(row)


def ledger_is_ready(ledger: Ledger) -> bool:
    """Whether the ledger's tables exist (a migrated database; ``python -m include.ledger upgrade``)."""
    with ledger.engine.connect() as conn:
        return sa.inspect(conn).has_table(objects.name)


def object_type_categories(ledger: Ledger) -> dict[str, str]:
    """Every object type the page knows or the ledger holds, with its category (finance first, then master
    data): the ledger's own table, the UDD availability objects of master data, and whatever else the
    ledger's rows say."""
    known = KNOWN_CATEGORIES
    with read_transaction(ledger.engine) as conn:
        stored = dict(conn.execute(sa.select(objects.c.object_type, sa.func.min(objects.c.category))
                                   .group_by(objects.c.object_type)).all())
    types = {**known, **{t: c for t, c in sorted(stored.items()) if t not in known}}
    order = {Category.FINANCE.value: 0, Category.MASTER.value: 1}
    return dict(sorted(types.items(), key=lambda item: order.get(item[1], 2)))


def counts_by_type(ledger: Ledger) -> list[TypeCounts]:
    """Every object type (finance first, then master data), also those without any object yet."""
    by_status: dict[str, dict[str, int]] = {}
    errors: dict[str, dict[str, int]] = {}
    for group in ledger.reconciliation():
        object_type, status = group["object_type"], group["status"]
        by_status.setdefault(object_type, {}).setdefault(status, 0)
        by_status[object_type][status] += group["count"]
        if status == Status.ERROR:
            error_class = group["error_class"] or UNCLASSIFIED
            errors.setdefault(object_type, {})[error_class] = group["count"]
    with read_transaction(ledger.engine) as conn:
        held_counts = dict(conn.execute(_count_by_type(objects.c.status == Status.ERROR.value,
                                                       objects.c.hold.is_not(None))).all())
        manual_counts = dict(conn.execute(_count_by_type(flagged_condition())).all())
    result = []
    for object_type, category in object_type_categories(ledger).items():
        counts = {status: by_status.get(object_type, {}).get(status, 0) for status in STATUSES}
        classes = dict(sorted(errors.get(object_type, {}).items(), key=lambda item: (-item[1], item[0])))
        result.append(TypeCounts(object_type, category, counts, classes, held_counts.get(object_type, 0),
                                 classes.get(ErrorClass.DATA_QUALITY.value, 0),
                                 manual_counts.get(object_type, 0)))
    return result


def _count_by_type(*conditions):
    t = objects
    return sa.select(t.c.object_type, sa.func.count()).where(*conditions).group_by(t.c.object_type)


def attention_condition(object_type: str | None = None, error_class: str | None = None):
    """SQL: the objects that need a person, in error (held and quarantined ones too) or flagged for a manual
    adjustment (those count as closed_period), optionally of one type and class."""
    t = objects
    in_error = [t.c.status == Status.ERROR.value]
    if error_class == UNCLASSIFIED:
        in_error.append(t.c.error_class.is_(None))
    elif error_class:
        in_error.append(t.c.error_class == error_class)
    needs = sa.and_(*in_error)
    if error_class in (None, ErrorClass.CLOSED_PERIOD.value):
        needs = sa.or_(needs, flagged_condition())
    return sa.and_(needs, t.c.object_type == object_type) if object_type else needs


def failed_records(ledger: Ledger, filters: Filters | None = None) -> FailedPage:
    """The objects that need a person (see :func:`attention_condition`), newest change first, one page."""
    filters = filters or Filters()
    condition = attention_condition(filters.object_type, filters.error_class)
    t = objects
    with read_transaction(ledger.engine) as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(t).where(condition)).scalar_one()
        rows = [LedgerRow.from_mapping(r) for r in conn.execute(
            sa.select(*(t.c[name] for name in LEDGER_ROW_COLUMNS)).where(condition)
            .order_by(t.c.updated_at.desc(), t.c.id.desc())
            .offset((filters.page - 1) * filters.page_size).limit(filters.page_size)).mappings()]
    flags = manual_flags(ledger, rows)
    closed_through = closed_books_date(ledger) if flags else None
    return FailedPage([_failed_record(row, flags.get((row.object_type, row.key)), closed_through) for row in rows],
                      total, filters.page, filters.page_size, filters.object_type, filters.error_class)


def _failed_record(row: LedgerRow, flag: ManualFlag | None, closed_through) -> FailedRecord:
    guidance = guidance_for(row, flag, closed_through)
    return FailedRecord(row.object_type, row.key, guidance.state, guidance.error_class or UNCLASSIFIED,
                        guidance.last_message, guidance.what_to_do or "", row.hold, row.held_for_period, row.amount,
                        row.posting_date, row.attempts, row.last_run_id, row.updated_at, row.category,
                        row.status.value, guidance.case.value if guidance.case else None)
