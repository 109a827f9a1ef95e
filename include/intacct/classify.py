"""Maps a gateway failure to exactly one ``ErrorClass``, from one table of patterns.

Intacct's ``errorno`` is often the generic BL01001973; the cause is in ``description2``.
So every error line is matched in order and the first *specific* match wins; generic
wrapper lines ("Could not create ... record!", "... rolled back ...", REST's "POST request on
... was unsuccessful") are consulted only when no specific line matched. Patterns are phrases,
never a bare word like "period".

One table serves both APIs, with a matcher per API: ``text`` matches either API's message,
``errorno`` the XML ``errorno`` or the REST ``errorId`` (``GW-0010``, ``GL-1009``), ``rest_code``
the REST ``code`` only. When no pattern matches, the HTTP status decides, by each API's own
table (a REST 404 is an unknown record, an XML gateway never answers one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from include.error_classes import ErrorClass
from include.intacct.errors import (
    AuthenticationError,
    ControlError,
    ErrorDetail,
    FunctionError,
    IntacctError,
    TransportError,
)

_I = re.IGNORECASE


@dataclass(frozen=True)
class Pattern:
    name: str
    error_class: ErrorClass
    text: re.Pattern[str] | None = None  # searched in "description description2 correction"
    errorno: re.Pattern[str] | None = None  # full-matched against errorno (XML) or errorId (REST)
    rest_code: re.Pattern[str] | None = None  # full-matched against a REST error's code

    def matches(self, error: ErrorDetail) -> bool:
        if self.rest_code is not None and not self.rest_code.fullmatch(error.code):
            return False
        if self.errorno is not None and not self.errorno.fullmatch(error.errorno):
            return False
        if self.text is not None:
            haystack = " ".join((error.description, error.description2, error.correction))
            return self.text.search(haystack) is not None
        return True


def _p(name: str, error_class: ErrorClass, text: str | None = None, errorno: str | None = None,
       rest_code: str | None = None) -> Pattern:
    return Pattern(name, error_class, re.compile(text, _I) if text else None,
                   re.compile(errorno, _I) if errorno else None, re.compile(rest_code) if rest_code else None)


T, A, P = ErrorClass.TRANSIENT, ErrorClass.AUTH, ErrorClass.PERMISSION
PT, DU, IR = ErrorClass.PAYMENT_TERM, ErrorClass.DIMENSION_UNAVAILABLE, ErrorClass.INVALID_REFERENCE
CP, DUP, V = ErrorClass.CLOSED_PERIOD, ErrorClass.DUPLICATE, ErrorClass.VALIDATION

# Order matters only where two patterns could match the same line: more specific first.
PATTERNS: tuple[Pattern, ...] = (
    # duplicate: the control id was already recorded (checked first: some gateways send it as XL03000009)
    _p("controlid_already_recorded", DUP, r"already been recorded with the control id"),
    _p("duplicate_document_number", DUP, errorno=r"BL03002185"),
    _p("transaction_number_exists", DUP, r"transaction with (?:that|the) number (?:'[^']*' )?already exists"),
    _p("duplicate_master_record", DUP, errorno=r"BL34000061|PL05000104"),
    _p("another_record_with_value", DUP, r"Another \S+(?: \S+)? with the (?:given )?value"),
    _p("duplicate_account_number", DUP, r"The account number '[^']*' already exists|Duplicate account number"),
    # transient
    _p("rate_limit_code", T, errorno=r"GW-0010"),
    _p("gateway_unable_to_process", T, errorno=r"GW-0001"),
    _p("rate_limit_text", T, r"rate limit (?:exceeded|by submitting)|hit its assigned rate limit|Too Many Requests"),
    _p("service_off_line", T, r"temporarily off-?line"),
    _p("concurrent_request", T, r"concurrent request in process"),
    _p("please_try_again_later", T, r"Please Try Again Later"),
    # A session expires or is ended elsewhere as a matter of routine: the client signs in again.
    # Only a failed sign-in (below) is an authentication error.
    _p("invalid_session", T, r"\bInvalid session\b"),
    # auth
    _p("sender_credentials", A, r"Incorrect Intacct XML Partner ID or password"),
    _p("sender_not_authorized", A, r"not authorized to make Web Services requests|Invalid Web Services Authorization"),
    _p("sign_in_incorrect", A, r"Sign-in information is incorrect"),
    _p("sign_in_code", A, errorno=r"XMLGW_JPP0002|UJPP0002|invalidRequest"),
    _p("gateway_invalid_request", A, errorno=r"GW-0011"),
    # REST sign-in (the token endpoint): missing tenant, grant, user name or client id; a client the
    # company does not know. An expired token mid-run is routine: the client mints a new one.
    _p("rest_token_request_refused", A, errorno=r"GW-00(?:12|15|32|33|35|36|37|38|39)"),
    _p("oauth_client_refused", A, rest_code=r"invalid_client|invalid_grant|unauthorized_client|access_denied"),
    _p("rest_token_invalid", A, errorno=r"GW-003[14]"),
    _p("rest_forbidden", P, errorno=r"GW-0042"),
    # permission
    _p("no_api_permission_code", P, errorno=r"PL04000005"),
    _p("no_api_permission_text", P, r"You do not have permission for API operation"),
    _p("operation_not_allowed", P, r"API operation '[^']+' cannot be performed on objects of type"),
    _p("module_not_subscribed", P, r"module is not subscribed"),
    _p("feature_disabled", P, r"This feature is disabled for your company or your current user"),
    _p("not_authorized_action", P, r"You're not authorized to perform this action"),
    _p("demo_company_expired", P, errorno=r"PL04000055"),
    # payment term
    _p("sequence_not_retrieved", PT, r"Could not retrieve the Sequence record"),
    _p("term_name_invalid", PT, r"The term name '[^']*' is invalid"),
    _p("invalid_term", PT, r"Invalid (?:AR |AP )?(?:Payment )?Term '[^']*' specified"),
    # dimension unavailable (the INT402 situation)
    _p("udd_unavailable", DU, r"User-defined dimension '[^']*' is not available"),
    _p("dimension_inactive_or_not_permitted", DU, r"dimension '[^']*' (?:is inactive|is not permitted)"),
    # closed period
    _p("periods_closed", CP, r"Periods are closed"),
    _p("within_closed_period", CP, r"within a period that's been closed"),
    _p("date_on_or_after", CP, r"Date must be on or after"),
    _p("reporting_period_closed", CP, r"batches for this reporting period are closed"),
    # an invalid date, before the invalid-reference "The <thing> '<value>' is invalid" family
    _p("date_invalid", V, r"The transaction date '[^']*' is invalid"),
    # invalid reference
    _p("invalid_named_value", IR, r"\bInvalid [A-Za-z][A-Za-z .]* '[^']*' (?:specified|selected)"),
    _p("value_specified_not_valid", IR, r"\b[A-Za-z][A-Za-z .]* '[^']*'(?:\s*:\s*'[^']*')? specified is not valid"),
    _p("the_value_is_invalid", IR, r"\bThe [A-Za-z][A-Za-z .]* '[^']*' is invalid"),
    _p("account_not_valid", IR, r"\bAccount [\w.\-]+ is not valid|The specified GL account '[^']*'"),
    _p("item_not_valid", IR, r"\bItem ID '[^']*' is not valid"),
    _p("activate_reference", IR, r"\bActivate the (?:vendor|customer|employee|project|item|account)\b"),
    _p("account_inactive", IR, r"\bAccount is inactive"),
    _p("empty_location", IR, r"Use of empty Location is invalid"),
    _p("cannot_find_to_delete", IR, r"Cannot find [\w ]+ with key '[^']*' to delete"),
    _p("cannot_update_missing", IR, r"Cannot update non-existing"),
    _p("login_id_not_exist", IR, r"Login ID \S+ does not exist"),
    # validation: Intacct refused the content
    _p("xml_parse_error", V, errorno=r"XL03000003"),
    _p("illegal_format", V, r"Illegal format for"),
    _p("required_value_missing", V, r"\bEnter an? [\w ]+, and try again|Required field \S+ is missing"),
    _p("line_item_problem", V, errorno=r"BL03002101"),
    _p("debits_credits_unequal", V, r"Debits and credits are not equal"),
    # REST's text for an unbalanced journal entry (fylein's REST fixture, GL-1009)
    _p("transactions_do_not_balance", V, r"Transactions do not balance"),
    _p("due_before_transaction", V, r"Date Due cannot be earlier than date of transaction"),
    _p("missing_dimension_for_account", V, r"This transaction is missing the [\w ]+ dimension for the Account"),
    _p("task_requires_project", V, r"requires a Project to be specified"),
    _p("term_or_due_date_required", V, r"Either a payment term or a due date is required"),
    _p("amount_invalid", V, r"The amount '[^']*' for \S+ is invalid"),
    _p("invalid_parameter", V, r"Invalid \w+ parameter:"),
    _p("smart_rule_violated", V, r"Smart Rule \S+ Violated"),
    _p("unknown_object", V, r"Object definition \S+ not found"),
    _p("unknown_field", V, r"Invalid field '[^']*' for object|The following fields cannot be queried"),
)

# Wrapper lines that accompany a specific cause; they only decide when nothing else matched.
GENERIC_LINE = re.compile(
    r"^(?:Could not (?:create|update|delete) .+ record[!.]?|The entire transaction in this operation has been rolled back.*"
    r"|(?:POST|PATCH|DELETE|GET) request on \S+(?: object)? was unsuccessful\.?|Operation \w+ object \S+ failed"
    r"|Operation skipped due to atomic transaction failure)$",
    _I,
)
GENERIC_PATTERNS: tuple[Pattern, ...] = (
    # OpenChain retries this exact correction when it stands alone.
    _p("check_transaction_try_again", T, r"Check the transaction for errors or inconsistencies, then try again"),
)

_TRANSIENT_HTTP = {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
# What a REST status says when no line's text does (reference §6.1): 401 "OAuth2 is not able to
# authenticate", 403 insufficient permission, 404 no such record (a key that is not there), 409 a unique key
# already taken, 400 the payload breaks the schema; 422 (business rules) is decided by its text.
_REST_STATUS = {400: ErrorClass.VALIDATION, 401: ErrorClass.AUTH, 403: ErrorClass.PERMISSION,
                404: ErrorClass.INVALID_REFERENCE, 405: ErrorClass.VALIDATION, 409: ErrorClass.DUPLICATE}


def is_generic(error: ErrorDetail) -> bool:
    return bool(GENERIC_LINE.match(error.description2 or error.description))


def match(errors: list[ErrorDetail]) -> Pattern | None:
    """The pattern that decides the class: first specific line's match, else a generic one."""
    for error in errors:
        if is_generic(error):
            continue
        for pattern in PATTERNS:
            if pattern.matches(error):
                return pattern
    for error in errors:
        for pattern in GENERIC_PATTERNS:
            if pattern.matches(error):
                return pattern
    return None


def classify(failure: IntacctError | list[ErrorDetail]) -> ErrorClass:
    """Exactly one ErrorClass for a failure (an exception or the error lines of a result)."""
    if isinstance(failure, IntacctError):
        errors, http_status = failure.errors, failure.http_status
    else:
        errors, http_status = list(failure), None
    pattern = match(errors)
    if pattern is not None:
        return pattern.error_class
    if getattr(failure, "api", "xml") == "rest" and http_status in _REST_STATUS:
        return _REST_STATUS[http_status]
    if isinstance(failure, TransportError):
        if http_status == 401:
            return ErrorClass.AUTH
        if http_status == 403:
            return ErrorClass.PERMISSION
        return ErrorClass.TRANSIENT if failure.transient else ErrorClass.UNKNOWN
    if http_status in _TRANSIENT_HTTP:
        return ErrorClass.TRANSIENT
    if isinstance(failure, AuthenticationError):
        return ErrorClass.AUTH
    if isinstance(failure, ControlError | FunctionError):
        return ErrorClass.UNKNOWN
    return ErrorClass.UNKNOWN
