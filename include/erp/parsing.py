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


# What XML 1.0 cannot carry (so neither can an Intacct request): C0 controls but tab, LF and CR,
# lone surrogates, U+FFFE and U+FFFF (https://www.w3.org/TR/xml/#charsets).
XML_ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SHOWN_CHARACTERS = 40  # of a bad value in a message


def shown_value(raw: Any, limit: int = SHOWN_CHARACTERS) -> str:
    """A bad value for a message: quoted, control characters escaped, cut to ``limit`` characters."""
    text = raw if isinstance(raw, str) else str(raw)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}…({len(text):,} characters)"


_shown = shown_value


def xml_illegal_character(text: str) -> str | None:
    """The first character of ``text`` that XML 1.0 cannot carry, escaped (e.g. ``\\x00``), or None."""
    match = XML_ILLEGAL_CHARACTERS.search(text)
    return None if match is None else repr(match.group())[1:-1]


def parse_text(raw: Any) -> Parsed:
    if raw is None or raw == "":
        return None, None
    text = raw if isinstance(raw, str) else str(raw)
    illegal = xml_illegal_character(text)
    if illegal:
        return None, (f"{_shown(text)} contains the character {illegal}, which XML (and so an Intacct "
                      "request) cannot carry")
    return text, None


# The ledger keeps a document number of at most this many characters (its key column).
MAX_KEY_LENGTH = 128


def parse_key(raw: Any, key_column: str, digest_of_row: Any) -> tuple[str, str | None]:
    """The key a record is known by in the ledger, and what is wrong with the ERP's value (or None).

    A usable number is kept as it is. One the ledger cannot hold (missing, too long, with control
    characters) gets a stable stand-in derived from the row, so the record is still recorded with
    why it cannot be posted; one with spaces at either end is kept but refused (Intacct trims them,
    so it would land under another number)."""
    import hashlib

    text = "" if raw is None else (raw if isinstance(raw, str) else str(raw))
    if text.strip() and len(text) <= MAX_KEY_LENGTH and not xml_illegal_character(text):
        if text != text.strip():
            return text, (f"{_shown(text)} has spaces at either end; Intacct trims them, so it would be posted as "
                          f"{text.strip()!r}: remove them in the ERP")
        return text, None
    digest = hashlib.sha1(repr(digest_of_row if not text.strip() else text).encode("utf-8", "backslashreplace"))
    stand_in = digest.hexdigest()[:10]
    if not text.strip():
        return f"(no {key_column} {stand_in})", f"{key_column} is missing"
    illegal = xml_illegal_character(text)
    printable = repr(text)[1:-1][:60]
    if illegal:
        return (f"{printable} ({stand_in})", f"{_shown(text)} contains the character {illegal}, which XML "
                                              "(and so an Intacct request) cannot carry")
    return (f"{printable}… ({stand_in})", f"{_shown(text)} is longer than the {MAX_KEY_LENGTH} characters a "
                                           "document number may have")


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
