"""Typed, parsed gateway responses. Produced by ``include.intacct.xml.parse_response``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from include.error_classes import ErrorClass
from include.intacct.errors import ErrorDetail


def is_true(value: Any) -> bool:
    """An Intacct boolean as it comes back in text ("true", "T", "1", "yes"); anything else is false."""
    return str(value or "").strip().lower() in ("true", "t", "1", "yes")


@dataclass(frozen=True)
class ControlResult:
    status: str
    senderid: str = ""
    controlid: str = ""
    uniqueid: str = ""
    dtdversion: str = ""


@dataclass(frozen=True)
class AuthenticationResult:
    status: str
    userid: str = ""
    companyid: str = ""
    locationid: str = ""
    session_timeout: datetime | None = None


@dataclass(frozen=True)
class FunctionResult:
    """One ``<result>``. ``records`` is always a list (one record is a one-item list).
    ``data_attributes`` holds the ``<data>`` attributes (listtype, count, totalcount,
    numremaining, resultId, offset). ``key`` is the legacy ``<key>`` of create_* functions."""

    status: str
    function: str
    controlid: str
    records: list[dict[str, Any]] = field(default_factory=list)
    record_tags: list[str] = field(default_factory=list)
    data_attributes: dict[str, str] = field(default_factory=dict)
    key: str | None = None
    errors: list[ErrorDetail] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    def _int_attribute(self, name: str) -> int | None:
        value = self.data_attributes.get(name, "")
        return int(value) if value.strip().lstrip("-").isdigit() else None

    @property
    def count(self) -> int | None:
        return self._int_attribute("count")

    @property
    def total_count(self) -> int | None:
        return self._int_attribute("totalcount")

    @property
    def num_remaining(self) -> int | None:
        return self._int_attribute("numremaining")

    @property
    def offset(self) -> int | None:
        return self._int_attribute("offset")

    @property
    def result_id(self) -> str:
        return self.data_attributes.get("resultId", "")

    @property
    def list_type(self) -> str:
        return self.data_attributes.get("listtype", "")


@dataclass(frozen=True)
class Response:
    control: ControlResult
    control_errors: list[ErrorDetail] = field(default_factory=list)
    authentication: AuthenticationResult | None = None
    authentication_errors: list[ErrorDetail] = field(default_factory=list)
    results: list[FunctionResult] = field(default_factory=list)
    http_status: int | None = None

    def result_for(self, controlid: str) -> FunctionResult | None:
        for result in self.results:
            if result.controlid == controlid:
                return result
        return None


@dataclass(frozen=True)
class QueryPage:
    """One page of a ``query`` call."""

    records: list[dict[str, Any]]
    total_count: int | None
    num_remaining: int | None
    offset: int | None
    count: int | None


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one write function, matched back by its controlid.

    ``status``: success | failure | aborted | unresolved. ``unresolved``: the write reached
    Intacct or may have, but its RECORDNO could not be looked up; the caller leaves the
    document for a later attempt (a success always carries its RECORDNO). ``resolution`` says
    how the outcome was reached: sent, resent_after_unknown_outcome, already_recorded,
    already_recorded_on_resend, found_by_lookup, rejected, rolled_back, not_sent,
    outcome_unknown, missing_result, lookup_failed, already_recorded_not_found."""

    controlid: str
    status: str
    record_no: str | None = None
    key: str | None = None
    errors: list[ErrorDetail] = field(default_factory=list)
    error_class: ErrorClass | None = None
    resolution: str = "sent"
    function: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def unresolved(self) -> bool:
        return self.status == "unresolved"
