"""Every object of the ledger, filterable like the ERP's integration page, and one object in full.

The list is ``Ledger.find`` newest change first; the detail is ``Ledger.get`` and
``Ledger.events``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from include.ledger import OBJECT_CATEGORIES, Category, Event, Ledger, LedgerRow, Status
from include.status.ledger_view import (
    ERROR_CLASS_FILTERS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    STATUSES,
    UNCLASSIFIED,
    StatusFilterError,
    remediation,
    state_of,
    whole_number,
)
from include.status.resync_hint import ResyncHint, resync_hint

CATEGORIES = tuple(c.value for c in Category)
KEY_MATCHES = ("exact", "prefix")
KEY_LENGTH = 128  # the ledger's key column
VERSION_LENGTH = 64


@dataclass(frozen=True)
class ObjectFilters:
    """The objects list's validated filters (see :func:`parse_object_filters`)."""

    category: str | None = None
    object_type: str | None = None
    status: str | None = None
    error_class: str | None = None
    key: str | None = None
    key_match: str = "exact"
    version: str | None = None  # a prefix of the ERP version or of the version in Intacct
    page: int = 1
    page_size: int = PAGE_SIZE

    def as_params(self) -> dict[str, str | int | None]:
        return {"category": self.category, "object_type": self.object_type, "status": self.status,
                "error_class": self.error_class, "key": self.key, "key_match": self.key_match,
                "version": self.version, "page": self.page, "page_size": self.page_size}


def parse_object_filters(category: str | None = None, object_type: str | None = None, status: str | None = None,
                         error_class: str | None = None, key: str | None = None, key_match: str | None = None,
                         version: str | None = None, page: str | int | None = None,
                         page_size: str | int | None = None) -> ObjectFilters:
    """Validate the list's query parameters; an empty value means "all". The key is taken as typed
    (keys may have spaces), every other text filter is trimmed."""
    category, object_type, status, error_class, version = (
        (value or "").strip() or None for value in (category, object_type, status, error_class, version))
    key = key if key and key.strip() else None
    key_match = (key_match or "").strip() or "exact"
    for name, value, allowed in (("category", category, CATEGORIES),
                                 ("object_type", object_type, OBJECT_CATEGORIES), ("status", status, STATUSES),
                                 ("error_class", error_class, ERROR_CLASS_FILTERS),
                                 ("key_match", key_match, KEY_MATCHES)):
        if value is not None and value not in allowed:
            raise StatusFilterError(name, value, allowed)
    if object_type and category and OBJECT_CATEGORIES[object_type].value != category:
        raise ValueError(f"object_type {object_type!r} is {OBJECT_CATEGORIES[object_type].value} data, "
                         f"not category {category!r}")
    for name, value, length in (("key", key, KEY_LENGTH), ("version", version, VERSION_LENGTH)):
        if value is not None and len(value) > length:
            raise ValueError(f"{name} is longer than {length} characters, the longest the ledger holds")
    return ObjectFilters(category, object_type, status, error_class, key, key_match, version,
                         whole_number("page", page, 1, 1, None),
                         whole_number("page_size", page_size, PAGE_SIZE, 1, MAX_PAGE_SIZE))


@dataclass(frozen=True)
class ObjectLine:
    """One row of the list: the ledger row, its state in words and how to re-sync it."""

    row: LedgerRow
    state: str  # the status, or for an error: "error", "held: ...", "quarantined", "hold released"
    resync: ResyncHint


@dataclass(frozen=True)
class ObjectsPage:
    lines: list[ObjectLine]
    total: int
    filters: ObjectFilters

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.filters.page_size))


@dataclass(frozen=True)
class ObjectDetail:
    """One object in full: its ledger row, its event log (oldest first), the fix and the re-sync."""

    row: LedgerRow
    state: str
    events: list[Event]
    remediation: str | None  # what a person does about its error class; None unless in error
    resync: ResyncHint


def _find_filters(filters: ObjectFilters) -> dict:
    """The objects list's filters as ``Ledger.find`` / ``Ledger.count`` keywords."""
    exact = filters.key_match == "exact"
    unclassified = filters.error_class == UNCLASSIFIED
    return {"category": filters.category, "object_type": filters.object_type, "status": filters.status,
            "error_class": None if unclassified else filters.error_class, "unclassified": unclassified or None,
            "key": filters.key if exact else None, "key_prefix": None if exact else filters.key,
            "version_prefix": filters.version}


def state_in_words(row: LedgerRow) -> str:
    return state_of(row) if row.status is Status.ERROR else row.status.value


def list_objects(ledger: Ledger, filters: ObjectFilters | None = None, now: datetime | None = None) -> ObjectsPage:
    """One page of the objects the filters select, newest change first."""
    filters = filters or ObjectFilters()
    selected = _find_filters(filters)
    total = ledger.count(**selected)
    rows = ledger.find(**selected, newest_first=True, offset=(filters.page - 1) * filters.page_size,
                       limit=filters.page_size)
    lines = [ObjectLine(row, state_in_words(row), resync_hint(row, now)) for row in rows]
    return ObjectsPage(lines, total, filters)


def object_detail(ledger: Ledger, object_type: str, key: str, now: datetime | None = None) -> ObjectDetail | None:
    """The object and its event log, or None when the ledger does not know it."""
    row = ledger.get(object_type, key)
    if row is None:
        return None
    fix = remediation(row.error_class) if row.status is Status.ERROR else None
    return ObjectDetail(row, state_in_words(row), ledger.events(object_type, key), fix, resync_hint(row, now))
