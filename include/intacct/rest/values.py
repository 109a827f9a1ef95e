"""Values between the two APIs' notations, per field kind, and dotted paths into REST JSON.

XML: dates ``MM/DD/YYYY``, timestamps ``MM/DD/YYYY HH:MM:SS`` in the company's wall clock, booleans
``true``/``false``, everything text. REST (reference §1 "Wire conventions"): dates ``YYYY-MM-DD``,
timestamps ISO 8601 in UTC (``2024-09-24T14:18:20Z``), booleans and numbers as JSON, money as a
string. ``tz`` is the timezone the XML side's timestamps are in (the company's for the client; the
sandbox's store keeps UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from include.intacct.rest.objects import BOOLEAN, DATE, DECIMAL, ENUM, INTEGER, TIMESTAMP, FieldMap

_XML_TIMESTAMP = "%m/%d/%Y %H:%M:%S"
_XML_DATE = "%m/%d/%Y"
_TRUE = ("true", "t", "1", "yes")


class NotationError(ValueError):
    """A value that cannot be written in the other API's notation; the message names the field."""


def _zone(tz: str | None):
    return UTC if not tz or tz == "UTC" else ZoneInfo(tz)


def parse_xml_date(text: str) -> date | None:
    text = text.strip()
    for fmt in (_XML_DATE, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_rest_timestamp(text: str) -> datetime | None:
    """An ISO timestamp as an aware UTC datetime (a missing offset is UTC, as REST answers)."""
    try:
        moment = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)


def _xml_timestamp_to_rest(value: Any, tz: str | None) -> str | None:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=_zone(tz))
    else:
        text = str(value).strip()
        moment = None
        for fmt in (_XML_TIMESTAMP, "%m/%d/%Y %H:%M", _XML_DATE):
            try:
                moment = datetime.strptime(text, fmt).replace(tzinfo=_zone(tz))
                break
            except ValueError:
                continue
        if moment is None:
            moment = parse_rest_timestamp(text)
        if moment is None:
            return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_rest(fmap: FieldMap, value: Any, tz: str | None, where: str = "") -> Any:
    """An XML-side value (text, or a Python date/Decimal/bool from a payload) in REST's notation; None
    for an empty value (REST callers leave it out)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = fmap.kind
    if kind == DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        parsed = parse_xml_date(str(value))
        if parsed is None:
            raise NotationError(f"{where}{fmap.xml}: {value!r} is not a date (MM/DD/YYYY or YYYY-MM-DD)")
        return parsed.isoformat()
    if kind == TIMESTAMP:
        converted = _xml_timestamp_to_rest(value, tz)
        if converted is None:
            raise NotationError(f"{where}{fmap.xml}: {value!r} is not a timestamp (MM/DD/YYYY HH:MM:SS)")
        return converted
    if kind == BOOLEAN:
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    if kind == DECIMAL:
        if isinstance(value, bool):
            raise NotationError(f"{where}{fmap.xml}: {value!r} is not an amount")
        return format(value, "f") if isinstance(value, Decimal) else str(value).strip()
    if kind == INTEGER:
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() else text
    if kind == ENUM:
        return fmap.to_rest_value(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def to_xml(fmap: FieldMap, value: Any, tz: str | None) -> str:
    """A REST value as the XML API writes it (text; '' for null)."""
    if value is None:
        return ""
    kind = fmap.kind
    if kind == DATE:
        text = str(value).strip()
        try:
            return date.fromisoformat(text[:10]).strftime(_XML_DATE)
        except ValueError:
            return text
    if kind == TIMESTAMP:
        moment = parse_rest_timestamp(str(value))
        return moment.astimezone(_zone(tz)).strftime(_XML_TIMESTAMP) if moment else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == ENUM:
        return fmap.to_xml_value(str(value))
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    return str(value)


# --------------------------------------------------------------------------- dotted paths


def get_path(obj: Any, path: str) -> Any:
    """The value at a dotted path: a flat key as the query service answers (``vendor.id``), else nested."""
    if isinstance(obj, dict) and path in obj:
        return obj[path]
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def set_path(obj: dict, path: str, value: Any) -> None:
    node = obj
    *parents, leaf = path.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested JSON as dotted keys (lists are kept whole)."""
    out: dict[str, Any] = {}
    if not isinstance(obj, dict):
        return {prefix: obj} if prefix else {}
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out
