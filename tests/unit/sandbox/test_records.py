"""Intacct's value formats."""

from datetime import date, datetime

from include.intacct_sandbox.records import (
    advance_modified,
    format_date,
    format_timestamp,
    parse_date,
    round_amount,
)


def test_dates_read_mm_dd_yyyy_unpadded_and_iso_and_write_mm_dd_yyyy():
    assert parse_date("03/31/2016") == date(2016, 3, 31)
    assert parse_date("3/1/2016") == date(2016, 3, 1)
    assert parse_date("2016-03-31") == date(2016, 3, 31)
    assert parse_date("31/03/2016") is None and parse_date("") is None and parse_date("03/31/16") is None
    assert format_date(date(2016, 3, 1)) == "03/01/2016"
    assert format_timestamp(datetime(2017, 7, 24, 15, 19, 46)) == "07/24/2017 15:19:46"


def test_amounts_round_half_up_to_two_decimals():
    assert str(round_amount("100.125")) == "100.13"
    assert str(round_amount("0.004")) == "0.00"
    assert str(round_amount("-2.675")) == "-2.68"
    assert round_amount("abc") is None and round_amount("NaN") is None


def test_when_modified_always_moves_forward():
    record = {"WHENMODIFIED": "11/22/2026 10:00:00"}
    advance_modified(record, datetime(2026, 11, 22, 10, 0, 0))
    assert record["WHENMODIFIED"] == "11/22/2026 10:00:01"
    advance_modified(record, datetime(2026, 11, 22, 12, 0, 0))
    assert record["WHENMODIFIED"] == "11/22/2026 12:00:00"
