"""Claims: leases, abandoned-claim recovery, controlid reuse, batch outcomes, and no double claims."""

import multiprocessing
import random
import threading
from datetime import timedelta

import pytest

from include.ledger import Ledger, Outcome, Status, TransitionRefused
from include.ledger.types import utcnow
from tests.integration.ledger.helpers import INVOICE, object_in

KEYS = [f"INV-{n:04d}" for n in range(200)]


def _observe_all(ledger):
    ledger.observe_many({"object_type": INVOICE, "key": k, "source_version": "v1"} for k in KEYS)


def _claim_in_batches(ledger, keys, worker):
    """(keys won, keys refused as already synchronizing) for a worker trying every key."""
    won, refused = [], []
    for start in range(0, len(keys), 15):
        claims = ledger.claim(INVOICE, keys[start : start + 15], run_id=worker, worker=worker)
        won += [c.key for c in claims]
        refused += [r.key for r in claims.refused if r.reason.startswith("already synchronizing")]
    return won, refused


def _claim_in_process(url, worker, seed, barrier, results):
    keys = list(KEYS)
    random.Random(seed).shuffle(keys)
    with Ledger(url) as ledger:
        barrier.wait(timeout=30)
        results.put((worker, _claim_in_batches(ledger, keys, worker)))


def _assert_one_winner_per_key(ledger, outcomes):
    all_won = [k for won, _ in outcomes.values() for k in won]
    assert sorted(all_won) == sorted(KEYS), "every key is claimed exactly once"
    for worker, (won, refused) in outcomes.items():
        assert sorted(won + refused) == sorted(KEYS), f"{worker} tried every key"
        assert {r.claimed_by for r in ledger.find(object_type=INVOICE) if r.key in set(won)} <= {worker}
    claims = [e for k in KEYS[:20] for e in ledger.events(INVOICE, k) if e.kind == "claimed"]
    assert len(claims) == 20, "one claim event per object"


