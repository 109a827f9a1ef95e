"""What a refused document looked for in Intacct's lists, and the sentence that says so."""

from datetime import date, datetime
from decimal import Decimal

from include.erp.documents import SourceDocument
from include.error_classes import ErrorClass
from include.masterdata.lookups import (
    Lookup,
    lookup_note,
    lookup_of,
    lookups_of,
    referenced_lookups,
    status_in_snapshot,
)
from include.quality.outcome import DocumentFailure, Issue
from include.quality.reference_snapshot import ReferenceSnapshot, UddRef

READ_AT = datetime(2026, 11, 22, 5, 0, 12)
INVOICE = SourceDocument("ar_invoice", "INV-7", {"invoice_no": "INV-7", "customer_id": "C-1", "term_name": "Net 120",
                                                 "invoice_date": date(2026, 11, 3)},
                         [{"line_no": 1, "account_no": "4000", "amount": Decimal("10"), "department_id": "MKTG",
                           "dimensions": {"REGION": "19999", "CHANNEL": "20001"}}])


def _issue(field, error_class, line_no=None):
    return Issue(line_no, field, "expect_column_values_to_be_in_set", error_class, f"ar_invoice 'INV-7', field {field}")


def test_each_refusal_for_an_intacct_owned_reference_names_the_list_to_read_again():
    assert lookup_of(INVOICE, _issue("term_name", ErrorClass.PAYMENT_TERM)) == Lookup("ARTERM", "term_name", "Net 120")
    assert lookup_of(INVOICE, _issue("department_id", ErrorClass.INVALID_REFERENCE, 1)) == Lookup(
        "DEPARTMENT", "department_id", "MKTG", 1)
    assert lookup_of(INVOICE, _issue("dimensions.REGION", ErrorClass.INVALID_REFERENCE, 1)) == Lookup(
        "UDD:REGION", "dimensions.REGION", "19999", 1)
    assert lookup_of(INVOICE, _issue("dimensions.CHANNEL", ErrorClass.DIMENSION_UNAVAILABLE, 1)).whole_dimension


def test_what_reading_intacct_again_cannot_cure_is_no_lookup():
    assert lookup_of(INVOICE, _issue("customer_id", ErrorClass.INVALID_REFERENCE)) is None  # the ERP pushes it
    assert lookup_of(INVOICE, _issue("department_id", ErrorClass.DATA_QUALITY, 1)) is None  # required, empty
    assert lookup_of(INVOICE, _issue("invoice_date", ErrorClass.CLOSED_PERIOD)) is None


def test_a_failure_looks_up_what_decided_it_or_what_its_hold_waits_for():
    failure = DocumentFailure(INVOICE, ErrorClass.INVALID_REFERENCE, [
        _issue("department_id", ErrorClass.INVALID_REFERENCE, 1),
        _issue("dimensions.CHANNEL", ErrorClass.DIMENSION_UNAVAILABLE, 1),
        _issue("term_name", ErrorClass.PAYMENT_TERM)])
    assert [lookup.stream for lookup in lookups_of(failure)] == ["DEPARTMENT"]
    assert [lookup.stream for lookup in lookups_of(failure, "dimension_unavailable")] == ["UDD:CHANNEL"]
    assert {lookup.stream for lookup in referenced_lookups(INVOICE)} == {
        "ARTERM", "GLACCOUNT", "DEPARTMENT", "UDD:REGION", "UDD:CHANNEL"}


def test_the_note_says_what_was_looked_for_in_which_list_and_when_it_was_read():
    term = Lookup("ARTERM", "term_name", "Net 120")
    assert lookup_note(term, read_at=READ_AT, read_now=True) == (
        "Looked for AR payment term 'Net 120' in Intacct's list Setup > Payment Terms / AR terms (ARTERM), read "
        "again from Intacct at 2026-11-22 05:00:12 UTC in this run: not there.")
    department = Lookup("DEPARTMENT", "department_id", "MKTG", 2)
    assert lookup_note(department, read_at=READ_AT, read_now=False, read_error="TimeoutError: read timed out",
                       found_status="inactive") == (
        "Looked for department 'MKTG' (line 2) in Intacct's list Company > Departments (DEPARTMENT), it could not be "
        "read again (TimeoutError: read timed out); Intacct's list was last read 2026-11-22 05:00:12 UTC: there, "
        "but inactive.")
    channel = Lookup("UDD:CHANNEL", "dimensions.CHANNEL", "20001", 1, whole_dimension=True)
    assert lookup_note(channel, read_at=READ_AT, read_now=True, available=False, label="Sales Channel") == (
        "Looked for user-defined dimension CHANNEL (line 1) in Intacct's Platform Services > Objects > Sales Channel, "
        "read again from Intacct at 2026-11-22 05:00:12 UTC in this run: Intacct still does not return its values "
        "to the integration user.")


def test_the_status_found_comes_from_the_snapshot_validated_with():
    snapshot = ReferenceSnapshot(departments={"MKTG": "inactive"}, ar_terms={"Net 30": "active"},
                                 udds={"REGION": UddRef(True, {"10001": "active"})})
    assert status_in_snapshot(snapshot, Lookup("DEPARTMENT", "department_id", "MKTG")) == ("inactive", None)
    assert status_in_snapshot(snapshot, Lookup("ARTERM", "term_name", "Net 120")) == (None, None)
    assert status_in_snapshot(snapshot, Lookup("UDD:REGION", "dimensions.REGION", "19999")) == (None, True)
    assert status_in_snapshot(snapshot, Lookup("UDD:CHANNEL", "dimensions.CHANNEL", None, whole_dimension=True)) == (
        None, False)
