"""What the console tells a person to do, from the one table of error classes: documents flagged for a
manual adjustment in a closed period, and locations of another entity, against a real SQLite ledger."""

from datetime import date

import pytest

from include.error_classes import ERROR_CASES, ERROR_CLASSES, ErrorCase, ErrorClass
from include.ledger import Ledger
from include.pipeline.outcomes import validation_outcome
from include.reference_store import ReferenceStore
from include.settings import load_settings
from include.status import Filters, counts_by_type, failed_records, find_object, objects_listing, render_page
from include.status.actions import MARK_SYNCED, SYNCHRONIZE, Target, mark_synced, plan_action
from include.status.objects import parse_object_filters
from include.status.summary import status_summary
from tests.unit.quality.builders import ar_invoice, with_line
from tests.unit.quality.conftest import snapshot  # noqa: F401 (fixture)
from tests.unit.quality.test_entity_checks import me_validators, multi_entity_snapshot  # noqa: F401 (fixtures)

FLAG_REASON = ("manual adjustment required in Intacct: posted in period 2026-09, closed through 2026-09-30; the ERP "
               "version changed since, and Intacct refuses changes in a closed period, so it is not re-sent.")


@pytest.fixture
def settings(integration_data_dir):
    return load_settings({"INTEGRATION_DATA_DIR": str(integration_data_dir)})


@pytest.fixture
def ledger(settings):
    with Ledger(settings.integration_db_url) as ledger:
        yield ledger


def _posted_then_changed_in_a_closed_period(ledger, key="INV-ADJ", closed_through=date(2026, 9, 30)):
    """What the transactions run leaves: posted, changed in the ERP, flagged for that version."""
    ledger.observe("ar_invoice", key, "v1", amount="120.00", posting_date=date(2026, 9, 15))
    ledger.claim("ar_invoice", [key], run_id="night-1", worker="test", strict=True)
    ledger.record_success("ar_invoice", key, run_id="night-1", record_no="501")
    ledger.observe("ar_invoice", key, "v2", amount="125.00", posting_date=date(2026, 9, 15))
    ledger.log_decision("ar_invoice", key, run_id="night-2", decision="manual_adjustment", reason=FLAG_REASON,
                        details={"period": "2026-09", "closed_books_date": str(closed_through)})
    ReferenceStore(ledger.engine).set_closed_books_date(closed_through, run_id="night-2")


def test_a_document_flagged_for_manual_adjustment_needs_attention_with_the_cases_advice(ledger, settings):
    _posted_then_changed_in_a_closed_period(ledger)
    ledger.observe("ar_invoice", "INV-OPEN", "v1")

    page = failed_records(ledger)
    closed_only = failed_records(ledger, Filters(error_class="closed_period"))
    terms_only = failed_records(ledger, Filters(error_class="payment_term"))

    record = page.records[0]
    assert [r.key for r in page.records] == ["INV-ADJ"] and [r.key for r in closed_only.records] == ["INV-ADJ"]
    assert terms_only.total == 0
    assert record.state == "manual adjustment required (2026-09)" and record.status == "desynchronized"
    assert record.error_class == "closed_period" and record.case == "manual_adjustment"
    assert record.remediation == ERROR_CASES[ErrorCase.MANUAL_ADJUSTMENT].person_does
    assert "Mark as synced" in record.remediation and record.last_message == FLAG_REASON
    assert {c.object_type: c.manual_adjustment for c in counts_by_type(ledger)}["ar_invoice"] == 1
    html = render_page(status_summary(Filters(), settings))
    assert "manual adjustment required (2026-09)" in html and "manual adjustment</text>" in html


def test_synchronize_is_refused_for_it_and_mark_as_synced_clears_it_with_who_and_why(ledger, settings):
    _posted_then_changed_in_a_closed_period(ledger)
    targets = [Target("ar_invoice", "INV-ADJ")]

    synchronize = plan_action(ledger, SYNCHRONIZE, targets)
    hint = find_object("ar_invoice", "INV-ADJ", settings=settings).resync
    mark = plan_action(ledger, MARK_SYNCED, targets)
    marked = mark_synced(ledger, mark, actor="ana", reason="credit note CN-7 in October")

    assert synchronize.accepted == {} and "Manual adjustment required" in synchronize.refused[0].reason
    assert hint.action is None and hint.reason == synchronize.refused[0].reason
    assert marked == 1 and ledger.get("ar_invoice", "INV-ADJ").status == "success"
    assert ledger.events("ar_invoice", "INV-ADJ")[-1].actor == "ana"
    assert failed_records(ledger).total == 0


def test_once_the_period_is_reopened_synchronize_applies_again(ledger):
    _posted_then_changed_in_a_closed_period(ledger)
    ReferenceStore(ledger.engine).set_closed_books_date(date(2026, 8, 31), run_id="night-3")

    record = failed_records(ledger).records[0]
    plan = plan_action(ledger, SYNCHRONIZE, [Target("ar_invoice", "INV-ADJ")])

    assert record.state == "changed after posting, period reopened (2026-09)"
    assert plan.accepted == {"ar_invoice": ["INV-ADJ"]}


def test_a_newer_erp_version_is_no_longer_flagged(ledger):
    _posted_then_changed_in_a_closed_period(ledger)
    ledger.observe("ar_invoice", "INV-ADJ", "v3", amount="130.00", posting_date=date(2026, 9, 15))

    assert failed_records(ledger).total == 0


def test_a_location_of_another_entity_points_to_the_erp_document(ledger, settings, me_validators):  # noqa: F811
    wrong = with_line(ar_invoice("AR-LOC", entity_id="E100"), 0, location_id="210")  # 210 belongs to E200
    failure = me_validators["ar_invoice"].validate([wrong]).failed[0]
    outcome = validation_outcome(failure, closed_period_policy={})
    ledger.observe("ar_invoice", "AR-LOC", "v1")
    ledger.claim("ar_invoice", ["AR-LOC"], run_id="night-1", worker="test", strict=True)
    ledger.record_outcomes([outcome], run_id="night-1")

    record = failed_records(ledger).records[0]
    line = objects_listing(parse_object_filters(status="error"), settings).page.lines[0]

    assert record.error_class == "invalid_reference" and record.case == "location_outside_entity"
    assert record.remediation == ERROR_CASES[ErrorCase.LOCATION_OUTSIDE_ENTITY].person_does
    assert record.remediation.startswith("Correct the document in the ERP")
    assert "Create or activate" not in record.remediation
    assert line.guidance.what_to_do == record.remediation and "belongs to entity 'E200'" in line.guidance.last_message


def test_every_piece_of_advice_comes_from_the_error_class_table(ledger):
    _posted_then_changed_in_a_closed_period(ledger)
    for key, error_class in (("INV-T", "payment_term"), ("INV-D", "dimension_unavailable"), ("INV-U", "unknown")):
        ledger.observe("ar_invoice", key, "v1")
        ledger.claim("ar_invoice", [key], run_id="night-1", worker="test", strict=True)
        ledger.record_error("ar_invoice", key, run_id="night-1", error_class=error_class, message="refused")

    table = {info.person_does for info in ERROR_CLASSES.values()} | {info.person_does for info in ERROR_CASES.values()}

    records = failed_records(ledger).records
    assert len(records) == 4 and {r.remediation for r in records} <= table
    assert next(r for r in records if r.key == "INV-U").remediation == ERROR_CLASSES[ErrorClass.UNKNOWN].person_does
