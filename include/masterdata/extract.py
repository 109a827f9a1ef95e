"""The one generic extractor: reads any declared stream from Intacct into the reference store.

Incremental on WHENMODIFIED: records modified after (watermark - look-back), read
with keyset pages on (WHENMODIFIED, RECORDNO) of up to 2,000 records (the gateway's
``query`` maximum). Each page is stored as it arrives; the watermark moves only
after the last page is stored, to the newest change actually read. API calls per
stream: one per page, stopping on the page that reports nothing remaining, so
ceil(records / page size) calls (one for an empty result).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from include.masterdata.checks import check_extracted
from include.masterdata.keyset import ORDER_BY, Condition, KeysetCursor
from include.masterdata.streams import Stream

log = logging.getLogger(__name__)
MAX_PAGE_SIZE = 2000  # the query function's gateway maximum


@dataclass
class ExtractResult:
    stream: str
    object_name: str
    full_refresh: bool
    since: str | None  # exclusive lower bound (UTC ISO) of this read; None for a full refresh
    watermark: str | None  # after the read (UTC ISO)
    records_read: int = 0  # including records read twice because they changed during the read
    records_changed: int = 0  # stored rows whose content or status differs from before
    inactive_read: int = 0
    api_calls: int = 0
    page_size: int = MAX_PAGE_SIZE
    quality: list[dict] = field(default_factory=list)
    available: bool = True
    message: str | None = None

    @property
    def call_budget(self) -> int:
        """ceil(records / page size) + 1: the most calls a read may take."""
        return math.ceil(self.records_read / self.page_size) + 1

    def to_dict(self) -> dict:
        return {**asdict(self), "call_budget": self.call_budget}


def to_filter(condition: Condition | None):
    """A keyset condition as the client's ``Filter``."""
    if condition is None:
        return None
    from include.intacct.query_filter import Filter

    operator = condition[0]
    if operator in ("and", "or"):
        children = [to_filter(c) for c in condition[1]]
        return Filter.all_of(*children) if operator == "and" else Filter.any_of(*children)
    if operator in ("isnull", "isnotnull"):
        return getattr(Filter, operator)(condition[1])
    return getattr(Filter, operator)(condition[1], condition[2])


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def extract_stream(client, store, stream: Stream, *, run_id: str, company_timezone: str,
                   lookback_minutes: int, full_refresh: bool = False, page_size: int = MAX_PAGE_SIZE,
                   after_page: Callable[[int, list[dict]], None] | None = None, kind: str = "object"
                   ) -> ExtractResult:
    """Read ``stream`` (incrementally unless ``full_refresh`` or never read) into ``store``.

    ``after_page(page_number, records)`` runs after each stored page (progress reporting).
    Gateway errors propagate; the watermark is then left where it was.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"{stream.name}: page size {page_size} is outside 1..{MAX_PAGE_SIZE}")
    state = store.state(stream.name)
    full = full_refresh or state is None or state.watermark is None
    since = None if full else state.watermark - timedelta(minutes=lookback_minutes)
    cursor = KeysetCursor(stream, company_timezone, since=since)
    result = ExtractResult(stream.name, stream.object_name, full, _iso(since), None, page_size=page_size)
    seen: list[tuple] = []
    while True:
        page = client.query(stream.object_name, list(stream.select), filter=to_filter(cursor.condition()),
                            order_by=list(ORDER_BY), page_size=page_size)
        result.api_calls += 1
        records = page.records
        if records:
            pairs = [(record, cursor.advance(record)) for record in records]
            _, changed = store.upsert_records(stream, pairs, run_id=run_id)
            result.records_changed += changed
            for record in records:
                status = record.get(stream.status_field)
                seen.append((record.get("RECORDNO"), record.get(stream.key_field), status))
                result.inactive_read += str(status or "").strip().lower() == "inactive"
        if after_page:
            after_page(result.api_calls, records)
        remaining = page.num_remaining
        if not records or remaining == 0 or (remaining is None and len(records) < page_size):
            break
    result.records_read = cursor.records_read
    result.quality = check_extracted(stream, seen)
    state = store.complete_refresh(stream, run_id=run_id, newest_change=cursor.newest_change,
                                   records_read=result.records_read, api_calls=result.api_calls,
                                   full_refresh=full, quality=result.quality, kind=kind)
    result.watermark = _iso(state.watermark)
    log.info("%s: read %d record(s) (%d changed, %d inactive) in %d API call(s), %s, watermark %s",
             stream.name, result.records_read, result.records_changed, result.inactive_read, result.api_calls,
             "full refresh" if full else f"modified after {result.since}", result.watermark)
    return result
