"""Every error text the sandbox returns, in one place.

These texts are a contract: the client's classifier matches on them. They follow
Sage Intacct's own wording where a public source shows it (see the protocol
reference, section 6.2); where none does, the text is ours and says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayError:
    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""


# --- control level -------------------------------------------------------------------------------
def xml_parse_error(detail: str) -> GatewayError:
    """A request that is not well formed or breaks the schema, with libxml2's report as Intacct shows it:
    "XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: ... Line: 19, column: 18."
    (https://developer.intacct.com/web-services/error-handling/). Intacct appends a [Support ID: ...]."""
    return GatewayError("XL03000003", "", f"XML Parse schema error: {detail}")


def sender_credentials_incorrect() -> GatewayError:
    return GatewayError("XL03000006", "", "Incorrect Intacct XML Partner ID or password.")


def invalid_request(detail: str) -> GatewayError:
    return GatewayError("GW-0011", f"Invalid Request: {detail}")


# --- authentication level ------------------------------------------------------------------------
def sender_not_authorized(sender_id: str, company_id: str) -> GatewayError:
    return GatewayError(
        "XL03000006",
        "Invalid Web Services Authorization",
        f"The sender ID '{sender_id}' is not authorized to make Web Services requests to company ID "
        f"'{company_id}'.",
        "Contact the company administrator to grant Web Services authorization to this sender ID.",
    )


def sign_in_incorrect() -> GatewayError:
    return GatewayError("XL03000006", "Sign-in information is incorrect", "",
                        "Check the user ID, company ID and password, then try again.")


def invalid_session() -> GatewayError:
    # No verbatim public sample exists; the reference suggests this shape.
    return GatewayError("XL03000006", "Invalid session", "Invalid session",
                        "Sign in again with getAPISession.")


def invalid_entity(location_id: str) -> GatewayError:
    return GatewayError("XL03000006", "Sign-in information is incorrect",
                        f"Invalid entity '{location_id}' specified for this company.")


# --- function level: generic ---------------------------------------------------------------------
ROLLED_BACK = GatewayError(
    "XL03000009", "", "The entire transaction in this operation has been rolled back due to an error."
)


def duplicate_control_id(control_id: str) -> GatewayError:
    # The text is Intacct's; its errorno is not public, so the generic business one is used.
    return GatewayError(
        "BL01001973", "", f"A successful transaction has already been recorded with the control id {control_id}"
    )


def function_not_served(name: str) -> GatewayError:
    # Wording is ours: the call is in Intacct's schema (a real tenant would run it); the sandbox does not
    # model it. A call outside the schema is refused before anything runs, as a parse schema error.
    return GatewayError("BL01001973", "", f"The sandbox does not serve {name}: it is an Intacct function the "
                        "sandbox does not model.")


def object_not_found(object_name: str) -> GatewayError:
    return GatewayError("Query Failed", "", f"Object definition {object_name} not found")


def unknown_field(object_name: str, fields: list[str]) -> GatewayError:
    """Intacct's refusal of fields a read cannot return, every one listed: "The following fields cannot be
    queried: [ item: [BASEUOM] ]" (intacct/intacct-sdk-net#150; intacct/intacct-sdk-js#83 lists two
    fields of apbill). Those reports come from `query`; readByQuery and read are answered the same."""
    names = ", ".join(f.upper() for f in fields)
    return GatewayError("XL03000006", "", f"The following fields cannot be queried: [ {object_name.lower()}: "
                        f"[{names}] ]")


def query_syntax(detail: str) -> GatewayError:
    return GatewayError("Query Failed", "", f"Invalid query: {detail}")


def invalid_parameter(function: str, detail: str) -> GatewayError:
    return GatewayError("PL03000006", "", f"Invalid {function} parameter: {detail}")


def read_more_failed(result_id: str) -> GatewayError:
    return GatewayError("readMore failed", "", f"Attempt to readMore with an invalid or expired resultId: {result_id}")


def read_more_object_failed(object_name: str) -> GatewayError:
    # Wording is ours, after the resultId text above: no public sample shows readMore by object failing.
    return GatewayError("readMore failed", "",
                        f"Attempt to readMore with no readByQuery of {object_name} in progress in this session")


def read_only_object(object_name: str) -> GatewayError:
    # Wording is ours: the sandbox reads these objects but does not model writing them.
    return GatewayError("BL01001973", "", f"The sandbox does not write {object_name} records; they are read-only "
                        "in the sandbox.")


def no_permission(operation: str, object_name: str) -> GatewayError:
    return GatewayError(
        "PL04000005", "", f"You do not have permission for API operation {operation} on objects of type "
        f"{object_name.lower()}"
    )


# --- function level: business rules --------------------------------------------------------------
def could_not_create(label: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Could not create {label} record!")


def could_not_update(label: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Could not update {label} record!")


def lines_through_document(line_object: str, document_object: str) -> GatewayError:
    # Wording is ours: lines are written through their document.
    return GatewayError("BL01001973", "", f"{line_object} records are written through their {document_object}.")


def cannot_find_to_delete(label: str, key: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Cannot find {label.lower()} with key '{key}' to delete.")


def cannot_update_missing(object_name: str, key_field: str, key: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Cannot update non-existing {object_name} with {key_field}={key}.")


SEQUENCE_NOT_RETRIEVED = GatewayError("BL01001973", "", "Could not retrieve the Sequence record!")


def period_closed(transaction_date: str) -> GatewayError:
    return GatewayError(
        "BL01001973", "",
        f"Periods are closed. Your transaction date ({transaction_date}) is within a period that's been closed. "
        "You can add, modify, or delete a transaction only if the date of the transaction is within a period "
        "that's open.",
        "Change the transaction date, or reopen the period, then try again.",
    )


def invalid_dimension(label: str, value: str) -> GatewayError:
    """Department, class, project, employee, item... (Intacct's 'Invalid Project '10064' specified.')."""
    return GatewayError("BL01001973", "", f"Invalid {label} '{value}' specified.")


def invalid_customer(value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Customer '{value}' specified is not valid.")


def invalid_vendor(value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Vendor '{value}' specified is not valid.")


def invalid_location(value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"The location '{value}' is invalid.")


def invalid_account(value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Account {value} is not valid")


def invalid_item(value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Item ID '{value}' is not valid")


def invalid_journal(value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Invalid Journal '{value}' specified.")


def missing_dimension(dimension_label: str, account_no: str) -> GatewayError:
    return GatewayError(
        "BL01001973", "", f"This transaction is missing the {dimension_label} dimension for the Account {account_no}"
    )


def location_required_multi_entity() -> GatewayError:
    return GatewayError("BL01001973", "",
                        "Use of empty Location is invalid. A valid Multi-Entity Location must be specified.")


def task_requires_project(task_id: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Task '{task_id}' requires a Project to be specified.")


def udd_unavailable(name: str) -> GatewayError:
    return GatewayError(
        "BL01001973", "",
        f"User-defined dimension '{name}' is not available to this user: it is inactive or the user lacks "
        "permission.",
    )


def invalid_udd_value(name: str, value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Invalid {name} '{value}' specified.")


DEBITS_CREDITS_NOT_EQUAL = GatewayError("BL03002101", "", "Debits and credits are not equal",
                                        "Make sure the debits and credits balance, then try again.")
TOO_FEW_ENTRIES = GatewayError("BL03002101", "", "A journal entry must have at least 2 lines.",
                               "Add the missing line item in the request, then try again.")
NO_LINES = GatewayError("BL03002101", "", "The transaction must have at least one line item.",
                        "Add a line item in the request, then try again.")


def line_without_account(line_no: int) -> GatewayError:
    return GatewayError("BL01001973", "", f"Line {line_no} has no associated account")


def line_without_amount(line_no: int) -> GatewayError:
    return GatewayError("BL03002101", "", f"Line {line_no} has no amount.",
                        "Remove the extra line item in the request, then reclassify the bill.")


DUPLICATE_DOCUMENT_NUMBER = GatewayError("BL03002185", "", "A transaction with that number already exists",
                                         "Use a unique transaction number instead.")


def duplicate_master(label: str, value: str) -> GatewayError:
    # Two spaces before 'already': Intacct's own text has them.
    return GatewayError("BL34000061", "", f"Another {label} with the given value(s) {value}  already exists",
                        "Use a unique value instead.")


def required_field(label: str, field: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"Required field {field} is missing for the {label}.",
                        f"Provide a value for {field}, then try again.")


def invalid_date(field: str, value: str) -> GatewayError:
    return GatewayError("PL03000006", "", f"The transaction date '{value}' is invalid.",
                        f"Provide {field} as MM/DD/YYYY.")


def invalid_amount(field: str, value: str) -> GatewayError:
    return GatewayError("BL01001973", "", f"The amount '{value}' for {field} is invalid.")


def term_or_due_date_required() -> GatewayError:
    return GatewayError("BL01001973", "", "Either a payment term or a due date is required.")


def record_not_found_for_update(object_name: str, key: str) -> GatewayError:
    return cannot_update_missing(object_name, "RECORDNO", key)


# --- HTTP level ----------------------------------------------------------------------------------
RATE_LIMIT_DESCRIPTION = "Too Many Requests"
RATE_LIMIT_TEXT = (
    "Your API client has hit its assigned rate limit by submitting too many requests in a short period of "
    "time. Wait, then retry."
)


def concurrency_limit_text(company_id: str, limit: int) -> str:
    return (
        f"A concurrent request in process for company {company_id} has reached its limit of {limit} "
        "concurrent requests. Wait, then retry."
    )


HTML_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en-US"><head><title>api.intacct.com | 502: Bad gateway</title></head>
<body><div id="cf-error-details" class="cf-error-details-wrapper">
<h1>Bad gateway</h1><p>Error code 502</p>
<p>The web server reported a bad gateway error. Please try again in a few minutes.</p>
</div></body></html>
"""
