"""The typed shape of each document type's fields: which are required and what
type each must have. Derived from the SourceDocument contract in
``include.erp.documents``; the validation frame and the messages both use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from include.erp.documents import DOCUMENT_SPECS


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_timestamp(value: Any) -> bool:
    return isinstance(value, datetime)


def _is_amount(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int) and not isinstance(value, bool)


def _is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_dimension_map(value: Any) -> bool:
    if value.__class__ is dict and not value:
        return True
    return isinstance(value, dict) and all(
        isinstance(name, str) and (v is None or isinstance(v, str) or _is_whole_number(v))
        for name, v in value.items()
    )


@dataclass(frozen=True)
class FieldType:
    name: str  # as said in messages
    accepts: Callable[[Any], bool]
    exact_types: frozenset[type]  # a value of one of these types is accepted without calling ``accepts``

    def mistyped(self, values: list[Any]) -> list[bool]:
        """Per value: not None and not of this type. Checks values one by one only when
        the column holds a type that needs a closer look (a chunk is usually clean)."""
        present = set(map(type, values)) - {type(None)}
        if present <= self.exact_types:
            return [False] * len(values)
        return [v is not None and not self.accepts(v) for v in values]


TEXT = FieldType("text", _is_text, frozenset({str}))
DATE = FieldType("date", _is_date, frozenset({date}))
TIMESTAMP = FieldType("timestamp", _is_timestamp, frozenset({datetime}))
AMOUNT = FieldType("decimal amount", _is_amount, frozenset({int}))  # a Decimal may be NaN or Infinity
WHOLE_NUMBER = FieldType("whole number", _is_whole_number, frozenset({int}))
DIMENSION_MAP = FieldType("JSON object of dimension name to value id", _is_dimension_map, frozenset())

_HEADER_TYPES: dict[str, FieldType] = {
    "invoice_no": TEXT, "bill_no": TEXT, "je_no": TEXT, "customer_id": TEXT, "vendor_id": TEXT,
    "invoice_date": DATE, "bill_date": DATE, "entry_date": DATE, "due_date": DATE, "reverse_date": DATE,
    "term_name": TEXT, "currency": TEXT, "description": TEXT, "entity_id": TEXT, "journal": TEXT,
    "title": TEXT, "updated_at": TIMESTAMP,
}
_LINE_TYPES: dict[str, FieldType] = {
    "line_no": WHOLE_NUMBER, "account_no": TEXT, "amount": AMOUNT, "debit": AMOUNT, "credit": AMOUNT,
    "memo": TEXT, "item_id": TEXT, "department_id": TEXT, "location_id": TEXT, "class_id": TEXT,
    "project_id": TEXT, "dimensions": DIMENSION_MAP,
}

# Required beyond what the spec names: Intacct needs a due date or a term (we require
# both so the term check is meaningful) and a journal entry title (BATCH_TITLE).
REQUIRED_HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "ar_invoice": ("invoice_no", "customer_id", "invoice_date", "due_date", "term_name"),
    "ap_bill": ("bill_no", "vendor_id", "bill_date", "due_date", "term_name"),
    "journal_entry": ("je_no", "journal", "entry_date", "title"),
}
# A journal entry line's amount is checked by "exactly one of debit or credit".
REQUIRED_LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "ar_invoice": ("line_no", "account_no", "amount"),
    "ap_bill": ("line_no", "account_no", "amount"),
    "journal_entry": ("line_no", "account_no"),
}


def header_fields(doc_type: str) -> dict[str, FieldType]:
    return {name: _HEADER_TYPES[name] for name in DOCUMENT_SPECS[doc_type].header_columns}


def line_fields(doc_type: str) -> dict[str, FieldType]:
    spec = DOCUMENT_SPECS[doc_type]
    return {name: _LINE_TYPES[name] for name in spec.line_columns if name != spec.key_column}


def amount_fields(doc_type: str) -> tuple[str, ...]:
    return ("debit", "credit") if doc_type == "journal_entry" else ("amount",)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decimal_places(value: Any) -> int | None:
    """Digits after the point that carry value: Decimal('12.50') has 1, Decimal('1.005') has 3."""
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:  # maybe trailing zeros: 1.500 has 1 place
            exponent = value.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else None
    if _is_whole_number(value):
        return 0
    return None


_TERM_NOISE = re.compile(r"[\s\-_.]+")


def term_shape(name: str) -> str:
    """What a term name looks like ignoring case, spaces and punctuation: 'net 30' ~ 'Net30'."""
    return _TERM_NOISE.sub("", name).lower()
