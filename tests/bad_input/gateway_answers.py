"""The catalogue of gateway answers the client cannot use: each one, served by the scripted local
gateway, must end as a named IntacctError (with the start of the raw answer where there is one),
never as a crash, a wrong value, or a silent "nothing there".

Each case arranges the gateway, makes one call, and names the exception, the error class the
classifier gives it, and a phrase of its message. ``tests/bad_input/catalogue.py`` lists them in
docs/reference/bad-inputs.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from include.error_classes import ErrorClass
from include.intacct.errors import (
    AuthenticationError,
    ControlError,
    IntacctError,
    ResponseFormatError,
    SessionRejected,
    TransportError,
)
from include.intacct.functions import Create, DocumentLookup
from tests.unit.intacct import gateway_responses as canned
from tests.unit.intacct.local_gateway import Fault, result

T, U, A = ErrorClass.TRANSIENT, ErrorClass.UNKNOWN, ErrorClass.AUTH


@dataclass(frozen=True)
class GatewayCase:
    name: str
    answer: str  # what the gateway answered, for the docs
    arrange: Callable  # (gateway) -> None
    call: Callable  # (client) -> Any: the call that meets the answer
    raises: type[IntacctError]
    error_class: ErrorClass
    message: str  # a phrase the message must hold
    with_snippet: bool = False  # the message quotes the start of the raw answer


def _each_read(fault: Fault, times: int = 4) -> Callable:
    """The answer to every read (the client retries transient failures three times)."""
    return lambda gateway: gateway.faults.extend([fault] * times)


def _login(fault: Fault) -> Callable:
    return lambda gateway: gateway.login_faults.extend([fault] * 4)


def _result_body(inner: str) -> Callable:
    return lambda gateway: gateway.handlers.__setitem__("get_closedbooksdate", lambda call, cid: result(
        "success", "get_closedbooksdate", cid, inner))


def _raw(body: bytes, status: int = 200, **headers: str) -> Fault:
    return Fault(status, body, dict(headers) or {"Content-Type": "text/xml"})


def _closed_books(client):
    return client.get_closed_books_date()


def _write(client):
    return _raise_failed_write(client.execute_writes([Create(
        {"APBILL": {"VENDORID": "V1", "RECORDID": "B1"}}, controlid="bill-1-v1",
        lookup=DocumentLookup("APBILL", "RECORDID", "B1"))])[0])


def _raise_failed_write(outcome):
    """A write's failure arrives as an outcome, not an exception: surface it for the assertion."""
    if not outcome.ok:
        raise TransportError(f"{outcome.status}/{outcome.resolution}: "
                             + "; ".join(e.text() for e in outcome.errors))
    return outcome


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY a "aaaaaaaaaa">'
                  b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                  b"<response><control><status>&c;</status></control></response>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b"<response><control><status>success</status></control><operation><authentication><status>success"
       b"</status><userid>u</userid><companyid>C</companyid></authentication><result><status>success</status>"
       b"<function>get_closedbooksdate</function><controlid>x</controlid><data><closedbooksdate><year>&xxe;"
       b"</year><month>01</month><day>31</day></closedbooksdate></data></result></operation></response>")
SESSION_ANSWER_CUT = canned.GET_API_SESSION_SUCCESS[:canned.GET_API_SESSION_SUCCESS.index(b"Id..</sessionid>")]

