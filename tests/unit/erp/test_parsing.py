from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from include.erp.parsing import (
    parse_date,
    parse_decimal,
    parse_integer,
    parse_json_object,
    parse_text,
    parse_timestamp,
)


def test_native_driver_values_pass_through_typed():
    assert parse_date(datetime(2026, 10, 5, 12)) == (date(2026, 10, 5), None)
    assert parse_decimal(Decimal("1.50")) == (Decimal("1.50"), None)
    assert parse_decimal(0.1) == (Decimal("0.1"), None)  # via str: no binary float noise
    assert parse_integer(Decimal("3")) == (3, None)
    assert parse_json_object({"REGION": 10001}) == ({"REGION": "10001"}, None)
    eastern = timezone(timedelta(hours=-5))
    assert parse_timestamp(datetime(2026, 11, 3, 9, tzinfo=eastern))[0] == datetime(2026, 11, 3, 14, tzinfo=UTC)


def test_empty_text_is_missing_not_a_problem():
    for parser in (parse_text, parse_date, parse_timestamp, parse_decimal, parse_integer):
        assert parser("") == (None, None)
    assert parse_json_object("") == ({}, None)


def test_text_that_only_looks_like_a_value_is_refused_with_the_reason():
    assert parse_decimal("1,234.50")[1] == "'1,234.50' is not a number"
    assert parse_decimal("NaN")[1] == "'NaN' is not a number"
    assert parse_date("20261105")[1] == "'20261105' is not a date (expected YYYY-MM-DD)"
    assert parse_date("2026-02-30")[1] == "'2026-02-30' is not a valid calendar date"
    assert parse_integer("1.5")[1] == "'1.5' is not a whole number"
    assert parse_json_object('{"REGION": true}')[1] == "'{\"REGION\": true}' has a value that is not a dimension value id"
    assert parse_timestamp("2026-11-03T09:00:00-05:00") == (datetime(2026, 11, 3, 9, tzinfo=timezone(timedelta(hours=-5))), None)
