"""Every action from every status: allowed exactly where the transitions table says, refused otherwise."""

import pytest

from include.ledger import TRANSITIONS, Action, Status, TransitionRefused
from tests.integration.ledger.helpers import INVOICE, object_in

ALLOWED = {(t.action, t.from_status): t.to_status for t in TRANSITIONS}
# Actions a caller asks for directly (the others are chosen by the ledger from the versions involved).
REQUESTED = [
    Action.SYNCHRONIZE,
    Action.FORCE_SYNCHRONIZE,
    Action.RETRY,
    Action.RELEASE,
    Action.RECOVER,
    Action.SUCCEED,
    Action.FAIL,
    Action.MARK_SYNCED,
    Action.PLACE_HOLD,
]
OUTCOMES = (Action.SUCCEED, Action.FAIL)


def perform(ledger, action: Action, key: str) -> None:
    if action in (Action.SYNCHRONIZE, Action.FORCE_SYNCHRONIZE, Action.RETRY, Action.RELEASE, Action.RECOVER):
        ledger.claim(
            INVOICE, [key], run_id="run-2", worker="worker-2", action=action, reason="test", strict=True
        )
    elif action is Action.SUCCEED:
        ledger.record_success(INVOICE, key, run_id="run-setup", record_no="9002")
    elif action is Action.FAIL:
        ledger.record_error(INVOICE, key, run_id="run-setup", error_class="transient", message="timed out")
    elif action is Action.MARK_SYNCED:
        ledger.mark_synced_manually(INVOICE, [key], actor="ana@example.com", reason="adjusted in Intacct")
    elif action is Action.PLACE_HOLD:
        ledger.place_hold(
            INVOICE, [key], hold="manual", actor="ana@example.com", reason="wait for credit note"
        )


@pytest.mark.parametrize("status", list(Status), ids=str)
@pytest.mark.parametrize("action", REQUESTED, ids=str)
def test_action_is_allowed_exactly_where_the_table_says(ledger, action, status):
    object_in(ledger, status, "10432", for_action=action)
    events_before = len(ledger.events(INVOICE, "10432"))
    expected = ALLOWED.get((action, status))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            perform(ledger, action, "10432")
        message = str(refused.value)
        assert "ar_invoice '10432'" in message and f"from {status.value} to " in message
        assert refused.value.reason
        assert ledger.get(INVOICE, "10432").status is status
        new_events = ledger.events(INVOICE, "10432")[events_before:]
        # A refused outcome still says what Intacct answered, so it is logged; other refusals leave no trace.
        assert [e.kind for e in new_events] == (["outcome_refused"] if action in OUTCOMES else [])
    else:
        perform(ledger, action, "10432")
        assert ledger.get(INVOICE, "10432").status is expected
        assert len(ledger.events(INVOICE, "10432")) == events_before + 1


@pytest.mark.parametrize("action", [Action.SYNCHRONIZE, Action.FORCE_SYNCHRONIZE], ids=str)
def test_pending_object_is_refused_as_already_synchronizing(ledger, action):
    object_in(ledger, Status.PENDING, "10432")
    with pytest.raises(TransitionRefused, match="already synchronizing"):
        perform(ledger, action, "10432")


def test_non_strict_claim_reports_why_each_key_was_not_won(ledger):
    object_in(ledger, Status.PENDING, "A")
    object_in(ledger, Status.ERROR, "B")
    object_in(ledger, Status.NOT_INTEGRATED, "C")
    claims = ledger.claim(INVOICE, ["A", "B", "C", "missing"], run_id="run-2", worker="w")
    assert [c.key for c in claims] == ["C"]
    reasons = {r.key: r.reason for r in claims.refused}
    assert reasons["A"].startswith("already synchronizing (claimed by setup until")
    assert reasons["B"] == "objects in error need Force synchronize"
    assert reasons["missing"] == "not in the ledger (observe it first)"


def test_retry_of_a_held_error_is_refused_until_the_hold_is_released(ledger):
    object_in(ledger, Status.ERROR, "10432", for_action=Action.RELEASE_HOLD)
    claims = ledger.claim(INVOICE, ["10432"], run_id="r", worker="w", action="retry", reason="backoff over")
    assert claims == [] and claims.refused[0].reason == "held for closed_period: release the hold first"


def test_product_claims_must_say_why(ledger):
    object_in(ledger, Status.ERROR, "10432")
    with pytest.raises(ValueError, match="field reason: the product's retry must say why"):
        ledger.claim(INVOICE, ["10432"], run_id="r", worker="w", action="retry")


def test_outcome_from_another_run_is_refused_and_logged(ledger):
    object_in(ledger, Status.PENDING, "10432")
    with pytest.raises(TransitionRefused, match="claimed by run run-setup"):
        ledger.record_success(INVOICE, "10432", run_id="run-other", record_no="1")
    last = ledger.events(INVOICE, "10432")[-1]
    assert last.kind == "outcome_refused" and last.run_id == "run-other"
    assert last.details["record_no"] == "1"
    assert ledger.get(INVOICE, "10432").status is Status.PENDING


def test_mark_synced_manually_records_who_when_and_why(ledger):
    object_in(ledger, Status.ERROR, "10432")
    assert (
        ledger.mark_synced_manually(
            INVOICE, ["10432"], actor="ana@example.com", reason="adjusted by hand in closed period 2026-09"
        )
        == 1
    )
    row = ledger.get(INVOICE, "10432")
    assert row.status is Status.SUCCESS and row.synced_at is not None and row.error_class is None
    assert row.posted_version == row.source_version == "v1"
    event = ledger.events(INVOICE, "10432")[-1]
    assert (event.kind, event.actor, event.reason) == (
        "marked_synced",
        "ana@example.com",
        "adjusted by hand in closed period 2026-09",
    )
    assert event.details["error_class"] == "closed_period"


def test_mark_synced_manually_is_all_or_nothing(ledger):
    object_in(ledger, Status.ERROR, "A")
    object_in(ledger, Status.PENDING, "B")
    with pytest.raises(
        TransitionRefused, match="'B': cannot go from pending to success: already synchronizing"
    ):
        ledger.mark_synced_manually(INVOICE, ["A", "B"], actor="ana", reason="fixed")
    assert ledger.get(INVOICE, "A").status is Status.ERROR
