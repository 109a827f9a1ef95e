"""Every object of the ledger, filterable like the ERP's integration page, and one object in full.

The list is ``Ledger.find`` newest change first; the detail is ``Ledger.get`` and
``Ledger.events``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from include.ledger import Category, Event, Ledger, LedgerRow
from include.status.actions import CONSOLE_ACTIONS, refusal
from include.status.guidance import Guidance, closed_books_date, guidance_for, manual_flags, still_closed
from include.status.ledger_view import (
    ERROR_CLASS_FILTERS,
    KNOWN_CATEGORIES,
    MAX_PAGE_SIZE,
    OBJECT_TYPES,
    PAGE_SIZE,
    STATUSES,
    UNCLASSIFIED,
    StatusFilterError,
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
                                 ("object_type", object_type, OBJECT_TYPES), ("status", status, STATUSES),
                                 ("error_class", error_class, ERROR_CLASS_FILTERS),
                                 ("key_match", key_match, KEY_MATCHES)):
        if value is not None and value not in allowed:
            raise StatusFilterError(name, value, allowed)
    if object_type and category and (known := KNOWN_CATEGORIES[object_type]) != category:
        raise ValueError(f"object_type {object_type!r} is {known} data, not category {category!r}")
    for name, value, length in (("key", key, KEY_LENGTH), ("version", version, VERSION_LENGTH)):
        if value is not None and len(value) > length:
            raise ValueError(f"{name} is longer than {length} characters, the longest the ledger holds")
    return ObjectFilters(category, object_type, status, error_class, key, key_match, version,
                         whole_number("page", page, 1, 1, None),
                         whole_number("page_size", page_size, PAGE_SIZE, 1, MAX_PAGE_SIZE))


@dataclass(frozen=True)
class ObjectLine:
    """One row of the list: the ledger row, its state in words, last message, fix and how to re-sync it."""

    row: LedgerRow
    guidance: Guidance
    resync: ResyncHint

    @property
    def state(self) -> str:  # the status, or "error", "held: ...", "quarantined", "manual adjustment ..."
        return self.guidance.state


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
    guidance: Guidance
    events: list[Event]
    resync: ResyncHint
    actions: dict[str, str | None] = field(default_factory=dict)  # console action -> why not (None: applies)

    @property
    def state(self) -> str:
        return self.guidance.state

    @property
    def remediation(self) -> str | None:
        """What a person does (the error class's advice, or its case's); None when nothing needs them."""
        return self.guidance.what_to_do


def find_filters(filters: ObjectFilters) -> dict:
    """The objects list's filters as ``Ledger.find`` / ``Ledger.count`` keywords."""
    exact = filters.key_match == "exact"
    unclassified = filters.error_class == UNCLASSIFIED
    return {"category": filters.category, "object_type": filters.object_type, "status": filters.status,
            "error_class": None if unclassified else filters.error_class, "unclassified": unclassified or None,
            "key": filters.key if exact else None, "key_prefix": None if exact else filters.key,
            "version_prefix": filters.version}


def list_objects(ledger: Ledger, filters: ObjectFilters | None = None, now: datetime | None = None) -> ObjectsPage:
    """One page of the objects the filters select, newest change first."""
    filters = filters or ObjectFilters()
    selected = find_filters(filters)
    total = ledger.count(**selected)
    rows = ledger.find(**selected, newest_first=True, offset=(filters.page - 1) * filters.page_size,
                       limit=filters.page_size)
    flags = manual_flags(ledger, rows)
    closed_through = closed_books_date(ledger) if flags else None
    lines = []
    for row in rows:
        flag = flags.get((row.object_type, row.key))
        lines.append(ObjectLine(row, guidance_for(row, flag, closed_through),
                                resync_hint(row, now, manual_adjustment_pending=bool(flag) and still_closed(
                                    row, closed_through))))
    return ObjectsPage(lines, total, filters)


def object_detail(ledger: Ledger, object_type: str, key: str, now: datetime | None = None) -> ObjectDetail | None:
    """The object and its event log, or None when the ledger does not know it."""
    row = ledger.get(object_type, key)
    if row is None:
        return None
    flag = manual_flags(ledger, [row]).get((object_type, key))
    closed_through = closed_books_date(ledger) if flag else None
    pending_adjustment = bool(flag) and still_closed(row, closed_through)
    actions = {action: refusal(action, row, manual_adjustment_pending=pending_adjustment, now=now)
               for action in CONSOLE_ACTIONS}
    return ObjectDetail(row, guidance_for(row, flag, closed_through), ledger.events(object_type, key),
                        resync_hint(row, now, manual_adjustment_pending=pending_adjustment), actions)
