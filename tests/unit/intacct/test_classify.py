"""The classifier: one case per pattern, using the reference's (and the sandbox's) real texts."""

import pytest

from include.error_classes import ErrorClass
from include.intacct.classify import GENERIC_PATTERNS, PATTERNS, classify, match
from include.intacct.errors import (
    AuthenticationError,
    ControlError,
    ErrorDetail,
    FunctionError,
    TransportError,
)
from tests.unit.intacct.rest.classify_cases import REST_CASES

GENERIC = ErrorDetail("BL01001973", "", "Could not create Document record!")


def line(errorno="", description="", description2="", correction=""):
    return ErrorDetail.from_texts(errorno, description, description2, correction)


# pattern name -> (error lines, expected class). Texts are verbatim from the protocol reference
# (section 6.2) or from the sandbox's message table where Intacct's text is not public.
CASES = {
    "controlid_already_recorded": (
        [line("XL03000009", "", "A successful transaction has already been recorded with the control id bill-V1-42-v1")],
        ErrorClass.DUPLICATE),
    "duplicate_document_number": ([line("BL03002185", "", "A transaction with that number already exists")],
                                  ErrorClass.DUPLICATE),
    "transaction_number_exists": ([line("", "", "Transaction with the number 'INV-7' already exists")],
                                  ErrorClass.DUPLICATE),
    "duplicate_master_record": (
        [line("BL34000061", "", "Another Class with the given value(s) UT01  already exists", "Use a unique value instead.")],
        ErrorClass.DUPLICATE),
    "another_record_with_value": ([line("", "", "Another record with the value 'Acme' already exists")],
                                  ErrorClass.DUPLICATE),
    "duplicate_account_number": (
        [line("BL01001973", "Duplicate account number",
              "The account number '5000.11' already exists [Support ID: EsppO%7EZEcj0DEGV_L5hm95Ec91twAAABA]",
              "Enter unique account number"), line("BL01001973", "", "Could not create GL Account record.")],
        ErrorClass.DUPLICATE),
    "rate_limit_code": ([line("GW-0010", "Too Many Requests")], ErrorClass.TRANSIENT),
    "rate_limit_text": ([line("", "", "API rate limit exceeded")], ErrorClass.TRANSIENT),
    "service_off_line": ([line("", "", "The Service is Temporarily Off-line")], ErrorClass.TRANSIENT),
    "concurrent_request": (
        [line("", "", "A concurrent request in process for company DEMO has reached its limit of 2 concurrent "
                      "requests. Wait, then retry.")], ErrorClass.TRANSIENT),
    "please_try_again_later": ([line("", "Service unavailable", "", "Please Try Again Later")], ErrorClass.TRANSIENT),
    "sender_credentials": ([line("XL03000006", "", "Incorrect Intacct XML Partner ID or password. [Support ID: abc]")],
                           ErrorClass.AUTH),
    "sender_not_authorized": (
        [line("XL03000006", "Invalid Web Services Authorization",
              "The sender ID 'test_sender_id' is not authorized to make Web Services requests to company ID "
              "'test_company_id'.")], ErrorClass.AUTH),
    "sign_in_incorrect": ([line("XL03000006", "Sign-in information is incorrect")], ErrorClass.AUTH),
    "invalid_session": ([line("XL03000006", "Invalid session", "Invalid session")], ErrorClass.TRANSIENT),
    "sign_in_code": ([line("UJPP0002")], ErrorClass.AUTH),
    "gateway_invalid_request": ([line("GW-0011", "Invalid Request [Request ID: AC47C2BE:D9EE_63EBC07F.59]")],
                                ErrorClass.AUTH),
    "no_api_permission_code": ([line("PL04000005", "", "")], ErrorClass.PERMISSION),
    "no_api_permission_text": (
        [line("", "", "You do not have permission for API operation READ_BY_QUERY on objects of type arinvoice "
                      "[Support ID: x]")], ErrorClass.PERMISSION),
    "operation_not_allowed": (
        [line("", "", "API operation 'READ_BY_QUERY' cannot be performed on objects of type allocation")],
        ErrorClass.PERMISSION),
    "module_not_subscribed": ([line("", "", "Account allocation module is not subscribed")], ErrorClass.PERMISSION),
    "feature_disabled": ([line("", "", "This feature is disabled for your company or your current user")],
                         ErrorClass.PERMISSION),
    "not_authorized_action": ([line("", "", "You're not authorized to perform this action")], ErrorClass.PERMISSION),
    "demo_company_expired": ([line("PL04000055", "This company is a demo company and has expired.")],
                             ErrorClass.PERMISSION),
    "sequence_not_retrieved": ([line("BL01001973", "", "Could not retrieve the Sequence record!"), GENERIC],
                               ErrorClass.PAYMENT_TERM),
    "term_name_invalid": ([line("", "", "The term name 'Net 45' is invalid")], ErrorClass.PAYMENT_TERM),
    "invalid_term": ([line("BL01001973", "", "Invalid Term 'Net 45' specified."), GENERIC], ErrorClass.PAYMENT_TERM),
    "udd_unavailable": (
        [line("BL01001973", "", "User-defined dimension 'PLACE' is not available to this user: it is inactive or "
                                "the user lacks permission."), GENERIC], ErrorClass.DIMENSION_UNAVAILABLE),
    "dimension_inactive_or_not_permitted": ([line("", "", "The dimension 'TEAM' is inactive")],
                                            ErrorClass.DIMENSION_UNAVAILABLE),
    "periods_closed": (
        [line("BL01001973", "", "Periods are closed. Your transaction date (03/15/2024) is within a period that's been "
                                "closed. You can add, modify, or delete a transaction only if the date of the "
                                "transaction is within a period that's open."), GENERIC], ErrorClass.CLOSED_PERIOD),
    "within_closed_period": ([line("", "", "Your transaction date (03/15/2024) is within a period that's been closed.")],
                             ErrorClass.CLOSED_PERIOD),
    "date_on_or_after": ([line("", "", "Date must be on or after 04/01/2024")], ErrorClass.CLOSED_PERIOD),
    "reporting_period_closed": ([line("INT771", "", "The batches for this reporting period are closed in Sage Intacct")],
                                ErrorClass.CLOSED_PERIOD),
    "invalid_named_value": ([line("BL01001973", "", "Invalid Project '10064' specified."), GENERIC],
                            ErrorClass.INVALID_REFERENCE),
    "value_specified_not_valid": ([line("BL01001973", "", "Vendor 'V999' specified is not valid."), GENERIC],
                                  ErrorClass.INVALID_REFERENCE),
    "the_value_is_invalid": ([line("BL01001973", "", "The location 'L9' is invalid."), GENERIC],
                             ErrorClass.INVALID_REFERENCE),
    "account_not_valid": ([line("BL01001973", "", "Account 9999 is not valid"), GENERIC], ErrorClass.INVALID_REFERENCE),
    "item_not_valid": ([line("BL01001973", "", "Item ID 'WIDGET-9' is not valid"), GENERIC],
                       ErrorClass.INVALID_REFERENCE),
    "activate_reference": ([line("", "", "", "Activate the vendor V1, then try again.")], ErrorClass.INVALID_REFERENCE),
    "account_inactive": ([line("", "", "Account is inactive")], ErrorClass.INVALID_REFERENCE),
    "empty_location": (
        [line("BL01001973", "", "Use of empty Location is invalid. A valid Multi-Entity Location must be specified.")],
        ErrorClass.INVALID_REFERENCE),
    "cannot_find_to_delete": ([line("BL01001973", "", "Cannot find class with key 'UT01' to delete.")],
                              ErrorClass.INVALID_REFERENCE),
    "cannot_update_missing": ([line("BL01001973", "", "Cannot update non-existing CLASS with CLASSID=UT99.")],
                              ErrorClass.INVALID_REFERENCE),
    "login_id_not_exist": ([line("BL03000025", "Login ID unittest does not exist.", "",
                                 "Provide a valid USER.LOGINID value.")], ErrorClass.INVALID_REFERENCE),
    "xml_parse_error": ([line("XL03000003", "", "XML Parse schema error: Fatal Error 76: Opening and ending tag "
                                               "mismatch: delete line 16 and function.")], ErrorClass.VALIDATION),
    "illegal_format": ([line("BL03000018", "", "Illegal format for Contactversion : Primary Email Address @aeon.org.")],
                       ErrorClass.VALIDATION),
    "required_value_missing": ([line("BL03002128", "", "Enter a Bill number, and try again.")], ErrorClass.VALIDATION),
    "line_item_problem": ([line("BL03002101", "", "Remove the extra line item in the request, then reclassify the bill.")],
                          ErrorClass.VALIDATION),
    "debits_credits_unequal": ([line("", "", "Debits and credits are not equal")], ErrorClass.VALIDATION),
    "date_invalid": ([line("PL03000006", "", "The transaction date 'Array' is invalid.")], ErrorClass.VALIDATION),
    "due_before_transaction": ([line("", "", "Date Due cannot be earlier than date of transaction")],
                               ErrorClass.VALIDATION),
    "missing_dimension_for_account": (
        [line("BL01001973", "", "This transaction is missing the Department dimension for the Account 6220")],
        ErrorClass.VALIDATION),
    "task_requires_project": ([line("BL01001973", "", "Task 'T1' requires a Project to be specified.")],
                              ErrorClass.VALIDATION),
    "term_or_due_date_required": ([line("BL01001973", "", "Either a payment term or a due date is required.")],
                                  ErrorClass.VALIDATION),
    "amount_invalid": ([line("BL01001973", "", "The amount 'abc' for TRX_AMOUNT is invalid.")], ErrorClass.VALIDATION),
    "invalid_parameter": ([line("PL03000006", "", "Invalid query parameter: pagesize must be 1..2000")],
                          ErrorClass.VALIDATION),
    "smart_rule_violated": ([line("", "", "Smart Rule 123456789 Violated")], ErrorClass.VALIDATION),
    "unknown_object": ([line("Query Failed", "", "Object definition BADOBJECT not found")], ErrorClass.VALIDATION),
    "unknown_field": ([line("XL03000006", "", "The following fields cannot be queried: [ vendor: [FOO] ]")],
                      ErrorClass.VALIDATION),
    "check_transaction_try_again": (
        [line("BL01001973", "Currently, we can't create the transaction", "Could not create cctransaction record!",
              "Check the transaction for errors or inconsistencies, then try again.")], ErrorClass.TRANSIENT),
}


