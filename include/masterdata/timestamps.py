"""Intacct timestamps: ``MM/DD/YYYY HH:MM:SS`` in the company's timezone, without an offset.

The product keeps every instant as a naive UTC ``datetime`` (portable across SQLite and
PostgreSQL); these helpers convert at the gateway boundary only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
FILTER_FORMAT = "%m/%d/%Y %H:%M:%S"


def parse_intacct_timestamp(text: str | None, company_timezone: str) -> datetime | None:
    """Naive UTC for Intacct's local wall-clock text; ``None`` for an empty value.

    A value that is not a timestamp raises ``ValueError`` naming it: a watermark
    must never be guessed.
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    for fmt in _FORMATS:
        try:
            local = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=ZoneInfo(company_timezone)).astimezone(UTC).replace(tzinfo=None)
    raise ValueError(f"{raw!r} is not an Intacct timestamp (expected MM/DD/YYYY HH:MM:SS)")


def format_intacct_timestamp(instant: datetime, company_timezone: str) -> str:
    """The filter value Intacct compares with: the company's wall-clock time."""
    aware = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant
    return aware.astimezone(ZoneInfo(company_timezone)).strftime(FILTER_FORMAT)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
