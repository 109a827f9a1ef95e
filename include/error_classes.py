"""The error classes: defined once, used by the gateway classifier, the validation
suites, the routing branch, the ledger and the README's "When a sync fails".

Each class has one remediation route. The classifier's message patterns live with
the client (``include.intacct.classify``); this module says what a class means and
what happens to a record that lands in it. ``ERROR_CASES`` adds the few situations
inside a class whose fix differs from the class's (the status page's "what to do").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorClass(StrEnum):
    TRANSIENT = "transient"
    AUTH = "auth"
    PERMISSION = "permission"
    PAYMENT_TERM = "payment_term"
    DIMENSION_UNAVAILABLE = "dimension_unavailable"
    INVALID_REFERENCE = "invalid_reference"
    CLOSED_PERIOD = "closed_period"
    DUPLICATE = "duplicate"
    VALIDATION = "validation"
    DATA_QUALITY = "data_quality"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ErrorClassInfo:
    meaning: str
    product_does: str
    person_does: str
    retry_in_run: bool  # worth retrying automatically inside the same run
    stops_run: bool  # one failure means every further call would fail the same way


ERROR_CLASSES: dict[ErrorClass, ErrorClassInfo] = {
    ErrorClass.TRANSIENT: ErrorClassInfo(
        meaning="Timeouts, HTTP 5xx, HTTP 429 / GW-0010 rate limits, 'temporarily off-line', "
        "'concurrent request in process', an expired API session ('Invalid session').",
        product_does="Retries with exponential backoff and jitter, honouring Retry-After; signs in again "
        "when a session expires (once per expiry, shared by every request in flight). After a write "
        "whose outcome is unknown (timeout, HTTP 524) it re-sends the same controlid under "
        "uniqueid=true or looks the document up by its number: a document that reached Intacct is "
        "recorded as posted with its RECORDNO, and one whose RECORDNO cannot be looked up yet stays "
        "pending for the task's retry. Recorded as a transient error for the next run when retries "
        "are exhausted.",
        person_does="Nothing, unless it persists across runs: then check Intacct's status page and "
        "the tenant's API usage.",
        retry_in_run=True,
        stops_run=False,
    ),
    ErrorClass.AUTH: ErrorClassInfo(
        meaning="Sender or user credentials rejected when signing in (XL03000006, sign-in incorrect, "
        "sender not authorized for the company). An expired session is not one: it is transient.",
        product_does="Stops the run early with one message; no per-record noise.",
        person_does="Fix the sender id/password or user credentials in the Airflow connection, or "
        "authorize the sender id in Intacct (Company > Setup > Security > Web Services authorizations).",
        retry_in_run=False,
        stops_run=True,
    ),
    ErrorClass.PERMISSION: ErrorClassInfo(
        meaning="The integration user lacks permission for an API operation (PL04000005) or the "
        "module is not subscribed.",
        product_does="Stops the run early with one message naming the operation and object.",
        person_does="Grant the integration user's role the permission named in the message.",
        retry_in_run=False,
        stops_run=True,
    ),
    ErrorClass.PAYMENT_TERM: ErrorClassInfo(
        meaning="The document's payment term does not exactly match an active AR/AP term "
        "('Could not retrieve the Sequence record!').",
        product_does="Applies the term mapping table; suggests near matches without applying them; "
        "optionally creates the term in Intacct by policy, then retries.",
        person_does="Add the ERP term to the term mapping, or create the exact term in Intacct "
        "(Setup > Payment Terms), or enable the auto-create policy.",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.DIMENSION_UNAVAILABLE: ErrorClassInfo(
        meaning="A user-defined dimension is inactive or not permitted for the integration user and "
        "cannot return values (the INT402 situation).",
        product_does="Holds the documents, re-syncs dimensions, releases them when the dimension is "
        "readable again.",
        person_does="Activate the dimension (Platform Services > Objects), grant the integration user "
        "permission to read it, then sync master data again (intacct_master_data, objects DIMENSIONS).",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.INVALID_REFERENCE: ErrorClassInfo(
        meaning="An unknown or inactive customer, vendor, item, account, department, location, "
        "class or project.",
        product_does="Pushes ERP-owned masters (customer, vendor, item) and retries; holds documents "
        "that reference Intacct-owned masters until master data shows them.",
        person_does="Create or activate the record in Intacct, or correct the ERP document.",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.CLOSED_PERIOD: ErrorClassInfo(
        meaning="The posting date falls in a period whose books are closed.",
        product_does="By policy per document type: hold until the period is reopened (then "
        "backfill), re-date to the first open date, or flag for manual adjustment.",
        person_does="Reopen the period and run the backfill command, or let the re-date policy act, "
        "or adjust manually in Intacct and mark the document synced.",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.DUPLICATE: ErrorClassInfo(
        meaning="The document number already exists, or the controlid was already recorded.",
        product_does="Looks the existing record up and links its RECORDNO: success, not error.",
        person_does="Nothing.",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.VALIDATION: ErrorClassInfo(
        meaning="Intacct refused the document's content (missing required field, malformed value).",
        product_does="Records the error with Intacct's text; retries when the ERP version changes.",
        person_does="Correct the document in the ERP.",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.DATA_QUALITY: ErrorClassInfo(
        meaning="The document failed a Great Expectations check before reaching the gateway "
        "(missing fields, bad amounts, unbalanced journal entry).",
        product_does="Quarantines it with the failed expectation; a corrected ERP version is picked "
        "up by the next run.",
        person_does="Correct the document in the ERP.",
        retry_in_run=False,
        stops_run=False,
    ),
    ErrorClass.UNKNOWN: ErrorClassInfo(
        meaning="Anything the classifier does not recognise.",
        product_does="Records the raw message, counts it and surfaces it in the reconciliation report.",
        person_does="Read the message; report it so a pattern can be added.",
        retry_in_run=False,
        stops_run=False,
    ),
}


class ErrorCase(StrEnum):
    """A situation inside an error class whose fix differs from the class's general one."""

    MANUAL_ADJUSTMENT = "manual_adjustment"  # closed_period: changed in the ERP after posting, period closed
    LOCATION_OUTSIDE_ENTITY = "location_outside_entity"  # invalid_reference: a line's location, another entity


@dataclass(frozen=True)
class ErrorCaseInfo:
    error_class: ErrorClass
    meaning: str
    person_does: str


ERROR_CASES: dict[ErrorCase, ErrorCaseInfo] = {
    ErrorCase.MANUAL_ADJUSTMENT: ErrorCaseInfo(
        ErrorClass.CLOSED_PERIOD,
        meaning="Posted, then changed in the ERP, and dated in a period whose books are now closed: Intacct "
        "refuses any change there, so the product does not send it again.",
        person_does="Adjust the document by hand in Intacct (e.g. a credit note or adjusting entry in an open "
        "period), then select it and choose Mark as synced, with what you did as the reason. Synchronize does "
        "not apply while the period is closed (Intacct refuses the change); once it is reopened, Synchronize "
        "posts the change instead.",
    ),
    ErrorCase.LOCATION_OUTSIDE_ENTITY: ErrorCaseInfo(
        ErrorClass.INVALID_REFERENCE,
        meaning="A line's location belongs to another entity than the document's entity.",
        person_does="Correct the document in the ERP: give each line a location of the document's entity, or "
        "change the document's entity. Nothing needs creating in Intacct: the next run posts the corrected "
        "version (or select it and Synchronize).",
    ),
}
