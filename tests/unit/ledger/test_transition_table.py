"""The transitions table itself: complete, unambiguous, and saying why when it refuses."""

from datetime import date
from decimal import Decimal

import pytest

from include.erp.documents import SourceDocument, SourceMaster
from include.ledger import TRANSITIONS, Action, Ledger, Status, TransitionRefused
from include.ledger.sources import observed
from include.ledger.transitions import CLAIM_ACTIONS, Guard, from_statuses, guard, require, target
from include.ledger.types import to_amount


def test_each_action_but_a_source_change_leads_to_one_status_wherever_it_starts():
    for action in Action:
        to_statuses = {t.to_status for t in TRANSITIONS if t.action is action}
        assert len(to_statuses) == (3 if action is Action.SOURCE_CHANGED else 1), action
        assert target(action) == (None if action is Action.SOURCE_CHANGED else to_statuses.pop())
    assert len({(t.action, t.from_status) for t in TRANSITIONS}) == len(TRANSITIONS)


def test_claims_lead_to_pending_and_never_start_from_pending_except_recovery():
    for action in CLAIM_ACTIONS:
        assert target(action) is Status.PENDING
        assert (Status.PENDING in from_statuses(action)) == (action is Action.RECOVER)


def test_only_the_products_own_claims_carry_guards():
    assert {a: guard(a) for a in CLAIM_ACTIONS} == {
        Action.SYNCHRONIZE: None, Action.FORCE_SYNCHRONIZE: None, Action.RETRY: Guard.NOT_HELD,
        Action.RELEASE: Guard.HOLD_RELEASED, Action.RECOVER: Guard.LEASE_EXPIRED}


def test_synchronize_and_force_synchronize_match_the_integration_page():
    assert set(from_statuses(Action.SYNCHRONIZE)) == {Status.NOT_INTEGRATED, Status.DESYNCHRONIZED}
    assert set(from_statuses(Action.FORCE_SYNCHRONIZE)) == {Status.ERROR}


def test_every_status_has_a_way_out_for_a_new_erp_version():
    assert {t.from_status for t in TRANSITIONS if t.action is Action.SOURCE_CHANGED} == set(Status)


def test_refusal_names_object_key_statuses_and_reason():
    with pytest.raises(TransitionRefused) as refused:
        require(Action.FORCE_SYNCHRONIZE, "pending", object_type="ar_invoice", key="10432")
    assert (
        str(refused.value) == "ar_invoice '10432': cannot go from pending to pending: already synchronizing"
    )
    with pytest.raises(TransitionRefused, match="mark_synced applies only to objects that are error, desync"):
        require(Action.MARK_SYNCED, Status.NOT_INTEGRATED, object_type="ap_bill", key="B-1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.5", Decimal("12.5")), (3, Decimal(3)), (Decimal("-0.0001"), Decimal("-0.0001"))],
)
def test_amounts_are_exact_decimals(value, expected):
    assert to_amount(value) == expected


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "0.00001"])
def test_amounts_that_cannot_be_stored_exactly_are_refused(value):
    with pytest.raises(ValueError):
        to_amount(value)


def test_ledger_repr_never_shows_the_database_password():
    ledger = Ledger("postgresql+psycopg2://integration:s3cr3t-pw@127.0.0.1:1/ledger")
    assert "s3cr3t-pw" not in repr(ledger) and "s3cr3t-pw" not in str(ledger)
    ledger.close()


def test_in_memory_sqlite_is_refused_because_each_connection_would_see_another_database():
    with pytest.raises(ValueError, match="needs a SQLite file"):
        Ledger("sqlite://")


def test_observed_rows_carry_version_posting_date_and_document_total():
    lines = [
        {"invoice_no": "10432", "line_no": 1, "amount": Decimal("100.10")},
        {"invoice_no": "10432", "line_no": 2, "amount": Decimal("0.90")},
    ]
    document = SourceDocument(
        "ar_invoice", "10432", {"invoice_no": "10432", "invoice_date": date(2026, 9, 3)}, lines
    )
    row = observed(document)
    assert row == {
        "object_type": "ar_invoice",
        "key": "10432",
        "source_version": document.source_version,
        "category": "finance",
        "posting_date": date(2026, 9, 3),
        "amount": Decimal("101.00"),
    }
    document.lines[1]["amount"] = None  # unreadable amount: the total is unknown, not wrong
    assert observed(document)["amount"] is None
    master = SourceMaster("customer", "C-1", {"customer_id": "C-1", "name": "Acme"})
    assert observed(master)["category"] == "master"
