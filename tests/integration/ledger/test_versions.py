"""What observing the ERP does: first sight, new versions, the same version again."""

from decimal import Decimal

import pytest

from include.ledger import LedgerInputError, Status
from tests.integration.ledger.helpers import INVOICE, object_in


def test_first_observation_is_not_integrated_with_an_event(ledger):
    observation = ledger.observe(
        INVOICE, "10432", "v1", amount=Decimal("250.10"), posting_date="2026-09-15", run_id="run-1"
    )
    assert (observation.status_before, observation.status_after, observation.changed) == (
        None,
        Status.NOT_INTEGRATED,
        True,
    )
    row = ledger.get(INVOICE, "10432")
    assert (row.category, row.amount, str(row.posting_date), row.attempts, row.last_run_id) == (
        "finance",
        Decimal("250.10"),
        "2026-09-15",
        0,
        "run-1",
    )
    assert [e.kind for e in ledger.events(INVOICE, "10432")] == ["observed"]


def test_same_version_again_changes_nothing(ledger):
    object_in(ledger, Status.SUCCESS, "10432")
    observation = ledger.observe(INVOICE, "10432", "v1")
    assert (observation.status_after, observation.changed) == (Status.SUCCESS, False)
    assert len(ledger.events(INVOICE, "10432")) == 3


def test_new_version_of_a_success_is_desynchronized_with_both_versions_logged(ledger):
    object_in(ledger, Status.SUCCESS, "10432")
    observation = ledger.observe(INVOICE, "10432", "v2", amount="120.00")
    assert (observation.status_before, observation.status_after) == (Status.SUCCESS, Status.DESYNCHRONIZED)
    row = ledger.get(INVOICE, "10432")
    assert (row.source_version, row.posted_version, row.intacct_record_no) == ("v2", "v1", "9001")
    event = ledger.events(INVOICE, "10432")[-1]
    assert event.details == {"previous_version": "v1", "new_version": "v2", "posted_version": "v1"}


def test_corrected_version_of_an_error_goes_back_to_not_integrated_without_the_old_error(ledger):
    object_in(ledger, Status.ERROR, "10432")
    assert ledger.observe(INVOICE, "10432", "v2").status_after is Status.NOT_INTEGRATED
    row = ledger.get(INVOICE, "10432")
    assert (row.source_version, row.error_class, row.last_message) == ("v2", None, None)
    assert [c.key for c in ledger.claim(INVOICE, ["10432"], run_id="r2", worker="w")] == ["10432"]


def test_reverting_to_the_posted_version_is_success_again(ledger):
    object_in(ledger, Status.DESYNCHRONIZED, "10432")
    assert ledger.observe(INVOICE, "10432", "v1").status_after is Status.SUCCESS


def test_change_while_pending_keeps_the_claim_and_the_outcome_desynchronizes(ledger):
    object_in(ledger, Status.PENDING, "10432")
    assert ledger.observe(INVOICE, "10432", "v2").status_after is Status.PENDING
    ledger.record_success(INVOICE, "10432", run_id="run-setup", record_no="9001")
    row = ledger.get(INVOICE, "10432")
    assert (row.status, row.posted_version, row.source_version) == (Status.DESYNCHRONIZED, "v1", "v2")


def test_error_for_an_outdated_version_leaves_the_new_version_to_be_posted(ledger):
    object_in(ledger, Status.PENDING, "10432")
    ledger.observe(INVOICE, "10432", "v2")
    ledger.record_error(INVOICE, "10432", run_id="run-setup", error_class="validation", message="bad memo")
    assert ledger.get(INVOICE, "10432").status is Status.NOT_INTEGRATED


def test_observe_many_returns_one_observation_per_key_in_input_order(ledger):
    object_in(ledger, Status.SUCCESS, "B")
    observations = ledger.observe_many(
        [
            {"object_type": INVOICE, "key": "A", "source_version": "a1"},
            {"object_type": INVOICE, "key": "B", "source_version": "b2"},
            {"object_type": "customer", "key": "C1", "source_version": "c1"},
            {"object_type": INVOICE, "key": "A", "source_version": "a2"},
        ],
        run_id="run-9",
    )
    assert [(o.key, o.status_after) for o in observations] == [
        ("B", Status.DESYNCHRONIZED),
        ("C1", Status.NOT_INTEGRATED),
        ("A", Status.NOT_INTEGRATED),
    ]
    assert ledger.get(INVOICE, "A").source_version == "a2"
    assert ledger.get("customer", "C1").category == "master"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"amount": "12.3x"}, "ar_invoice '10432', field amount: not a number: '12.3x'"),
        ({"amount": "1.00001"}, "field amount: more than 4 decimal places"),
        ({"posting_date": "2026-13-01"}, "field posting_date: not an ISO date"),
        ({"source_version": ""}, "field source_version: must be a non-empty string"),
        ({"category": "master"}, "field category: ar_invoice is finance data, not master"),
    ],
)
def test_bad_observation_fails_naming_record_and_field_and_writes_nothing(ledger, row, message):
    good = {"object_type": INVOICE, "key": "10431", "source_version": "v1"}
    with pytest.raises(LedgerInputError, match=message.replace("(", r"\(")):
        ledger.observe_many([good, {"object_type": INVOICE, "key": "10432", "source_version": "v1", **row}])
    assert ledger.get(INVOICE, "10431") is None
