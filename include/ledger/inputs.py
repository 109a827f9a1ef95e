"""Checking what callers hand the ledger: a bad value fails before anything is written,
naming the object, its key and the field."""

from __future__ import annotations

import re
from typing import Any

from include.ledger.transitions import Category

OBJECT_CATEGORIES: dict[str, Category] = {
    "ar_invoice": Category.FINANCE,
    "ap_bill": Category.FINANCE,
    "journal_entry": Category.FINANCE,
    "customer": Category.MASTER,
    "vendor": Category.MASTER,
    "item": Category.MASTER,
}
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class LedgerInputError(ValueError):
    """Bad input for one object: names the object, its key and the field."""

    def __init__(self, object_type: str, key: Any, field: str, problem: str):
        super().__init__(f"{object_type} {key!r}, field {field}: {problem}")


class UnknownObject(LookupError):
    def __init__(self, object_type: str, key: str):
        super().__init__(f"{object_type} {key!r} is not in the ledger (observe it first)")


def checked_text(object_type: str, key: Any, field: str, value: Any, max_length: int, *, required: bool = True):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LedgerInputError(object_type, key, field, f"must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise LedgerInputError(object_type, key, field, f"longer than {max_length} characters")
    return value


def checked_period(object_type: str, key: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _PERIOD.match(value):
        raise LedgerInputError(object_type, key, "held_for_period", f"must be 'YYYY-MM', got {value!r}")
    return value


def checked_enum(enum, object_type: str, key: str, field: str, value: Any):
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise LedgerInputError(object_type, key, field, f"{value!r} is not one of: {allowed}") from None


def checked_category(object_type: str, key: str, category: str | None) -> Category:
    known = OBJECT_CATEGORIES.get(object_type)
    if category is None:
        if known is None:
            raise LedgerInputError(
                object_type,
                key,
                "category",
                "required for an object type the ledger "
                f"does not know ({', '.join(OBJECT_CATEGORIES)} are known)",
            )
        return known
    given = checked_enum(Category, object_type, key, "category", category)
    if known is not None and given is not known:
        raise LedgerInputError(
            object_type, key, "category", f"{object_type} is {known.value} data, not {given.value}"
        )
    return given
