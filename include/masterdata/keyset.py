"""Keyset paging on (WHENMODIFIED, RECORDNO) that cannot drift.

Each page continues strictly after the last record read::

    (WHENMODIFIED > w) OR (WHENMODIFIED = w AND RECORDNO > r)

so a record changed while the read is under way moves to the end of the same
ordering and is read again later in the same run, and no record is skipped by an
offset that shifted. Records whose WHENMODIFIED is empty are ordered by RECORDNO
on their own branch (selected by WHENCREATED), wherever the server sorts empty
values.

Conditions are plain tuples (``("greaterthan", field, value)``,
``("and", (c1, c2))``, ``("isnull", field)``) so this logic has no dependency on
the gateway client; ``include.masterdata.extract`` turns them into its filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from include.masterdata.streams import Stream
from include.masterdata.timestamps import format_intacct_timestamp, parse_intacct_timestamp

Condition = tuple
ORDER_BY = (("WHENMODIFIED", "ascending"), ("RECORDNO", "ascending"))


def all_of(*conditions: Condition | None) -> Condition | None:
    present = tuple(c for c in conditions if c is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else ("and", present)


def any_of(*conditions: Condition | None) -> Condition | None:
    present = tuple(c for c in conditions if c is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else ("or", present)


def record_no(record: dict, stream: Stream) -> int:
    raw = record.get("RECORDNO")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValueError(
            f"{stream.name} record {record.get(stream.key_field)!r}, field RECORDNO: {raw!r} is not a record number"
        ) from None


@dataclass
class KeysetCursor:
    """Where the read stands, and the newest change it has seen (the next watermark)."""

    stream: Stream
    company_timezone: str
    since: datetime | None = None  # naive UTC, exclusive: watermark minus look-back; None = full refresh
    last_modified: datetime | None = None
    last_record_no: int | None = None
    last_unmodified_record_no: int = 0  # the branch of records with an empty WHENMODIFIED
    newest_change: datetime | None = None
    records_read: int = 0

    def _ts(self, instant: datetime) -> str:
        return format_intacct_timestamp(instant, self.company_timezone)

    def condition(self) -> Condition | None:
        """The filter for the next page."""
        modified, created = self.stream.watermark_field, self.stream.fallback_watermark_field
        if self.since is None and self.last_modified is None and not self.last_unmodified_record_no:
            return None  # the first page of a full refresh reads from the start
        if self.last_modified is None:
            main = ("greaterthan", modified, self._ts(self.since)) if self.since else ("isnotnull", modified)
        else:
            w = self._ts(self.last_modified)
            main = any_of(
                ("greaterthan", modified, w),
                all_of(("equalto", modified, w), ("greaterthan", "RECORDNO", str(self.last_record_no))),
            )
        unmodified = all_of(
            ("isnull", modified),
            ("greaterthan", created, self._ts(self.since)) if self.since else None,
            ("greaterthan", "RECORDNO", str(self.last_unmodified_record_no))
            if self.last_unmodified_record_no else None,
        )
        return any_of(main, unmodified)

    def advance(self, record: dict) -> datetime | None:
        """Move past ``record`` (records arrive in ORDER_BY order); returns its effective change time."""
        number = record_no(record, self.stream)
        modified = parse_intacct_timestamp(record.get(self.stream.watermark_field), self.company_timezone)
        if modified is None:
            self.last_unmodified_record_no = max(self.last_unmodified_record_no, number)
            effective = parse_intacct_timestamp(record.get(self.stream.fallback_watermark_field),
                                                self.company_timezone)
        else:
            if self.last_modified is not None and (modified, number) < (self.last_modified, self.last_record_no):
                raise ValueError(
                    f"{self.stream.name} record {record.get(self.stream.key_field)!r}: the server returned "
                    f"(WHENMODIFIED, RECORDNO) out of order; keyset paging needs ascending order"
                )
            self.last_modified, self.last_record_no = modified, number
            effective = modified
        if effective is not None and (self.newest_change is None or effective > self.newest_change):
            self.newest_change = effective
        self.records_read += 1
        return effective
