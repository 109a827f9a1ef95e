from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from include.error_classes import ErrorClass
from include.ledger import Ledger, Outcome
from include.pipeline.reconcile import advance_watermarks, build_reconciliation, sum_metrics
from include.pipeline.routing import remediation_tasks
from include.pipeline.run_store import RunStore
from include.pipeline.selection import RunPlan
from include.remediation import HANDLERS, load_handler, task_id_for

RUN = "scheduled__2026-11-22T05:00:00+00:00"
UPPER = datetime(2026, 11, 22, 5, tzinfo=UTC)


@pytest.fixture
def ledger(sqlite_url):
    ledger = Ledger(sqlite_url)
    ledger.migrate()
    rows = [{"object_type": "ar_invoice", "key": f"INV-{n}", "source_version": f"v{n}", "category": "finance",
             "posting_date": date(2026, 11, 3), "amount": Decimal("10.00")} for n in range(6)]
    ledger.observe_many(rows, run_id=RUN)
    ledger.claim("ar_invoice", [r["key"] for r in rows], run_id=RUN, worker="test")
    ledger.record_outcomes([
        Outcome.success("ar_invoice", "INV-0", record_no="101"),
        Outcome.success("ar_invoice", "INV-1", record_no="102"),
        Outcome.error("ar_invoice", "INV-2", error_class="data_quality", message="line 1, field amount: bad"),
        Outcome.error("ar_invoice", "INV-3", error_class="closed_period", message="closed", hold="closed_period",
                      held_for_period="2026-09"),
        Outcome.error("ar_invoice", "INV-4", error_class="transient", message="HTTP 503"),
    ], run_id=RUN)
    return ledger  # INV-5 stays pending: unaccounted


def _plan(**kwargs):
    return RunPlan(run_id=RUN, mode="incremental", doc_types=("ar_invoice",), upper_bound=UPPER, **kwargs)


def test_branch_follows_one_task_per_error_class_left_by_the_run(ledger):
    assert sorted(remediation_tasks(ledger, RUN, ("ar_invoice",))) == [
        "remediate_closed_period", "remediate_data_quality", "remediate_transient"]
    assert remediation_tasks(ledger, RUN, ("ap_bill",)) == []
    assert remediation_tasks(ledger, "another-run", ("ar_invoice",)) == []


def test_every_error_class_that_documents_can_carry_has_a_route_and_a_task():
    stops_run = {ErrorClass.AUTH, ErrorClass.PERMISSION}  # they stop the run instead
    assert set(HANDLERS) == set(ErrorClass) - stops_run
    assert len({task_id_for(c) for c in HANDLERS}) == len(HANDLERS)
    for error_class in HANDLERS:
        assert load_handler(error_class).error_class is error_class


def test_reconciliation_accounts_for_every_document_and_names_the_unaccounted(ledger, sqlite_url):
    result = build_reconciliation(_plan(), ledger=ledger, extract=[], load=[], remediation=[],
                                  metrics=[{"http_requests": 3, "api_transactions": 7}, None,
                                           {"http_requests": 1}])
    outcomes = {row["outcome"]: (row["count"], row["amount"]) for row in result.rows}
    assert outcomes == {"posted": (2, "20.00"), "quarantined": (1, "10.00"), "held: closed_period": (1, "10.00"),
                        "error: transient": (1, "10.00"), "UNACCOUNTED (still pending)": (1, "10.00")}
    assert result.unaccounted == ["ar_invoice INV-5"] and not result.ok
    assert result.totals() == {"ar_invoice": {"count": 6, "amount": "60.00"}}
    assert result.api_cost == {"api_transactions": 7, "http_requests": 4}
    assert "**NOT RECONCILED**" in result.markdown() and "ar_invoice INV-5" in result.markdown()
    store = RunStore(sqlite_url)
    advance_watermarks(result, _plan(), store)
    assert store.watermark("ar_invoice") is None  # an incomplete run never moves the watermark


def test_complete_incremental_run_advances_the_watermark_and_a_dry_run_does_not(ledger, sqlite_url):
    ledger.record_outcomes([Outcome.success("ar_invoice", "INV-5", record_no="105")], run_id=RUN)
    store = RunStore(sqlite_url)
    dry = build_reconciliation(_plan(dry_run=True), ledger=ledger, extract=[], load=[], remediation=[], metrics=[])
    advance_watermarks(dry, _plan(dry_run=True), store)
    assert store.watermark("ar_invoice") is None
    result = build_reconciliation(_plan(), ledger=ledger, extract=[], load=[], remediation=[], metrics=[])
    assert result.ok
    advance_watermarks(result, _plan(), store)
    assert store.watermark("ar_invoice") == UPPER and result.watermarks_advanced == {"ar_invoice": UPPER.isoformat()}
    assert not store.advance_watermark("ar_invoice", datetime(2026, 11, 1, tzinfo=UTC), run_id="older")


def test_a_success_without_its_record_no_fails_the_reconciliation_and_holds_the_watermark(ledger, sqlite_url):
    ledger.record_outcomes([Outcome.success("ar_invoice", "INV-5", record_no=None)], run_id=RUN)
    result = build_reconciliation(_plan(), ledger=ledger, extract=[], load=[], remediation=[], metrics=[])
    assert result.without_record_no == ["ar_invoice INV-5"] and not result.unaccounted and not result.ok
    assert "Posted without a RECORDNO" in result.markdown() and "**NOT RECONCILED**" in result.markdown()
    assert result.summary()["without_record_no"] == 1
    store = RunStore(sqlite_url)
    advance_watermarks(result, _plan(), store)
    assert store.watermark("ar_invoice") is None


def test_sum_metrics_ignores_missing_and_non_numeric_values():
    assert sum_metrics([{"a": 1, "b": True, "c": "x"}, None, {"a": 2}]) == {"a": 3}
