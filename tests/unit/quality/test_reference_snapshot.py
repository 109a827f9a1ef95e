from __future__ import annotations

import json

import pytest

from include.quality.reference_snapshot import is_active
from tests.unit.quality.snapshots import demo_snapshot


def test_summary_counts_each_table_of_the_demo_company_as_plain_json():
    summary = demo_snapshot().summary()
    assert summary["accounts"] == 26 and summary["udds"] == 2 and summary["ar_terms"] == 8
    assert summary["closed_books_date"] == "2026-09-30"
    json.dumps(summary, allow_nan=False)


def test_statuses_for_accounts_and_unknown_table():
    snapshot = demo_snapshot()
    assert snapshot.statuses_for("accounts")["6900"] == "inactive"
    with pytest.raises(ValueError, match="unknown reference table 'udds'"):
        snapshot.statuses_for("udds")


@pytest.mark.parametrize(("status", "active"), [("active", True), ("Active", True), ("inactive", False),
                                                ("active non-posting", False), (None, False)])
def test_only_active_status_counts_as_active(status, active):
    assert is_active(status) is active
