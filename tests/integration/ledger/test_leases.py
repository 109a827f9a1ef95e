"""Claims that follow their owner: the heartbeat, Airflow's word, ended leases, per-key releases,
and failures that were never sent."""

import time
from datetime import timedelta

from include.ledger import Outcome
from include.ledger.leases import LeaseKeeper, abandoned_claims, end_leases, judge_claims, renew_leases
from include.ledger.owners import TaskOwner, worker_name
from include.ledger.types import utcnow
from tests.integration.ledger.helpers import INVOICE

RUN = "scheduled__2026-11-22T05:00:00+00:00"
LOAD = TaskOwner("intacct_post_transactions", RUN, "load", 0, 1)


def _pending(ledger, keys, *, run_id=RUN, worker="night-worker", lease=900.0):
    for key in keys:
        ledger.observe(INVOICE, key, "v1", amount="10.00", posting_date="2026-11-03")
    ledger.claim(INVOICE, keys, run_id=run_id, worker=worker, lease_seconds=lease, strict=True)


def _nobody_to_ask(dag_id, run_id):
    raise AssertionError(f"Airflow asked about {dag_id} {run_id} for a claim taken outside Airflow")


def test_the_heartbeat_renews_every_claim_of_its_run_and_never_shortens_one(ledger):
    _pending(ledger, ["A", "B"], lease=1)
    _pending(ledger, ["C"], run_id="other-run", lease=1)

    assert renew_leases(ledger, RUN, 900) == 2
    assert ledger.get(INVOICE, "A").claim_expires_at > utcnow() + timedelta(seconds=800)
    assert ledger.get(INVOICE, "C").claim_expires_at < utcnow() + timedelta(seconds=5)
    assert renew_leases(ledger, RUN, 1) == 0  # a shorter lease never cuts a longer one


def test_claims_stay_their_runs_while_it_beats_and_are_abandoned_one_lease_after_it_stops(ledger):
    _pending(ledger, ["A"], lease=0.5)
    with LeaseKeeper(ledger, RUN, lease_seconds=0.6, interval=0.1) as keeper:
        time.sleep(1.0)
        assert abandoned_claims(ledger, object_type=INVOICE, task_states=_nobody_to_ask) == []
    assert keeper.beats >= 5
    time.sleep(0.8)
    [verdict] = abandoned_claims(ledger, object_type=INVOICE, task_states=_nobody_to_ask)
    assert verdict.row.key == "A" and not verdict.by_airflow and "without a sign of life" in verdict.reason


def test_airflow_showing_nothing_of_the_run_running_releases_its_claims_at_once(ledger):
    _pending(ledger, ["A", "B"], worker=worker_name("host:1:load", LOAD), lease=900)
    ledger.set_controlids(INVOICE, {"A": "ar_invoice:A:v1", "B": "ar_invoice:B:v1"})
    asked = []

    def crashed(dag_id, run_id):
        asked.append((dag_id, run_id))
        return {"extract_validate_0": "success", "load_0": "failed", "reconcile": "upstream_failed"}

    verdicts = abandoned_claims(ledger, object_type=INVOICE, except_run_id="manual__resync", task_states=crashed)
    assert [v.row.key for v in verdicts] == ["A", "B"] and all(v.by_airflow for v in verdicts)
    assert "task load[0] (try 1)" in verdicts[0].reason and "shows failed" in verdicts[0].reason
    assert len(asked) == 2  # one question per claim judged here (callers cache: AirflowTaskStates)

    assert end_leases(ledger, verdicts, run_id="manual__resync", actor="resync") == 2
    claims = ledger.claim(INVOICE, ["A", "B"], run_id="manual__resync", worker="resync", action="recover",
                          reason="the crashed run's claims", strict=True)
    assert {c.controlid for c in claims} == {"ar_invoice:A:v1", "ar_invoice:B:v1"}  # resent, never posted twice
    [ended] = [e for e in ledger.events(INVOICE, "A") if e.kind == "lease_ended"]
    assert ended.run_id == "manual__resync" and ended.details["claim_run_id"] == RUN


def test_while_airflow_shows_the_run_working_its_claims_are_kept_even_past_their_lease(ledger):
    _pending(ledger, ["A"], worker=worker_name("host:1:load", LOAD), lease=0)

    [verdict] = judge_claims(ledger.find(status="pending"),
                             task_states=lambda d, r: {"load_0": "up_for_retry", "load_1": "running"})
    assert not verdict.abandoned and "still working (load_1 running)" in verdict.reason
    [verdict] = judge_claims(ledger.find(status="pending"), task_states=lambda d, r: None)  # nobody to ask
    assert verdict.abandoned and not verdict.by_airflow


def test_a_lease_is_not_ended_for_a_claim_that_changed_hands_since_it_was_judged(ledger):
    _pending(ledger, ["A"], worker=worker_name("host:1:load", LOAD), lease=0)
    verdicts = abandoned_claims(ledger, object_type=INVOICE, task_states=lambda d, r: {"load_0": "failed"})
    ledger.claim(INVOICE, ["A"], run_id="the-next-run", worker="w2", action="recover", reason="swept", strict=True)

    assert end_leases(ledger, verdicts, run_id="manual__resync") == 0
    assert ledger.get(INVOICE, "A").claim_run_id == "the-next-run"


def test_holds_are_released_for_the_named_documents_only(ledger):
    _pending(ledger, ["A", "B", "C"])
    ledger.record_outcomes([Outcome.error(INVOICE, k, error_class="dimension_unavailable", message="INT402",
                                          hold="dimension_unavailable") for k in ("A", "B", "C")], run_id=RUN)

    assert ledger.release_holds(hold="dimension_unavailable", keys=["A", "C"], reason="CHANNEL reads again") == 2
    assert [r.key for r in ledger.find(hold="dimension_unavailable")] == ["B"]
    assert ledger.release_holds(hold="dimension_unavailable", keys=[], reason="nothing") == 0


def test_a_failure_that_was_never_sent_does_not_say_posting_failed(ledger):
    _pending(ledger, ["A", "B"])
    ledger.record_outcomes([
        Outcome.error(INVOICE, "A", error_class="payment_term", message="term 'Net 120' ...",
                      not_sent="failed validation (payment_term): nothing was sent to Intacct"),
        Outcome.error(INVOICE, "B", error_class="payment_term", message="Could not retrieve the Sequence record!"),
    ], run_id=RUN)

    [never_sent] = [e for e in ledger.events(INVOICE, "A") if e.kind == "failed"]
    [refused] = [e for e in ledger.events(INVOICE, "B") if e.kind == "failed"]
    assert never_sent.reason == "failed validation (payment_term): nothing was sent to Intacct"
    assert never_sent.details["sent"] is False
    assert refused.reason == "posting failed" and "sent" not in refused.details
