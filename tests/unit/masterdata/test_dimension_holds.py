"""Documents held for a user-defined dimension are released dimension by dimension."""

import pytest

from include.ledger import Ledger, Outcome
from include.masterdata.dimension_holds import awaited_dimensions, release_for_readable_dimensions

RUN = "scheduled__2026-11-22T05:00:00+00:00"


def _issue(name: str, error_class: str = "dimension_unavailable") -> dict:
    return {"line_no": 1, "field": f"dimensions.{name}", "expectation": "expect_column_values_to_be_between",
            "error_class": error_class, "message": f"dimension '{name}' is inactive or not permitted"}


@pytest.fixture
def ledger(sqlite_url):
    ledger = Ledger(sqlite_url)
    ledger.migrate()
    keys = ["CHANNEL-ONLY", "REGION-ONLY", "BOTH", "REFUSED-BY-INTACCT", "UNTOLD"]
    ledger.observe_many([{"object_type": "ar_invoice", "key": k, "source_version": "v1", "category": "finance"}
                         for k in keys], run_id=RUN)
    ledger.claim("ar_invoice", keys, run_id=RUN, worker="test")
    messages = {"REFUSED-BY-INTACCT": "User-defined dimension 'CHANNEL' is not available to this user",
                "UNTOLD": "INT402"}
    ledger.record_outcomes([Outcome.error("ar_invoice", k, error_class="dimension_unavailable",
                                          message=messages.get(k, "held"), hold="dimension_unavailable",
                                          not_sent=None if k in messages else "failed validation")
                            for k in keys], run_id=RUN)
    for key, names in (("CHANNEL-ONLY", ["CHANNEL"]), ("REGION-ONLY", ["REGION"]), ("BOTH", ["CHANNEL", "REGION"])):
        ledger.log_decision("ar_invoice", key, run_id=RUN, decision="validation_failed", reason="failed validation",
                            details={"issues": [_issue(n) for n in names] + [_issue("X", "invalid_reference")]})
    return ledger


def test_each_held_document_names_the_dimensions_it_waits_for(ledger):
    assert awaited_dimensions(ledger, "ar_invoice", "BOTH") == {"CHANNEL", "REGION"}
    assert awaited_dimensions(ledger, "ar_invoice", "REFUSED-BY-INTACCT") == {"CHANNEL"}  # Intacct's message
    assert awaited_dimensions(ledger, "ar_invoice", "UNTOLD") is None


def test_a_dimension_that_reads_again_releases_its_documents_while_another_stays_unreadable(ledger):
    released = release_for_readable_dimensions(ledger, readable={"CHANNEL"}, unreadable={"REGION"}, run_id="md",
                                               reason_prefix="the master-data sync read")

    assert released == 2
    assert sorted(r.key for r in ledger.find(released=True)) == ["CHANNEL-ONLY", "REFUSED-BY-INTACCT"]
    assert sorted(r.key for r in ledger.find(hold="dimension_unavailable")) == ["BOTH", "REGION-ONLY", "UNTOLD"]
    [event] = [e for e in ledger.events("ar_invoice", "CHANNEL-ONLY") if e.kind == "hold_released"]
    assert event.reason == ("the master-data sync read user-defined dimension(s) CHANNEL again: the documents "
                            "held for it are retried")


def test_documents_whose_dimension_is_unknown_wait_until_no_dimension_is_unreadable(ledger):
    release_for_readable_dimensions(ledger, readable={"CHANNEL", "REGION"}, unreadable=set(), run_id="md",
                                    reason_prefix="the master-data sync read")
    assert ledger.find(hold="dimension_unavailable") == []