CASES.update(REST_CASES)  # the REST matcher's patterns share the table


@pytest.mark.parametrize("name", sorted(CASES))
def test_pattern_matches_its_real_message(name):
    errors, expected = CASES[name]
    assert match(errors).name == name
    assert classify(errors) is expected


def test_every_pattern_has_a_case():
    assert {p.name for p in PATTERNS + GENERIC_PATTERNS} == set(CASES)


def test_specific_cause_line_wins_over_generic_could_not_create_line():
    errors = [GENERIC, line("BL01001973", "", "Invalid Project '10064' specified.")]
    assert classify(errors) is ErrorClass.INVALID_REFERENCE


def test_term_message_is_payment_term_not_invalid_reference():
    assert classify([line("BL01001973", "", "Invalid Term 'N45' specified.")]) is ErrorClass.PAYMENT_TERM


def test_bare_word_period_or_closed_is_not_a_closed_period():
    errors = [line("BL01001973", "", "Invalid Reporting period name 'Q5' for budget; status closed by admin")]
    assert classify(errors) is not ErrorClass.CLOSED_PERIOD


def test_unrecognised_message_is_unknown():
    assert classify([line("DL02000001", "Error", "There was an error processing the request.")]) is ErrorClass.UNKNOWN


def test_rollback_line_alone_is_not_a_cause():
    errors = [line("XL03000009", "", "The entire transaction in this operation has been rolled back due to an error.")]
    assert match(errors) is None
    assert classify(errors) is ErrorClass.UNKNOWN


def test_exceptions_are_classified_by_errors_then_by_kind():
    assert classify(AuthenticationError("x")) is ErrorClass.AUTH
    assert classify(ControlError("x", errors=CASES["sender_credentials"][0])) is ErrorClass.AUTH
    assert classify(FunctionError("x", errors=CASES["periods_closed"][0])) is ErrorClass.CLOSED_PERIOD
    assert classify(TransportError("html page", http_status=502)) is ErrorClass.TRANSIENT
    assert classify(TransportError("read timeout", outcome_unknown=True)) is ErrorClass.TRANSIENT
    assert classify(TransportError("forbidden", http_status=403, transient=False)) is ErrorClass.PERMISSION
    assert classify(TransportError("rate", http_status=429, errors=CASES["rate_limit_code"][0])) is ErrorClass.TRANSIENT
