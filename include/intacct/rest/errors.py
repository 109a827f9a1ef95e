"""The REST API's error envelope as the client's error lines, and the exception that carries them.

Intacct places ``ia::error`` in three ways (reference §6.2): nested in ``ia::result`` (the OpenAPI
spec, what fylein parses), at the top level beside ``ia::meta`` (the error-handling guide, and the
gateway's GW-nnnn answers), and as OAuth's ``{"error": {...}}`` or ``{"error": "invalid_client"}``;
each item of a batch or composite answer carries its own. All become ``ErrorDetail`` lines: the
``errorId`` (``REST-7001``, ``GL-1009``, a gateway ``GW-0010``) as ``errorno``, the message as
``description2`` (where the XML API puts the cause), the ``code`` (``operationFailed``,
``tokenInvalid`` ...) kept apart for the classifier's REST matcher; the top-level error first, then
each of its ``details``.
"""

from __future__ import annotations

import re
from typing import Any

from include.intacct.errors import ErrorDetail, IntacctError

_GATEWAY_CODE = re.compile(r"^GW-\d{4}$")


class RestError(IntacctError):
    """A REST request Intacct answered with an error status (4xx) and its envelope. ``code`` is the
    top-level ``ia::error`` code; ``http_status`` decides the class when no text does."""

    api = "rest"

    def __init__(self, message: str, *, http_status: int | None = None, errors: list[ErrorDetail] | None = None,
                 code: str = ""):
        super().__init__(message, http_status=http_status, errors=errors)
        self.code = code


def error_object(body: Any) -> dict | None:
    """The ``ia::error`` (or OAuth ``error``) object of an answer or of one batch item, wherever it sits."""
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("ia::result")):
        if isinstance(holder, dict):
            found = holder.get("ia::error")
            if isinstance(found, dict):
                return found
    oauth = body.get("error")
    if isinstance(oauth, dict):
        return oauth
    if isinstance(oauth, str):  # RFC 6749: {"error": "invalid_client", "error_description": "..."}
        return {"code": oauth, "message": str(body.get("error_description") or oauth)}
    return None


def _line(error: dict) -> ErrorDetail:
    code = str(error.get("code") or "").strip()
    error_id = str(error.get("errorId") or "").strip()
    if not error_id and _GATEWAY_CODE.match(code):
        error_id = code  # a gateway error's code is its number
    message = str(error.get("message") or "").strip()
    target = str(error.get("target") or "").strip()
    return ErrorDetail(errorno=error_id, description=f"target {target}" if target else "",
                       description2=message, support_id=str(error.get("supportId") or "").strip(), code=code)


def error_lines(body: Any) -> list[ErrorDetail]:
    """Every error line of an answer (or of one item): the error itself, then its details."""
    error = error_object(body)
    if error is None:
        return []
    lines = [_line(error)]
    details = error.get("details")
    if isinstance(details, list):
        lines.extend(_line(d) for d in details if isinstance(d, dict))
    return lines


def error_code(body: Any) -> str:
    error = error_object(body)
    return str(error.get("code") or "") if error else ""
