"""Exceptions raised by the Intacct client, each carrying every error line the gateway sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_SUPPORT_ID = re.compile(r"\s*\[Support ID: ([^\]]+)\]")


@dataclass(frozen=True)
class ErrorDetail:
    """One ``<error>`` line (or one REST ``ia::error``/detail, see ``include.intacct.rest.errors``).
    ``description2`` has its Support ID stripped for display. ``code`` is REST's error code
    (``operationFailed``, ``tokenInvalid`` ...); XML lines have none."""

    errorno: str = ""
    description: str = ""
    description2: str = ""
    correction: str = ""
    support_id: str = ""
    code: str = ""

    @classmethod
    def from_texts(cls, errorno: str, description: str, description2: str, correction: str) -> ErrorDetail:
        support_id = ""
        match = _SUPPORT_ID.search(description2)
        if match:
            support_id = unquote(match.group(1))
            description2 = _SUPPORT_ID.sub("", description2)
        return cls(errorno.strip(), description.strip(), description2.strip(), correction.strip(), support_id)

    def text(self) -> str:
        parts = [self.errorno, self.description, self.description2, self.correction]
        return " | ".join(p for p in parts if p)


def _summary(errors: list[ErrorDetail]) -> str:
    return "; ".join(e.text() for e in errors)


class IntacctError(Exception):
    """Base class. ``errors`` holds every error line, ``http_status`` the HTTP status if known."""

    def __init__(self, message: str, *, http_status: int | None = None, errors: list[ErrorDetail] | None = None):
        self.message = message
        self.http_status = http_status
        self.errors = list(errors or [])
        super().__init__(message)

    def __str__(self) -> str:
        text = self.message
        if self.http_status is not None:
            text += f" (HTTP {self.http_status})"
        if self.errors:
            text += f": {_summary(self.errors)}"
        return text


class TransportError(IntacctError):
    """The request did not get an XML answer: connection failure, timeout, HTTP error page,
    oversized body. ``outcome_unknown`` is True when the gateway may have run the request
    (read timeout, HTTP 524, connection dropped after sending)."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        errors: list[ErrorDetail] | None = None,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
        transient: bool = True,
    ):
        super().__init__(message, http_status=http_status, errors=errors)
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after
        self.transient = transient


class SessionRejected(TransportError):
    """The gateway kept refusing the API session although it was renewed each time: nothing ran.
    Transient (a session that expires is routine); only a failed sign-in is an authentication error."""

    def __init__(self, message: str, *, http_status: int | None = None, errors: list[ErrorDetail] | None = None):
        super().__init__(message, http_status=http_status, errors=errors, outcome_unknown=False, transient=True)


class ControlError(IntacctError):
    """The ``<control>`` block failed (bad sender, parse error, gateway error): nothing ran."""


class AuthenticationError(IntacctError):
    """The ``<authentication>`` block failed: no function ran."""


class FunctionError(IntacctError):
    """One function's ``<result>`` was ``failure`` or ``aborted``."""

    def __init__(
        self,
        message: str,
        *,
        function: str = "",
        controlid: str = "",
        status: str = "failure",
        http_status: int | None = None,
        errors: list[ErrorDetail] | None = None,
    ):
        super().__init__(message, http_status=http_status, errors=errors)
        self.function = function
        self.controlid = controlid
        self.status = status


class ResponseFormatError(IntacctError):
    """The gateway answered something that is not a well-formed Intacct response. ``snippet``: the
    start of what it answered (secrets redacted), so the answer can be recognised."""

    def __init__(self, message: str, *, http_status: int | None = None, errors: list[ErrorDetail] | None = None,
                 snippet: str = ""):
        super().__init__(message, http_status=http_status, errors=errors)
        self.snippet = snippet

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}; the answer began: {self.snippet}" if self.snippet else text


_SECRET_ELEMENT = re.compile(r"(<(sessionid|password)\b[^>]*>)[^<]*(</\2>|$)", re.IGNORECASE)
SNIPPET_CHARACTERS = 240


def raw_snippet(body: bytes | str, limit: int = SNIPPET_CHARACTERS) -> str:
    """The start of a raw answer for a message: at most ``limit`` characters, control characters
    escaped, session ids and passwords redacted (also when the cut falls inside one)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    shown = _SECRET_ELEMENT.sub(lambda m: f"{m.group(1)}***{m.group(3)}", text[:limit])
    more = f"…({len(text):,} characters)" if len(text) > limit else ""
    return repr(shown) + more
