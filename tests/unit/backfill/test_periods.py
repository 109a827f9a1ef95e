from datetime import date

import pytest

from include.backfill.periods import (
    PeriodError,
    PeriodWindow,
    period_bounds,
    periods_between,
    reopened_windows,
)


def test_period_name_gives_its_first_and_last_day_including_december_and_february():
    assert period_bounds("2026-09") == (date(2026, 9, 1), date(2026, 9, 30))
    assert period_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))


@pytest.mark.parametrize("bad", ["2026-9", "2026-13", "Sept 2026", "2026-09-01", ""])
def test_period_that_is_not_yyyy_mm_is_refused_naming_it(bad):
    with pytest.raises(PeriodError, match="is not a month written YYYY-MM"):
        period_bounds(bad)


def test_periods_between_spans_year_end():
    assert periods_between(date(2026, 11, 15), date(2027, 1, 2)) == ["2026-11", "2026-12", "2027-01"]


def test_close_date_moved_back_reopens_the_dates_after_the_new_close_date_up_to_the_old_one():
    windows = reopened_windows(date(2026, 10, 31), date(2026, 9, 15))
    assert windows == [PeriodWindow("2026-09", date(2026, 9, 16), date(2026, 9, 30)),
                       PeriodWindow("2026-10", date(2026, 10, 1), date(2026, 10, 31))]


@pytest.mark.parametrize(("previous", "current"), [
    (None, date(2026, 9, 30)),  # first sync ever: nothing was closed before
    (date(2026, 9, 30), date(2026, 9, 30)),  # unchanged
    (date(2026, 9, 30), date(2026, 10, 31)),  # more periods closed: nothing reopened
    (None, None),
])
def test_close_date_that_did_not_move_back_reopens_nothing(previous, current):
    assert reopened_windows(previous, current) == []


def test_every_period_open_again_reopens_the_held_periods_up_to_the_old_close_date():
    windows = reopened_windows(date(2026, 9, 30), None, held_periods=["2026-08", "2026-09", "2026-10"])
    assert [w.period for w in windows] == ["2026-08", "2026-09"]
    assert windows[-1].date_to == date(2026, 9, 30)
