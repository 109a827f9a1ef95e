"""Great Expectations checks on extracted master data report failures and never drop records."""

from include.masterdata.checks import check_extracted
from include.masterdata.streams import STREAMS


def _by_expectation(failures):
    return {(f["expectation"], f["column"]): f for f in failures}


def test_clean_accounts_pass_every_check():
    rows = [("1", "1000", "active"), ("2", "6900", "inactive"), ("3", "4000.10", "active")]
    assert check_extracted(STREAMS["GLACCOUNT"], rows) == []


def test_duplicate_missing_and_malformed_keys_and_unknown_status_are_each_reported():
    rows = [("1", "1000", "active"), ("2", "1000", "active"), ("3", "", "active"), ("4", "ABC", "active"),
            ("5", "2000", "archived"), ("6", "3000", "")]
    failures = _by_expectation(check_extracted(STREAMS["GLACCOUNT"], rows))
    assert failures[("expect_column_values_to_be_unique", "key")]["examples"] == ["1000", "1000"]
    assert failures[("expect_column_values_to_not_be_null", "key")]["examples"] == ["RECORDNO 3"]
    assert failures[("expect_column_values_to_match_regex", "key")]["examples"] == ["ABC"]
    assert failures[("expect_column_values_to_be_in_set", "status")]["examples"] == ["2000"]
    assert failures[("expect_column_values_to_not_be_null", "status")]["examples"] == ["3000"]


def test_record_read_twice_because_it_changed_during_the_read_is_not_a_duplicate():
    rows = [("1", "OPS", "active"), ("2", "FIN", "active"), ("1", "OPS", "inactive")]
    assert check_extracted(STREAMS["DEPARTMENT"], rows) == []
