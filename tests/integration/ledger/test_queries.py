"""The questions people ask the ledger: what failed, what is held, does everything add up."""

from decimal import Decimal

import pytest

from include.ledger import Outcome, Status

INVOICE, BILL = "ar_invoice", "ap_bill"


@pytest.fixture
def filled(ledger):
    """Invoices 10430-10435, two bills and a customer, in every status, posted by run-1."""
    ledger.observe_many(
        [
            {
                "object_type": INVOICE,
                "key": f"1043{n}",
                "source_version": f"v{n}",
                "amount": f"{n}00.25",
                "posting_date": "2026-09-10",
            }
            for n in range(6)
        ]
        + [
            {"object_type": BILL, "key": f"B-{n}", "source_version": "b1", "amount": "50.00"}
            for n in range(2)
        ]
        + [{"object_type": "customer", "key": "C-1", "source_version": "c1"}],
        run_id="run-0",
    )
    ledger.claim(INVOICE, [f"1043{n}" for n in range(1, 6)], run_id="run-1", worker="w")
    ledger.claim(BILL, ["B-0", "B-1"], run_id="run-1", worker="w")
    ledger.record_outcomes(
        [
            Outcome.success(INVOICE, "10431", record_no="501"),
            Outcome.error(
                INVOICE,
                "10432",
                error_class="closed_period",
                message="Periods are closed.",
                hold="closed_period",
            ),
            Outcome.error(
                INVOICE,
                "10433",
                error_class="closed_period",
                message="Periods are closed.",
                hold="closed_period",
                held_for_period="2026-08",
            ),
            Outcome.error(
                INVOICE,
                "10434",
                error_class="payment_term",
                message="Could not retrieve the Sequence record!",
            ),
            Outcome.error(
                BILL,
                "B-0",
                error_class="dimension_unavailable",
                message="INT402",
                hold="dimension_unavailable",
            ),
            Outcome.success(BILL, "B-1", record_no="900"),
        ],
        run_id="run-1",
    )
    ledger.observe(INVOICE, "10431", "v1-edited", amount="100.25")
    return ledger


def keys(rows):
    return [r.key for r in rows]


def test_find_filters_like_the_integration_page(filled):
    assert keys(filled.find(key="10432")) == ["10432"]
    assert keys(filled.find(key_prefix="1043", status="error")) == ["10432", "10433", "10434"]
    assert keys(filled.find(category="master")) == ["C-1"]
    assert keys(filled.find(status=["pending", "desynchronized"])) == ["10431", "10435"]
    assert keys(filled.find(version="v1")) == ["10431"]  # the version in Intacct
    assert keys(filled.find(object_type=BILL, error_class="dimension_unavailable")) == ["B-0"]
    assert keys(filled.find(hold="closed_period")) == ["10432", "10433"]
    assert keys(filled.find(category="finance", limit=2, offset=1)) == ["B-1", "10430"]
    assert filled.count(category="finance") == 8


def test_key_prefix_treats_like_wildcards_literally(filled):
    filled.observe("customer", "C_%", "x")
    assert keys(filled.find(key_prefix="C_")) == ["C_%"]


def test_failed_by_class_counts_and_amounts_largest_first(filled):
    groups = {g.error_class: g for g in filled.failed_by_class()}
    assert {c: g.count for c, g in groups.items()} == {
        "closed_period": 2,
        "payment_term": 1,
        "dimension_unavailable": 1,
    }
    assert groups["closed_period"].amount == Decimal("500.50")
    assert keys(groups["closed_period"].rows) == ["10432", "10433"]
    assert filled.failed_by_class()[0].error_class == "closed_period"


def test_held_for_period_uses_the_posting_month_unless_told(filled):
    assert keys(filled.held_for_period("2026-09")) == ["10432"]
    assert keys(filled.held_for_period("2026-08")) == ["10433"]
    assert filled.release_holds(hold="dimension_unavailable", reason="dimension re-enabled") == 1
    assert keys(filled.find(held=True)) == ["10432", "10433"]


def test_reconciliation_counts_and_totals_by_type_status_and_class(filled):
    totals = {
        (r["object_type"], r["status"], r["error_class"]): (r["count"], r["amount"])
        for r in filled.reconciliation()
    }
    assert totals[(INVOICE, "error", "closed_period")] == (2, Decimal("500.50"))
    assert totals[(INVOICE, "desynchronized", None)] == (1, Decimal("100.25"))
    assert totals[(INVOICE, "not_integrated", None)] == (1, Decimal("0.25"))
    assert totals[("customer", "not_integrated", None)] == (1, Decimal(0))
    assert sum(count for count, _ in totals.values()) == 9


def test_reconciliation_for_one_run(filled):
    rows = filled.reconciliation(run_id="run-1")
    assert sum(r["count"] for r in rows) == 7  # five invoices and two bills were claimed by run-1
    assert {r["status"] for r in rows} == {"success", "error", "pending", "desynchronized"}


def test_amount_totals_are_exact_to_the_cent(ledger):
    ledger.observe_many(
        {"object_type": BILL, "key": f"B{n}", "source_version": "v", "amount": "0.10"} for n in range(1000)
    )
    [row] = ledger.reconciliation()
    assert row["amount"] == Decimal("100.00")


def test_events_without_object_type_cover_every_object_with_the_key(ledger):
    ledger.observe(INVOICE, "77", "a")
    ledger.observe(BILL, "77", "b")
    ledger.log_decision(
        BILL,
        "77",
        run_id="r",
        decision="redated",
        reason="closed period policy",
        details={"from": "2026-08-31", "to": "2026-09-01", "amount": Decimal("1.5")},
    )
    assert [(e.object_type, e.kind) for e in ledger.events(None, "77")] == [
        (INVOICE, "observed"),
        (BILL, "observed"),
        (BILL, "redated"),
    ]
    assert ledger.events(BILL, "77")[-1].details == {
        "from": "2026-08-31",
        "to": "2026-09-01",
        "amount": "1.5",
    }
    assert ledger.get(BILL, "77").status is Status.NOT_INTEGRATED


def test_after_key_pages_by_key_even_while_earlier_rows_change_status(filled):
    first = filled.find(object_type=INVOICE, limit=2)
    assert keys(first) == ["10430", "10431"]
    filled.mark_synced_manually(INVOICE, ["10432"], actor="jane", reason="adjusted in Intacct")
    assert keys(filled.find(object_type=INVOICE, after_key=first[-1].key, limit=2)) == ["10432", "10433"]