CASES: tuple[GatewayCase, ...] = (
    GatewayCase("html_error_page_200", "HTTP 200 with an HTML error page", _each_read(_raw(canned.HTML_ERROR_PAGE,
                200, **{"Content-Type": "text/html"})), _closed_books, TransportError, T, "non-XML body"),
    GatewayCase("empty_body_200", "HTTP 200 with an empty body", _each_read(_raw(b"")), _closed_books,
                TransportError, T, "non-XML body"),
    GatewayCase("truncated_xml", "a response cut off in the middle", _each_read(_raw(canned.envelope(
                canned.CLOSED_BOOKS_DATE)[:150])), _closed_books, TransportError, T, "not well-formed XML", True),
    GatewayCase("invalid_utf8", "a response with bytes that are not UTF-8", _each_read(_raw(
                b"<response><control><status>succ\xff\xfeess</status></control></response>")), _closed_books,
                TransportError, T, "not well-formed XML", True),
    GatewayCase("nul_character", "a response holding a NUL character", _each_read(_raw(
                b"<response><control><status>success\x00</status></control></response>")), _closed_books,
                TransportError, T, "not well-formed XML", True),
    GatewayCase("wrong_root", "XML whose root is not <response>", _each_read(_raw(b"<?xml version='1.0'?><html/>")),
                _closed_books, TransportError, T, "expected <response>", True),
    GatewayCase("no_control_block", "<response> without its <control> block", _each_read(_raw(
                b"<response><operation/></response>")), _closed_books, TransportError, T, "no <control> block", True),
    GatewayCase("xxe_entity", "a DTD declaring an external entity (XXE) inside the closed-books date",
                _each_read(_raw(XXE)), _closed_books, TransportError, T, "declares a DTD", True),
    GatewayCase("billion_laughs", "a DTD of nested entities (billion laughs)", _each_read(_raw(BILLION_LAUGHS)),
                _closed_books, TransportError, T, "declares a DTD", True),
    GatewayCase("result_without_controlid", "a <result> without its controlid", _each_read(_raw(canned.envelope(
                b"<result><status>success</status><function>get_closedbooksdate</function></result>"))),
                _closed_books, TransportError, T, "missing its status or controlid", True),
    GatewayCase("result_missing", "a response with no result for the function sent", _each_read(_raw(
                canned.envelope())), _closed_books, ResponseFormatError, U, "has no result for get_closedbooksdate"),
    GatewayCase("closed_books_garbage", "closed-books date parts that are not a date (year 20x6, month 13)",
                _result_body("<data><closedbooksdate><year>20x6</year><month>13</month><day>01</day>"
                             "</closedbooksdate></data>"), _closed_books, ResponseFormatError, U, "not a date", True),
    GatewayCase("closed_books_impossible_day", "a closed-books date of February 30",
                _result_body("<data><closedbooksdate><year>2026</year><month>02</month><day>30</day>"
                             "</closedbooksdate></data>"), _closed_books, ResponseFormatError, U, "not a date", True),
    GatewayCase("closed_books_partial", "a closed-books date with its day missing",
                _result_body("<data><closedbooksdate><year>2026</year><month>09</month><day></day>"
                             "</closedbooksdate></data>"), _closed_books, ResponseFormatError, U, "not a date", True),
    GatewayCase("closed_books_text", "a closed-books date given as text instead of parts",
                _result_body("<data><closedbooksdate>2026-09-30</closedbooksdate></data>"), _closed_books,
                ResponseFormatError, U, "which is not a date", True),
    GatewayCase("redirect_302", "HTTP 302 to another host", _each_read(_raw(b"", 302, Location=
                "https://collector.example.net/steal")), _closed_books, TransportError, U,
                "a redirect to collector.example.net: refused"),
    GatewayCase("redirect_307", "HTTP 307 (which would re-send the body) to another host", _each_read(_raw(
                b"", 307, Location="http://198.51.100.7/xmlgw.phtml")), _closed_books, TransportError, U,
                "a redirect to 198.51.100.7: refused"),
    GatewayCase("server_error_persisting", "HTTP 500 on every retry", _each_read(_raw(canned.HTML_ERROR_PAGE, 500)),
                _closed_books, TransportError, T, "answered HTTP 500"),
    GatewayCase("rate_limit_bad_retry_after", "HTTP 429 with a Retry-After that is neither seconds nor a date",
                _each_read(_raw(b"<response><control><status>failure</status></control><errormessage><error>"
                                b"<errorno>GW-0010</errorno><description>Too Many Requests</description></error>"
                                b"</errormessage></response>", 429, **{"Retry-After": "soon-ish"})),
                _closed_books, TransportError, T, "answered HTTP 429"),
    GatewayCase("oversized_body", "an answer larger than the response cap", _each_read(_raw(
                b"<response>" + b" " * 4096 + b"</response>"), 1), _closed_books, TransportError, U,
                "over the 2048-byte cap"),
    GatewayCase("control_failure", "a control failure with an unknown error number", _each_read(_raw(
                b"<response><control><status>failure</status></control><errormessage><error><errorno>XX999"
                b"</errorno><description>Something odd</description></error></errormessage></response>"), 1),
                _closed_books, ControlError, U, "Something odd"),
    GatewayCase("sign_in_refused", "a sign-in answered 'Sign-in information is incorrect'", _login(_raw(
                b"<response><control><status>success</status></control><operation><authentication><status>failure"
                b"</status><userid>u</userid><companyid>C</companyid></authentication><errormessage><error><errorno>"
                b"XL03000006</errorno><description>Sign-in information is incorrect</description></error>"
                b"</errormessage></operation></response>")), _closed_books, AuthenticationError, A,
                "Sign-in information is incorrect"),
    GatewayCase("session_without_id", "a sign-in answered without a session id",
                lambda gateway: setattr(gateway, "blank_session_ids", True), _closed_books,
                ResponseFormatError, U, "without a session id"),
    GatewayCase("sign_in_answer_of_another_request", "a sign-in answered with another request's result",
                _login(_raw(canned.GET_API_SESSION_SUCCESS)), _closed_books, ResponseFormatError, U,
                "has no result for getAPISession"),
    GatewayCase("sign_in_answer_cut", "a sign-in answer cut off inside the session id", _login(_raw(
                SESSION_ANSWER_CUT)), _closed_books, TransportError, T, "not well-formed XML", True),
    GatewayCase("session_refused_forever", "every call refused with 'Invalid session' although renewed",
                lambda gateway: setattr(gateway, "reject_sessions", True), _closed_books, SessionRejected, T,
                "refused the API session"),
    GatewayCase("write_answer_garbage", "a write answered with HTML, then lookups answered with HTML too",
                lambda gateway: gateway.faults.extend([_raw(canned.HTML_ERROR_PAGE, 200)] * 12), _write,
                TransportError, T, "unresolved/lookup_failed"),
)