def test_concurrent_threads_never_claim_the_same_object(ledger):
    _observe_all(ledger)
    barrier, won_by = threading.Barrier(4), {}

    def run(worker, seed):
        keys = list(KEYS)
        random.Random(seed).shuffle(keys)
        barrier.wait(timeout=30)
        won_by[worker] = _claim_in_batches(ledger, keys, worker)

    threads = [threading.Thread(target=run, args=(f"thread-{n}", n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    _assert_one_winner_per_key(ledger, won_by)


def test_concurrent_processes_never_claim_the_same_object(ledger):
    _observe_all(ledger)
    url = ledger.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(3), context.Queue()
    processes = [
        context.Process(target=_claim_in_process, args=(url, f"process-{n}", n, barrier, results))
        for n in range(3)
    ]
    for process in processes:
        process.start()
    won_by = dict(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    _assert_one_winner_per_key(ledger, won_by)


def test_abandoned_claim_is_listed_and_recovered_with_the_same_controlid(ledger):
    object_in(ledger, Status.NOT_INTEGRATED, "10432")
    [claim] = ledger.claim(INVOICE, ["10432"], run_id="run-crashed", worker="w1", lease_seconds=0)
    ledger.set_controlid(INVOICE, "10432", "ar_invoice-10432-v1")
    assert [r.key for r in ledger.recover_abandoned()] == ["10432"]

    [recovered] = ledger.claim(
        INVOICE,
        ["10432"],
        run_id="run-2",
        worker="w2",
        action="recover",
        reason="lease of run-crashed expired",
    )
    assert (recovered.controlid, recovered.attempts, recovered.claimed_from_status) == (
        "ar_invoice-10432-v1",
        2,
        Status.PENDING,
    )
    assert ledger.recover_abandoned() == []
    with pytest.raises(TransitionRefused, match="claimed by run run-2"):
        ledger.record_success(INVOICE, "10432", run_id="run-crashed", record_no="77")
    ledger.record_success(INVOICE, "10432", run_id="run-2", record_no="77")
    row = ledger.get(INVOICE, "10432")
    assert (row.status, row.intacct_record_no, row.controlid, row.claim_run_id) == (
        Status.SUCCESS,
        "77",
        "ar_invoice-10432-v1",
        None,
    )


def test_active_claim_is_not_recoverable_until_its_lease_expires(ledger):
    object_in(ledger, Status.PENDING, "10432")
    assert ledger.recover_abandoned() == []
    claims = ledger.claim(
        INVOICE, ["10432"], run_id="r2", worker="w2", action="recover", reason="looks stuck"
    )
    assert claims == [] and "still active" in claims.refused[0].reason
    later = utcnow() + timedelta(seconds=901)
    assert [r.key for r in ledger.recover_abandoned(now=later)] == ["10432"]


def test_force_synchronize_after_a_timeout_resends_the_same_controlid(ledger):
    object_in(ledger, Status.PENDING, "10432")
    ledger.set_controlid(INVOICE, "10432", "ctl-v1")
    ledger.record_error(INVOICE, "10432", run_id="run-setup", error_class="transient", message="HTTP 524")
    [claim] = ledger.claim(INVOICE, ["10432"], run_id="r2", worker="w", action="force_synchronize")
    assert claim.controlid == "ctl-v1"


def test_a_new_version_is_never_sent_with_the_old_controlid(ledger):
    object_in(ledger, Status.PENDING, "10432")
    ledger.set_controlid(INVOICE, "10432", "ctl-v1")
    ledger.record_error(INVOICE, "10432", run_id="run-setup", error_class="validation", message="bad memo")
    ledger.observe(INVOICE, "10432", "v2")
    [claim] = ledger.claim(INVOICE, ["10432"], run_id="r2", worker="w")
    assert (claim.source_version, claim.controlid) == ("v2", None)


def test_controlid_is_set_only_on_a_claimed_object(ledger):
    object_in(ledger, Status.NOT_INTEGRATED, "10432")
    with pytest.raises(TransitionRefused, match="only on a claimed"):
        ledger.set_controlid(INVOICE, "10432", "ctl")


def test_record_outcomes_applies_a_batch_and_holds_closed_periods_for_the_posting_month(ledger):
    for key in ("A", "B", "C"):
        object_in(ledger, Status.PENDING, key)
    report = ledger.record_outcomes(
        [
            Outcome.success(INVOICE, "A", record_no="1", intacct_key="INV-A"),
            Outcome.error(
                INVOICE, "B", error_class="closed_period", message="Periods are closed.", hold="closed_period"
            ),
            Outcome.error(
                INVOICE,
                "C",
                error_class="dimension_unavailable",
                message="INT402",
                hold="dimension_unavailable",
            ),
            Outcome.success(INVOICE, "not-claimed", record_no="2"),
        ],
        run_id="run-setup",
    )
    assert report.applied == 3 and [r.key for r in report.refused] == ["not-claimed"]
    b = ledger.get(INVOICE, "B")
    assert (b.status, b.error_class, b.hold, b.held_for_period, b.claimed_by) == (
        Status.ERROR,
        "closed_period",
        "closed_period",
        "2026-09",
        None,
    )
    assert ledger.get(INVOICE, "A").intacct_key == "INV-A"


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (
            Outcome.error(INVOICE, "A", error_class="boom", message="x"),
            "field error_class: 'boom' is not one of",
        ),
        (
            Outcome.error(
                INVOICE,
                "A",
                error_class="closed_period",
                message="x",
                hold="closed_period",
                held_for_period="2026-9",
            ),
            "field held_for_period: must be 'YYYY-MM'",
        ),
        (Outcome.error(INVOICE, "A", error_class="closed_period", message="x", hold="later"), "field hold"),
    ],
)
def test_invalid_outcome_fails_before_anything_is_written(ledger, outcome, message):
    object_in(ledger, Status.PENDING, "A")
    object_in(ledger, Status.PENDING, "B")
    with pytest.raises(ValueError, match=message):
        ledger.record_outcomes([Outcome.success(INVOICE, "B", record_no="1"), outcome], run_id="run-setup")
    assert ledger.get(INVOICE, "B").status is Status.PENDING


def test_release_holds_for_a_period_then_release_claims_exactly_those(ledger):
    for key, period in (("SEP-1", "2026-09"), ("SEP-2", "2026-09"), ("OCT-1", "2026-10")):
        object_in(ledger, Status.PENDING, key)
        ledger.record_error(
            INVOICE,
            key,
            run_id="run-setup",
            error_class="closed_period",
            message="closed",
            hold="closed_period",
            held_for_period=period,
        )
    assert [r.key for r in ledger.held_for_period("2026-09")] == ["SEP-1", "SEP-2"]
    assert ledger.release_holds(hold="closed_period", period="2026-09", reason="2026-09 reopened") == 2
    assert ledger.held_for_period("2026-09") == []
    assert [r.key for r in ledger.find(released=True, held_for_period="2026-09")] == ["SEP-1", "SEP-2"]
    claims = ledger.claim(
        INVOICE,
        ["SEP-1", "SEP-2", "OCT-1"],
        run_id="backfill",
        worker="w",
        action="release",
        reason="2026-09 reopened",
    )
    assert [c.key for c in claims] == ["SEP-1", "SEP-2"]
    assert claims.refused[0].reason == "held for closed_period: release the hold first"
