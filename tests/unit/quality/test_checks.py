"""One document per check, each tripping exactly that check. The documents of one type
are validated together in one chunk (as the pipeline does), then looked up by key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from include.erp.documents import SourceDocument, SourceProblem
from include.error_classes import ErrorClass
from tests.unit.quality.builders import ap_bill, ar_invoice, journal_entry, with_line

DQ, REF, DIM, TERM, CLOSED = (ErrorClass.DATA_QUALITY, ErrorClass.INVALID_REFERENCE,
                              ErrorClass.DIMENSION_UNAVAILABLE, ErrorClass.PAYMENT_TERM, ErrorClass.CLOSED_PERIOD)


def _ar_cases() -> list[SourceDocument]:
    unreadable = with_line(ar_invoice("AR-UNREADABLE"), 1, amount=None)
    unreadable.problems.append(SourceProblem("ar_invoice_lines", "'AR-UNREADABLE' line 2", "amount",
                                             "'12,5O' is not a number"))
    orphan = ar_invoice("AR-ORPHAN")
    orphan.header = {}
    duplicate_lines = with_line(ar_invoice("AR-DUP-LINE"), 1, line_no=1)
    return [
        ar_invoice("AR-CLEAN"),
        unreadable,
        orphan,
        ar_invoice("AR-NO-CUSTOMER", customer_id=None),
        with_line(ar_invoice("AR-BLANK-ACCOUNT"), 0, account_no="  "),
        ar_invoice("AR-TEXT-DATE", invoice_date="2026-13-01"),
        with_line(ar_invoice("AR-TEXT-AMOUNT"), 0, amount="12,5O"),
        with_line(ar_invoice("AR-3-DECIMALS"), 0, amount=Decimal("10.005")),
        with_line(ar_invoice("AR-ZERO"), 1, amount=Decimal("0.00")),
        ar_invoice("AR-DUE-EARLY", due_date=date(2026, 10, 30)),
        ar_invoice("AR-NO-LINES", lines=[]),
        ar_invoice("AR-TWICE"),
        ar_invoice("AR-TWICE"),
        duplicate_lines,
        ar_invoice("AR-CUSTOMER-INACTIVE", customer_id="C-1041"),
        ar_invoice("AR-CUSTOMER-UNKNOWN", customer_id="C-9999"),
        ar_invoice("AR-TERM-CASE", term_name="net 30"),
        ar_invoice("AR-TERM-SPACING", term_name="Net30"),
        ar_invoice("AR-TERM-INACTIVE", term_name="Net 90"),
        ar_invoice("AR-TERM-UNKNOWN", term_name="Net 120"),
        with_line(ar_invoice("INV-10432"), 1, account_no="6900", project_id=None),
        with_line(ar_invoice("AR-ACCOUNT-UNKNOWN"), 0, account_no="4999"),
        with_line(ar_invoice("AR-DEPT-INACTIVE"), 0, department_id="LEGACY"),
        with_line(ar_invoice("AR-LOCATION-INACTIVE"), 0, location_id="190"),
        with_line(ar_invoice("AR-CLASS-INACTIVE"), 0, class_id="OLDCLASS"),
        with_line(ar_invoice("AR-PROJECT-INACTIVE"), 1, project_id="P-0999"),
        with_line(ar_invoice("AR-ITEM-UNKNOWN"), 0, item_id="I-9999"),
        with_line(ar_invoice("AR-UDD-UNPERMITTED"), 0, dimensions={"REGION": "10001", "CHANNEL": "20001"}),
        with_line(ar_invoice("AR-UDD-UNKNOWN"), 0, dimensions={"TERRITORY": "T1"}),
        with_line(ar_invoice("AR-UDD-VALUE-INACTIVE"), 0, dimensions={"REGION": "10005"}),
        with_line(ar_invoice("AR-UDD-VALUE-UNKNOWN"), 0, dimensions={"REGION": "19999"}),
        with_line(ar_invoice("AR-PROJECT-REQUIRED"), 1, project_id=None),
        ar_invoice("AR-CLOSED", invoice_date=date(2026, 9, 15), due_date=date(2026, 10, 15)),
    ]


def _je_lines(key: str, *sides: tuple[str | None, str | None]) -> list[dict]:
    return [{"je_no": key, "line_no": n, "account_no": account, "debit": Decimal(debit) if debit else None,
             "credit": Decimal(credit) if credit else None, "memo": None, "department_id": "FIN",
             "location_id": None, "class_id": None, "project_id": None, "dimensions": {}}
            for n, (account, (debit, credit)) in enumerate(zip(("1500", "2100", "1000"), sides, strict=False), 1)]


def _je_cases() -> list[SourceDocument]:
    return [
        journal_entry("JE-CLEAN"),
        journal_entry("JE-ONE-LINE", lines=_je_lines("JE-ONE-LINE", ("0.00", None))[:1]),
        with_line(journal_entry("JE-UNBALANCED"), 2, credit=Decimal("10550.20")),
        journal_entry("JE-BOTH-SIDES", lines=_je_lines("JE-BOTH-SIDES", ("100.00", "100.00"), ("50.00", None),
                                                       (None, "50.00"))),
        journal_entry("JE-NO-SIDE", lines=_je_lines("JE-NO-SIDE", (None, None), ("50.00", None), (None, "50.00"))),
        journal_entry("JE-NEGATIVE", lines=_je_lines("JE-NEGATIVE", ("-100.00", None), (None, "-100.00"))),
        journal_entry("JE-REVERSE-EARLY", reverse_date=date(2026, 11, 15)),
        journal_entry("JE-JOURNAL-INACTIVE", journal="OLDJ"),
        journal_entry("JE-NO-TITLE", title=""),
        with_line(journal_entry("JE-DEPT-REQUIRED"), 0, department_id=None),
        journal_entry("JE-CLOSED", entry_date=date(2026, 8, 31)),
    ]


def _ap_cases() -> list[SourceDocument]:
    return [
        ap_bill("AP-CLEAN"),
        ap_bill("AP-VENDOR-UNKNOWN", vendor_id="V-9999"),
        ap_bill("AP-TERM-UPPER", term_name="NET 45"),
        with_line(ap_bill("AP-LOCATION-REQUIRED"), 1, location_id=None),
        with_line(ap_bill("AP-DEPT-REQUIRED"), 0, account_no="6300", department_id=None),
    ]


@pytest.fixture(scope="module")
def outcomes(validators):
    results = {}
    for doc_type, cases in (("ar_invoice", _ar_cases()), ("journal_entry", _je_cases()), ("ap_bill", _ap_cases())):
        outcome = validators[doc_type].validate(cases)
        assert len(outcome.valid) + len(outcome.failed) == len(cases)  # nothing lost
        results.update({document.key: None for document in outcome.valid})
        for failure in outcome.failed:
            results.setdefault(("failures", failure.document.key), []).append(failure)
            results[failure.document.key] = failure
    return results


def only_issue(outcomes, key):
    failure = outcomes[key]
    assert failure is not None, f"{key} passed validation"
    assert len(failure.issues) == 1, failure.message
    return failure, failure.issues[0]


@pytest.mark.parametrize("key", ["AR-CLEAN", "AP-CLEAN", "JE-CLEAN"])
def test_clean_document_of_each_type_passes(outcomes, key):
    assert outcomes[key] is None


def test_reader_problem_fails_with_its_own_message_not_a_missing_field(outcomes):
    failure, issue = only_issue(outcomes, "AR-UNREADABLE")
    assert failure.error_class == DQ
    assert (issue.field, issue.line_no) == ("amount", None)
    assert "ar_invoice 'AR-UNREADABLE', field amount:" in issue.message
    assert "'12,5O' is not a number" in issue.message


def test_orphan_lines_fail_once_not_per_missing_header_field(outcomes):
    failure, issue = only_issue(outcomes, "AR-ORPHAN")
    assert failure.error_class == DQ and issue.field == "invoice_no"
    assert "orphan lines" in issue.message


def test_missing_required_header_field_names_document_and_field(outcomes):
    failure, issue = only_issue(outcomes, "AR-NO-CUSTOMER")
    assert failure.error_class == DQ
    assert issue.message == "ar_invoice 'AR-NO-CUSTOMER', field customer_id: required value is missing"
    assert issue.expectation == "expect_column_values_to_not_be_null"


def test_blank_required_line_field_names_document_line_and_field(outcomes):
    failure, issue = only_issue(outcomes, "AR-BLANK-ACCOUNT")
    assert failure.error_class == DQ
    assert issue.message == "ar_invoice 'AR-BLANK-ACCOUNT' line 1, field account_no: required value is missing"


def test_date_given_as_text_is_a_type_failure(outcomes):
    failure, issue = only_issue(outcomes, "AR-TEXT-DATE")
    assert failure.error_class == DQ and issue.field == "invoice_date"
    assert "expected a date, got str '2026-13-01'" in issue.message


def test_amount_given_as_text_is_a_type_failure(outcomes):
    failure, issue = only_issue(outcomes, "AR-TEXT-AMOUNT")
    assert (failure.error_class, issue.line_no, issue.field) == (DQ, 1, "amount")
    assert "expected a decimal amount, got str '12,5O'" in issue.message


def test_amount_with_three_decimals_fails(outcomes):
    failure, issue = only_issue(outcomes, "AR-3-DECIMALS")
    assert (failure.error_class, issue.line_no, issue.field) == (DQ, 1, "amount")
    assert "amount 10.005 has 3 decimal places; at most 2 are allowed" in issue.message


def test_zero_amount_line_fails(outcomes):
    failure, issue = only_issue(outcomes, "AR-ZERO")
    assert issue.message == "ar_invoice 'AR-ZERO' line 2, field amount: the line amount is zero"


def test_due_date_before_document_date_fails(outcomes):
    failure, issue = only_issue(outcomes, "AR-DUE-EARLY")
    assert failure.error_class == DQ
    assert issue.message == ("ar_invoice 'AR-DUE-EARLY', field due_date: due date 2026-10-30 is before the "
                             "invoice date 2026-11-02")


def test_header_without_lines_fails(outcomes):
    failure, issue = only_issue(outcomes, "AR-NO-LINES")
    assert failure.error_class == DQ and "has a header but no lines" in issue.message


def test_document_number_twice_in_batch_fails_both_copies(outcomes):
    failures = outcomes[("failures", "AR-TWICE")]
    assert len(failures) == 2
    for failure in failures:
        assert [issue.message for issue in failure.issues] == [
            "ar_invoice 'AR-TWICE', field invoice_no: document number 'AR-TWICE' appears 2 times in this batch"]


def test_line_number_used_twice_fails_both_lines(outcomes):
    failure = outcomes["AR-DUP-LINE"]
    assert failure.error_class == DQ
    assert [(issue.line_no, issue.field) for issue in failure.issues] == [(1, "line_no"), (1, "line_no")]


def test_inactive_customer_is_invalid_reference(outcomes):
    failure, issue = only_issue(outcomes, "AR-CUSTOMER-INACTIVE")
    assert failure.error_class == REF
    assert issue.message == ("ar_invoice 'AR-CUSTOMER-INACTIVE', field customer_id: customer 'C-1041' is "
                             "inactive in Intacct")


def test_unknown_customer_is_invalid_reference(outcomes):
    failure, issue = only_issue(outcomes, "AR-CUSTOMER-UNKNOWN")
    assert failure.error_class == REF and "customer 'C-9999' does not exist in Intacct" in issue.message


def test_unknown_vendor_is_invalid_reference(outcomes):
    failure, issue = only_issue(outcomes, "AP-VENDOR-UNKNOWN")
    assert failure.error_class == REF and "field vendor_id: vendor 'V-9999' does not exist" in issue.message


@pytest.mark.parametrize(("key", "term", "suggested"), [
    ("AR-TERM-CASE", "net 30", "'Net 30'"),
    ("AR-TERM-SPACING", "Net30", "'Net 30'"),
    ("AP-TERM-UPPER", "NET 45", "'Net 45'"),
])
def test_term_that_differs_only_in_case_or_spacing_is_suggested_not_applied(outcomes, key, term, suggested):
    failure, issue = only_issue(outcomes, key)
    assert failure.error_class == TERM and issue.field == "term_name"
    assert f"term {term!r} does not exactly match an active Intacct" in issue.message
    assert f"did you mean {suggested}?" in issue.message
    assert failure.document.header["term_name"] == term  # never applied


def test_inactive_term_is_a_payment_term_failure(outcomes):
    failure, issue = only_issue(outcomes, "AR-TERM-INACTIVE")
    assert failure.error_class == TERM and "term 'Net 90' is inactive in Intacct (AR terms)" in issue.message


def test_unknown_term_gets_no_suggestion(outcomes):
    failure, issue = only_issue(outcomes, "AR-TERM-UNKNOWN")
    assert failure.error_class == TERM and "did you mean" not in issue.message


def test_inactive_account_message_names_document_line_and_field(outcomes):
    failure, issue = only_issue(outcomes, "INV-10432")
    assert failure.error_class == REF
    assert issue.message == "ar_invoice 'INV-10432' line 2, field account_no: account '6900' is inactive in Intacct"


def test_unknown_account_is_invalid_reference(outcomes):
    failure, issue = only_issue(outcomes, "AR-ACCOUNT-UNKNOWN")
    assert failure.error_class == REF and "account '4999' does not exist in Intacct" in issue.message


@pytest.mark.parametrize(("key", "line_no", "field", "words"), [
    ("AR-DEPT-INACTIVE", 1, "department_id", "department 'LEGACY' is inactive"),
    ("AR-LOCATION-INACTIVE", 1, "location_id", "location '190' is inactive"),
    ("AR-CLASS-INACTIVE", 1, "class_id", "class 'OLDCLASS' is inactive"),
    ("AR-PROJECT-INACTIVE", 2, "project_id", "project 'P-0999' is inactive"),
    ("AR-ITEM-UNKNOWN", 1, "item_id", "item 'I-9999' does not exist"),
])
def test_inactive_or_unknown_dimension_or_item_is_invalid_reference(outcomes, key, line_no, field, words):
    failure, issue = only_issue(outcomes, key)
    assert (failure.error_class, issue.line_no, issue.field) == (REF, line_no, field)
    assert words in issue.message


def test_unpermitted_udd_is_dimension_unavailable(outcomes):
    failure, issue = only_issue(outcomes, "AR-UDD-UNPERMITTED")
    assert (failure.error_class, issue.line_no, issue.field) == (DIM, 1, "dimensions.CHANNEL")
    assert "dimension 'CHANNEL' is inactive or not permitted for the integration user" in issue.message


def test_udd_unknown_to_intacct_is_dimension_unavailable(outcomes):
    failure, issue = only_issue(outcomes, "AR-UDD-UNKNOWN")
    assert failure.error_class == DIM and issue.field == "dimensions.TERRITORY"


@pytest.mark.parametrize(("key", "words"), [("AR-UDD-VALUE-INACTIVE", "REGION value '10005' is inactive"),
                                            ("AR-UDD-VALUE-UNKNOWN", "REGION value '19999' does not exist")])
def test_inactive_or_unknown_udd_value_is_invalid_reference(outcomes, key, words):
    failure, issue = only_issue(outcomes, key)
    assert (failure.error_class, issue.field) == (REF, "dimensions.REGION") and words in issue.message


@pytest.mark.parametrize(("key", "line_no", "field", "account"), [
    ("AR-PROJECT-REQUIRED", 2, "project_id", "4100"),
    ("AP-LOCATION-REQUIRED", 2, "location_id", "6600"),
    ("AP-DEPT-REQUIRED", 1, "department_id", "6300"),
    ("JE-DEPT-REQUIRED", 1, "department_id", "6000"),
])
def test_dimension_required_by_the_account_but_empty_is_data_quality(outcomes, key, line_no, field, account):
    failure, issue = only_issue(outcomes, key)
    assert (failure.error_class, issue.line_no, issue.field) == (DQ, line_no, field)
    assert f"account '{account}' requires {field}, which is empty" in issue.message


def test_posting_date_in_closed_period_names_period_and_closed_books_date(outcomes):
    failure, issue = only_issue(outcomes, "AR-CLOSED")
    assert failure.error_class == CLOSED and issue.field == "invoice_date"
    assert issue.message == ("ar_invoice 'AR-CLOSED', field invoice_date: posting date 2026-09-15 is in the closed "
                             "period 2026-09; the books are closed through 2026-09-30")


def test_journal_entry_in_closed_period_is_held(outcomes):
    failure, issue = only_issue(outcomes, "JE-CLOSED")
    assert failure.error_class == CLOSED and "closed period 2026-08" in issue.message


def test_journal_entry_with_one_line_fails(outcomes):
    failure = outcomes["JE-ONE-LINE"]
    assert failure.error_class == DQ
    assert "journal_entry 'JE-ONE-LINE', field lines: a journal entry needs at least 2 lines; it has 1" in failure.message


def test_unbalanced_journal_entry_fails_with_both_totals(outcomes):
    failure, issue = only_issue(outcomes, "JE-UNBALANCED")
    assert failure.error_class == DQ
    assert "debits 10550.25 and credits 10550.20 do not balance (difference 0.05)" in issue.message


def test_journal_line_with_both_debit_and_credit_fails(outcomes):
    failure, issue = only_issue(outcomes, "JE-BOTH-SIDES")
    assert issue.line_no == 1 and "it has debit 100.00 and credit 100.00" in issue.message


def test_journal_line_with_neither_debit_nor_credit_fails(outcomes):
    failure, issue = only_issue(outcomes, "JE-NO-SIDE")
    assert issue.line_no == 1 and "both are empty or zero" in issue.message


def test_negative_debit_or_credit_fails_on_each_line(outcomes):
    failure = outcomes["JE-NEGATIVE"]
    assert [(i.line_no, i.field) for i in failure.issues] == [(1, "debit"), (2, "credit")]
    assert failure.error_class == DQ


def test_reverse_date_not_after_entry_date_fails(outcomes):
    failure, issue = only_issue(outcomes, "JE-REVERSE-EARLY")
    assert issue.field == "reverse_date" and "is not after the entry date 2026-11-15" in issue.message


def test_inactive_journal_is_invalid_reference(outcomes):
    failure, issue = only_issue(outcomes, "JE-JOURNAL-INACTIVE")
    assert failure.error_class == REF and "journal 'OLDJ' is inactive in Intacct" in issue.message


def test_blank_journal_entry_title_is_missing(outcomes):
    failure, issue = only_issue(outcomes, "JE-NO-TITLE")
    assert issue.message == "journal_entry 'JE-NO-TITLE', field title: required value is missing"
