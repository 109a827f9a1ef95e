"""Keyset paging on (WHENMODIFIED, RECORDNO): no drift, no skips, watermark from what was read.

The pages come from a small in-memory table that applies the cursor's conditions the way
the gateway does (timestamps compared as instants, empty values sorted first).
"""

from datetime import datetime

import pytest

from include.masterdata.keyset import KeysetCursor
from include.masterdata.streams import STREAMS
from include.masterdata.timestamps import format_intacct_timestamp, parse_intacct_timestamp

TZ = "America/New_York"
STREAM = STREAMS["DEPARTMENT"]


def _ts(text):
    return datetime.strptime(text, "%m/%d/%Y %H:%M:%S") if text else None


def _holds(condition, record) -> bool:
    op = condition[0]
    if op == "and":
        return all(_holds(c, record) for c in condition[1])
    if op == "or":
        return any(_holds(c, record) for c in condition[1])
    field = condition[1]
    raw = record.get(field) or ""
    if op == "isnull":
        return raw == ""
    if op == "isnotnull":
        return raw != ""
    if not raw:
        return False
    value = condition[2]
    left, right = (int(raw), int(value)) if field == "RECORDNO" else (_ts(raw), _ts(value))
    return {"greaterthan": left > right, "greaterthanorequalto": left >= right, "equalto": left == right}[op]


class Table:
    def __init__(self, records):
        self.records = {r["RECORDNO"]: dict(r) for r in records}
        self.calls = 0

    def page(self, condition, size):
        self.calls += 1
        matching = [r for r in self.records.values() if condition is None or _holds(condition, r)]
        matching.sort(key=lambda r: (r["WHENMODIFIED"] != "", _ts(r["WHENMODIFIED"]) or datetime.min,
                                     int(r["RECORDNO"])))
        return [dict(r) for r in matching[:size]], len(matching) - min(size, len(matching))

    def touch(self, record_no, when):
        self.records[record_no]["WHENMODIFIED"] = when


def read_all(table, cursor, size, between_pages=None):
    read = []
    while True:
        records, remaining = table.page(cursor.condition(), size)
        for record in records:
            cursor.advance(record)
        read.extend(records)
        if between_pages:
            between_pages(table, len(read))
        if not records or remaining == 0:
            return read


def record(no, modified, created="01/01/2026 00:00:00", status="active"):
    return {"RECORDNO": str(no), "DEPARTMENTID": f"D{no}", "STATUS": status, "WHENMODIFIED": modified,
            "WHENCREATED": created}


def test_full_read_pages_through_every_record_once_in_ceil_records_over_page_size_calls():
    table = Table([record(n, f"03/0{1 + n % 3}/2026 10:00:00") for n in range(1, 11)])
    cursor = KeysetCursor(STREAM, TZ)
    read = read_all(table, cursor, size=4)
    assert sorted(int(r["RECORDNO"]) for r in read) == list(range(1, 11))
    assert table.calls == 3  # ceil(10 / 4)


def test_record_changed_between_pages_is_read_again_later_in_the_same_run_and_none_is_skipped():
    table = Table([record(n, "03/01/2026 10:00:00") for n in range(1, 9)])

    def change_first_record_once(t, read_so_far):
        if read_so_far == 3:
            t.touch("2", "03/02/2026 09:00:00")  # already read: moves to the end of the ordering

    cursor = KeysetCursor(STREAM, TZ)
    read = read_all(table, cursor, size=3, between_pages=change_first_record_once)
    numbers = [int(r["RECORDNO"]) for r in read]
    assert sorted(set(numbers)) == list(range(1, 9))
    assert numbers[-1] == 2 and numbers.count(2) == 2
    assert cursor.newest_change == parse_intacct_timestamp("03/02/2026 09:00:00", TZ)


def test_change_to_an_already_read_record_does_not_shift_later_records_out_of_the_read():
    # Under offset paging this change would shift every later record one place back.
    records = [record(n, "03/01/2026 10:00:00") for n in range(1, 7)]
    table = Table(records)
    cursor = KeysetCursor(STREAM, TZ)
    read = read_all(table, cursor, size=2,
                    between_pages=lambda t, n: t.touch("1", "03/05/2026 00:00:00") if n == 2 else None)
    assert {int(r["RECORDNO"]) for r in read} == set(range(1, 7))


def test_incremental_read_starts_strictly_after_watermark_minus_lookback():
    table = Table([record(1, "03/01/2026 10:00:00"), record(2, "03/01/2026 10:05:00"),
                   record(3, "03/01/2026 10:20:00")])
    since = parse_intacct_timestamp("03/01/2026 10:00:00", TZ)
    read = read_all(table, KeysetCursor(STREAM, TZ, since=since), size=10)
    assert [r["RECORDNO"] for r in read] == ["2", "3"]


def test_empty_whenmodified_falls_back_to_whencreated_for_the_watermark_and_the_filter():
    table = Table([record(1, "", created="03/03/2026 08:00:00"), record(2, "", created="02/01/2026 08:00:00"),
                   record(3, "03/02/2026 10:00:00")])
    since = parse_intacct_timestamp("03/01/2026 00:00:00", TZ)
    cursor = KeysetCursor(STREAM, TZ, since=since)
    read = read_all(table, cursor, size=1)
    assert sorted(r["RECORDNO"] for r in read) == ["1", "3"]
    assert cursor.newest_change == parse_intacct_timestamp("03/03/2026 08:00:00", TZ)


def test_full_read_with_empty_whenmodified_values_reads_them_all_across_pages():
    table = Table([record(n, "" if n % 2 else f"03/01/2026 10:0{n}:00") for n in range(1, 8)])
    read = read_all(table, KeysetCursor(STREAM, TZ), size=2)
    assert sorted(int(r["RECORDNO"]) for r in read) == list(range(1, 8))


def test_watermark_is_the_newest_change_read_never_the_time_of_the_read():
    table = Table([record(1, "01/15/2026 10:00:00"), record(2, "01/16/2026 11:30:00")])
    cursor = KeysetCursor(STREAM, TZ)
    read_all(table, cursor, size=5)
    assert cursor.newest_change == datetime(2026, 1, 16, 16, 30)  # 11:30 New York = 16:30 UTC


def test_timestamps_are_read_and_written_in_the_company_timezone():
    instant = parse_intacct_timestamp("07/04/2026 09:15:00", TZ)
    assert instant == datetime(2026, 7, 4, 13, 15)  # EDT is UTC-4
    assert format_intacct_timestamp(instant, TZ) == "07/04/2026 09:15:00"
    assert format_intacct_timestamp(instant, "Europe/Paris") == "07/04/2026 15:15:00"


def test_unparseable_timestamp_fails_naming_the_value():
    with pytest.raises(ValueError, match="'yesterday' is not an Intacct timestamp"):
        parse_intacct_timestamp("yesterday", TZ)


def test_records_out_of_keyset_order_are_refused():
    cursor = KeysetCursor(STREAM, TZ)
    cursor.advance(record(5, "03/02/2026 10:00:00"))
    with pytest.raises(ValueError, match="D4.*out of order"):
        cursor.advance(record(4, "03/01/2026 10:00:00"))


def test_record_without_a_numeric_recordno_fails_naming_stream_record_and_field():
    cursor = KeysetCursor(STREAM, TZ)
    with pytest.raises(ValueError, match="DEPARTMENT record 'D1', field RECORDNO: 'x'"):
        cursor.advance({**record(1, "03/01/2026 10:00:00"), "RECORDNO": "x"})
