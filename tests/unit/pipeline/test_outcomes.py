from datetime import date

from include.error_classes import ErrorClass
from include.intacct.errors import ErrorDetail
from include.intacct.responses import WriteOutcome
from include.pipeline.outcomes import hold_for, write_outcome

POLICY = {"ar_invoice": "hold", "ap_bill": "manual", "journal_entry": "hold"}


def _hold(error_class, doc_type="ar_invoice", **kwargs):
    return hold_for(error_class, doc_type=doc_type, posting_date=date(2026, 9, 14), closed_period_policy=POLICY,
                    **kwargs)


def test_closed_period_is_held_for_its_posting_month_or_flagged_manual_by_policy():
    assert _hold(ErrorClass.CLOSED_PERIOD) == ("closed_period", "2026-09")
    assert _hold(ErrorClass.CLOSED_PERIOD, doc_type="ap_bill") == ("manual", None)


def test_missing_erp_owned_master_is_not_held_but_an_intacct_owned_one_is():
    assert _hold(ErrorClass.INVALID_REFERENCE, fields=["customer_id"]) == (None, None)
    assert _hold(ErrorClass.INVALID_REFERENCE, fields=["customer_id", "department_id"]) == ("invalid_reference", None)
    assert _hold(ErrorClass.INVALID_REFERENCE, messages=["Customer 'C-9' specified is not valid."]) == (None, None)
    assert _hold(ErrorClass.INVALID_REFERENCE, messages=["Invalid Project 'P-9' specified."]) == (
        "invalid_reference", None)


def test_unavailable_dimension_is_held_and_data_quality_is_not():
    assert _hold(ErrorClass.DIMENSION_UNAVAILABLE) == ("dimension_unavailable", None)
    assert _hold(ErrorClass.DATA_QUALITY) == (None, None)
    assert _hold(ErrorClass.TRANSIENT) == (None, None)


def test_legacy_create_key_is_recorded_as_the_record_number():
    outcome = write_outcome("ar_invoice", "INV-1", date(2026, 11, 3),
                            WriteOutcome("c1", "success", key="4711", resolution="sent"), closed_period_policy=POLICY)
    assert outcome.ok and outcome.record_no == "4711" and outcome.message is None


def test_rejected_write_keeps_every_error_line_and_its_class():
    details = [ErrorDetail("BL03000130", "", "Periods are closed. Your transaction date (09/14/2026) is within a "
                                            "period that's been closed."),
               ErrorDetail("BL01001973", "Could not create Invoice record!")]
    outcome = write_outcome("ar_invoice", "INV-2", date(2026, 9, 14),
                            WriteOutcome("c2", "failure", errors=details, error_class=ErrorClass.CLOSED_PERIOD,
                                         resolution="rejected"), closed_period_policy=POLICY)
    assert (outcome.error_class, outcome.hold, outcome.held_for_period) == ("closed_period", "closed_period", "2026-09")
    assert outcome.message.splitlines()[0].startswith("BL03000130") and "Could not create" in outcome.message
