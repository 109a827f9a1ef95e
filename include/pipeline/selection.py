"""Which ERP documents a run of the transactions DAG processes (the selection contract).

Three modes, decided once per run from its type and params:

* ``incremental`` (scheduled runs, manual runs without a window or keys): every
  document whose ERP ``updated_at`` is after the document type's watermark (the
  upper bound of the last run that accounted for everything) and at or before
  the run's upper bound, back-dated documents included, plus every document the
  ledger holds in a retryable state.
* ``window`` (UI params ``posting_date_from``/``posting_date_to``, or a backfill
  run whose data interval gives the window): exactly the documents whose posting
  date falls in the window and that are not yet successfully posted.
* ``keys`` (UI param ``keys``): exactly those document numbers.

A successfully posted, unchanged document is never posted again in any mode:
the ledger refuses to claim it. No Airflow import here, no metadata-DB access:
the DAG passes the run's type, params and data interval in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from include.settings import DOC_TYPES

INCREMENTAL, WINDOW, KEYS = "incremental", "window", "keys"


class SelectionError(ValueError):
    pass


@dataclass(frozen=True)
class RunPlan:
    """What one DAG run selects, the same for every document type (JSON-safe via to_json)."""

    run_id: str
    mode: str
    doc_types: tuple[str, ...]
    dry_run: bool = False
    upper_bound: datetime | None = None  # incremental: updated_at <= this
    posting_date_from: date | None = None  # window (inclusive)
    posting_date_to: date | None = None
    keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["doc_types"] = list(self.doc_types)
        data["keys"] = list(self.keys)
        for name in ("upper_bound", "posting_date_from", "posting_date_to"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunPlan:
        upper = data.get("upper_bound")
        return cls(
            run_id=data["run_id"],
            mode=data["mode"],
            doc_types=tuple(data["doc_types"]),
            dry_run=bool(data.get("dry_run")),
            upper_bound=datetime.fromisoformat(upper) if upper else None,
            posting_date_from=_date_or_none(data.get("posting_date_from"), "posting_date_from"),
            posting_date_to=_date_or_none(data.get("posting_date_to"), "posting_date_to"),
            keys=tuple(data.get("keys") or ()),
        )

    def describe(self) -> str:
        if self.mode == WINDOW:
            what = f"documents posted {self.posting_date_from} .. {self.posting_date_to} not yet posted"
        elif self.mode == KEYS:
            what = f"documents {', '.join(self.keys)}"
        else:
            what = f"documents changed up to {self.upper_bound.isoformat()} since the last complete run, plus retries"
        return f"{'dry run: ' if self.dry_run else ''}{what} ({', '.join(self.doc_types)})"


@dataclass(frozen=True)
class Selection:
    """One document type's share of a plan, with the watermark resolved."""

    doc_type: str
    plan: RunPlan
    changed_since: datetime | None = None  # incremental lower bound (exclusive); None = from the beginning

    def source_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``ErpSource.iter_documents``."""
        if self.plan.mode == WINDOW:
            return {"posting_date_from": self.plan.posting_date_from, "posting_date_to": self.plan.posting_date_to}
        if self.plan.mode == KEYS:
            return {"keys": list(self.plan.keys)}
        return {"changed_since": self.changed_since, "changed_until": self.plan.upper_bound}

    @property
    def includes_retryable(self) -> bool:
        """Incremental runs also pick up what the ledger holds in a retryable state."""
        return self.plan.mode == INCREMENTAL

    def in_scope(self, posting_date: date | None) -> bool:
        """Whether a retryable ledger row belongs to this selection."""
        if self.plan.mode != WINDOW:
            return True
        return posting_date is not None and self.plan.posting_date_from <= posting_date <= self.plan.posting_date_to


def _date_or_none(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise SelectionError(f"param {name}={value!r} is not a date (YYYY-MM-DD)") from None


def as_utc(value: datetime) -> datetime:
    """A plain aware UTC ``datetime``. Airflow keeps every timestamp in UTC; a value that arrives
    without its offset (as seen from the task runner) is UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(value.timestamp(), tz=UTC)


def window_of_interval(start: datetime, end: datetime, timezone: str) -> tuple[date, date]:
    """The posting dates whose midnight (in ``timezone``) falls in [start, end).

    With the DAG's midnight schedule a data interval is exactly one day, so
    ``airflow backfill create --from-date D1 --to-date D2`` covers posting dates
    D1..D2, each once.
    """
    zone = ZoneInfo(timezone)
    local_start = as_utc(start).astimezone(zone)
    local_end = as_utc(end).astimezone(zone)
    first = local_start.date()
    if local_start.timetz().replace(tzinfo=None) != time(0):
        first += timedelta(days=1)
    last = local_end.date()
    if local_end.timetz().replace(tzinfo=None) == time(0):
        last -= timedelta(days=1)
    if last < first:
        raise SelectionError(f"data interval {start.isoformat()} .. {end.isoformat()} contains no local midnight "
                             f"in {timezone}: it selects no posting date")
    return first, last


def plan_run(
    *,
    run_id: str,
    run_type: str,
    params: dict[str, Any],
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    run_after: datetime | None,
    schedule_timezone: str,
) -> RunPlan:
    """Decide the run's mode from its type and params (the selection contract above)."""
    doc_types = tuple(params.get("doc_types") or DOC_TYPES)
    unknown = [t for t in doc_types if t not in DOC_TYPES]
    if unknown:
        raise SelectionError(f"param doc_types has unknown document types {unknown}; known: {list(DOC_TYPES)}")
    dry_run = bool(params.get("dry_run"))
    keys = tuple(k.strip() for k in (params.get("keys") or ()) if k and k.strip())
    date_from = _date_or_none(params.get("posting_date_from"), "posting_date_from")
    date_to = _date_or_none(params.get("posting_date_to"), "posting_date_to")
    if (date_from is None) != (date_to is None):
        raise SelectionError("params posting_date_from and posting_date_to must be given together")
    if keys and date_from:
        raise SelectionError("give either keys or a posting-date window, not both")
    common = {"run_id": run_id, "doc_types": doc_types, "dry_run": dry_run}
    if keys:
        return RunPlan(mode=KEYS, keys=keys, **common)
    if date_from:
        if date_to < date_from:
            raise SelectionError(f"posting_date_to {date_to} is before posting_date_from {date_from}")
        return RunPlan(mode=WINDOW, posting_date_from=date_from, posting_date_to=date_to, **common)
    if run_type == "backfill":
        if data_interval_start is None or data_interval_end is None:
            raise SelectionError(f"backfill run {run_id} has no data interval")
        first, last = window_of_interval(data_interval_start, data_interval_end, schedule_timezone)
        return RunPlan(mode=WINDOW, posting_date_from=first, posting_date_to=last, **common)
    # Scheduled runs stop at their interval's end; a manual run takes everything up to when it was asked for.
    if run_type == "scheduled" and data_interval_end is not None:
        upper = data_interval_end
    else:
        upper = run_after or data_interval_end or datetime.now(UTC)
    return RunPlan(mode=INCREMENTAL, upper_bound=as_utc(upper), **common)
