"""Typing raw ERP values by contract kind.

Each parser takes what the database driver returned (text from SQLite and CSV,
native ``date`` / ``Decimal`` / ``datetime`` from typed PostgreSQL columns) and
returns ``(value, None)`` or ``(None, reason)``; the source turns a reason into a
``SourceProblem``. Empty text is a missing value, not a problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from include.erp import contract

Parsed = tuple[Any, str | None]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")


def _shown(raw: Any) -> str:
    return repr(raw) if isinstance(raw, str) else repr(str(raw))


def parse_text(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return None, None
    return (raw if isinstance(raw, str) else str(raw)), None


def parse_date(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    text = str(raw).strip()
    if not _ISO_DATE.fullmatch(text):
        return None, f"{_shown(raw)} is not a date (expected YYYY-MM-DD)"
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"{_shown(raw)} is not a valid calendar date"


def parse_timestamp(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            return None, f"{_shown(raw)} is not an ISO 8601 timestamp"
    # Naive timestamps are UTC by contract.
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value), None


def parse_decimal(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            return None, f"{_shown(raw)} is not a number"
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None, f"{_shown(raw)} is not a number"
    if not value.is_finite():
        return None, f"{_shown(raw)} is not a finite number"
    return value, None


def parse_integer(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw, None
    text = str(raw).strip()
    if isinstance(raw, Decimal | float) and raw == int(raw):
        return int(raw), None
    if not _INTEGER_TEXT.fullmatch(text):
        return None, f"{_shown(raw)} is not a whole number"
    return int(text), None


def parse_json_object(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return {}, None
    if isinstance(raw, dict):
        value = raw
    else:
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            return None, f"{_shown(raw)} is not valid JSON"
    if not isinstance(value, dict):
        return None, f"{_shown(raw)} is not a JSON object of dimension name to value id"
    if any(not isinstance(v, str | int) or isinstance(v, bool) for v in value.values()):
        return None, f"{_shown(raw)} has a value that is not a dimension value id"
    return {str(k): str(v) for k, v in value.items()}, None


PARSERS: dict[str, Callable[[Any], Parsed]] = {
    contract.TEXT: parse_text,
    contract.DATE: parse_date,
    contract.TIMESTAMP: parse_timestamp,
    contract.DECIMAL: parse_decimal,
    contract.INTEGER: parse_integer,
    contract.JSON_OBJECT: parse_json_object,
}
