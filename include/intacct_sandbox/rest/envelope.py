"""The REST API's answers: results with ``ia::meta``, and ``ia::error`` with its HTTP status.

Placement: errors sit inside ``ia::result`` next to ``ia::meta``, as the OpenAPI spec's ``400error``
shows and the production client fylein parses (reference §6.2, option 1). A business failure carries
the XML rules' own lines as ``details`` (the business layer is shared: fylein matches the same texts
on both APIs), under Intacct's REST wrapper "POST request on objects/... was unsuccessful"
(``REST-7001``, fylein's REST fixture). Where a REST text is public it replaces the XML one: an
unbalanced journal entry answers ``GL-1009`` "Transactions do not balance" (same fixture).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.messages import GatewayError

# XML errorno (or text) -> HTTP status of a failure whose first specific line it is. 409: "the same
# idempotency key or unique key" (reference §6.1); 403 permission; 404 "resource does not exist".
_STATUS_BY_ERRORNO = {"BL34000061": 409, "BL03002185": 409, "PL04000005": 403}
_NOT_FOUND_TEXTS = ("Cannot update non-existing", "Cannot find ")
_GENERIC = ("Could not create", "Could not update", "Could not delete", "The entire transaction")
# Public REST texts that replace the XML rule's: (XML description2) -> (errorId, code, message)
_REST_TEXTS = {messages.DEBITS_CREDITS_NOT_EQUAL.description2: (
    "GL-1009", "invalidConfiguration", "Transactions do not balance.")}


def support_id() -> str:
    return secrets.token_urlsafe(18)


def meta_counts(total: int, success: int, error: int) -> dict[str, int]:
    return {"totalCount": total, "totalSuccess": success, "totalError": error}


def result(value: Any, meta: dict | None = None) -> dict:
    return {"ia::result": value, "ia::meta": meta if meta is not None else meta_counts(1, 1, 0)}


def error_body(code: str, message: str, *, error_id: str = "", details: Sequence[dict] = (),
               status_meta: bool = True) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if error_id:
        error["errorId"] = error_id
    error["supportId"] = support_id()
    if details:
        error["details"] = list(details)
    body: dict[str, Any] = {"ia::result": {"ia::error": error}}
    if status_meta:
        body["ia::meta"] = meta_counts(1, 0, 1)
    return body


def gateway_error(status: int, code: str, message: str) -> tuple[int, dict]:
    """A gateway answer (GW-nnnn): ``ia::error`` at the top level with ``details.requestId`` (reference §6.2, 3)."""
    return status, {"ia::error": {"code": code, "message": message,
                                  "details": {"requestId": secrets.token_hex(6).upper()}}}


def invalid_request(message: str, status: int = 400) -> tuple[int, dict]:
    return status, error_body("invalidRequest", message, error_id="REST-1001")


def not_found(message: str) -> tuple[int, dict]:
    return 404, error_body("notFound", message, error_id="REST-1064")


def _detail(error: GatewayError) -> dict:
    text = error.description2 or error.description
    replaced = _REST_TEXTS.get(error.description2)
    if replaced is not None:
        error_id, code, text = replaced
        return {"errorId": error_id, "code": code, "message": text}
    detail: dict[str, Any] = {"errorId": error.errorno, "code": "operationFailed", "message": text}
    if error.correction:
        detail["additionalInfo"] = {"correction": error.correction}
    return detail


def failure_status(errors: Sequence[GatewayError]) -> int:
    specific = [e for e in errors if not (e.description2 or e.description).startswith(_GENERIC)] or list(errors)
    first = specific[0] if specific else None
    if first is None:
        return 422
    if first.errorno in _STATUS_BY_ERRORNO:
        return _STATUS_BY_ERRORNO[first.errorno]
    if (first.description2 or "").startswith(_NOT_FOUND_TEXTS):
        return 404
    if first.errorno in ("XL03000003", "PL03000006"):
        return 400
    return 422


def failure(method: str, path: str, errors: Sequence[GatewayError]) -> tuple[int, dict]:
    """The status and ``ia::error`` of a request the rules refused."""
    status = failure_status(errors)
    code = {404: "notFound", 403: "permissionDenied", 409: "conflict", 400: "invalidRequest"}.get(
        status, "operationFailed")
    message = f"{method} request on {path} object was unsuccessful"
    ordered = sorted(errors, key=lambda e: (e.description2 or e.description).startswith(_GENERIC))
    return status, error_body(code, message, error_id="REST-7001", details=[_detail(e) for e in ordered])


def item_error(status: int, body: dict) -> dict:
    """One batch item's error, from a single-record error body."""
    error = body.get("ia::result", {}).get("ia::error") if "ia::result" in body else body.get("ia::error")
    return {"ia::error": error, "ia::status": status}
