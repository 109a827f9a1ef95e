"""Accounting periods (calendar months, ``YYYY-MM``) and which of them a reopening opened.

Intacct closes books through a date (``get_closedbooksdate``); when accounting moves that
date back, the dates between the new and the old close date are open again. Documents are
held per period (``held_for_period``), so what a reopening means for us is a set of periods,
each with the posting dates in it that are open again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class PeriodWindow:
    """The posting dates of one period that a backfill covers."""

    period: str
    date_from: date
    date_to: date

    def to_json(self) -> dict:
        return {"period": self.period, "from_date": self.date_from.isoformat(), "to_date": self.date_to.isoformat()}


def parse_period(period: str) -> tuple[int, int]:
    match = _PERIOD.match(str(period).strip())
    if not match:
        raise PeriodError(f"period {period!r} is not a month written YYYY-MM (e.g. 2026-09)")
    return int(match.group(1)), int(match.group(2))


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of the period ``YYYY-MM``."""
    year, month = parse_period(period)
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def period_of(day: date) -> str:
    return f"{day:%Y-%m}"


def periods_between(first: date, last: date) -> list[str]:
    """Every period that has a day in [first, last], in order."""
    periods, day = [], date(first.year, first.month, 1)
    while day <= last:
        periods.append(period_of(day))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return periods


def reopened_windows(previous_close: date | None, current_close: date | None,
                     held_periods: list[str] | tuple[str, ...] = ()) -> list[PeriodWindow]:
    """The periods (with their reopened dates) opened again when the close date moved from
    ``previous_close`` back to ``current_close``; empty when it did not move back.

    With no close date any more (every period open), the reopened dates are unbounded below:
    the periods come from ``held_periods`` (what the ledger holds), up to the old close date.
    """
    if previous_close is None or (current_close is not None and current_close >= previous_close):
        return []
    if current_close is not None:
        first_open = current_close + timedelta(days=1)
        candidates = periods_between(first_open, previous_close)
    else:
        first_open = None
        candidates = sorted({p for p in held_periods if period_bounds(p)[0] <= previous_close})
    windows = []
    for period in candidates:
        start, end = period_bounds(period)
        windows.append(PeriodWindow(period, max(start, first_open) if first_open else start,
                                    min(end, previous_close)))
    return windows
