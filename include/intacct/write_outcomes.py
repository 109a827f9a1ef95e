"""One ``WriteOutcome`` per write function of a request, from the gateway's answer or its failure.

A write that Intacct answers "already recorded" (a resend of a controlid that landed), or whose
request failed with an unknown outcome, is looked up by its document number to learn its RECORDNO:
the lookups of one request go out together, 100 numbers per query, not one query each. A success
always carries its RECORDNO when the write says how to find it; a lookup that fails makes the
outcome ``unresolved`` (the caller leaves the document for a later attempt).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from include.error_classes import ErrorClass
from include.intacct import functions as fn
from include.intacct.classify import classify, match
from include.intacct.errors import ErrorDetail, IntacctError, TransportError
from include.intacct.query_filter import Filter
from include.intacct.responses import Response, WriteOutcome

log = logging.getLogger("include.intacct")

NUMBERS_PER_LOOKUP = 100


def outcomes_of_response(client, chunk: Sequence[fn.WriteFunction], response: Response,
                         resent: bool) -> list[WriteOutcome]:
    """Outcomes of a request the gateway answered."""
    recorded = [f for f in chunk if _already_recorded(response, f) and not f.record_no and f.lookup]
    found = look_up(client, recorded)
    return [_outcome(client, function, response, resent, found) for function in chunk]


def outcomes_of_failed_request(client, chunk: Sequence[fn.WriteFunction], exc: IntacctError,
                               resent: bool) -> list[WriteOutcome]:
    """Outcomes of a request that got no usable answer: looked up when it may have run."""
    unknown = isinstance(exc, TransportError) and (exc.outcome_unknown or resent)
    found = look_up(client, [f for f in chunk if f.lookup]) if unknown else {}
    outcomes = []
    for function in chunk:
        record_no = found.get(function.controlid) if unknown and function.lookup else None
        if isinstance(record_no, IntacctError):
            outcomes.append(_unresolved(client, function, f"the request's outcome is unknown ({exc}) and looking "
                                                          f"the document up failed: {record_no}"))
        elif record_no:
            outcomes.append(WriteOutcome(function.controlid, "success", record_no=record_no,
                                         resolution="found_by_lookup", function=function.name))
        else:
            client.metrics.add("write_failures")
            outcomes.append(WriteOutcome(function.controlid, "failure", errors=exc.errors or [ErrorDetail(
                description2=str(exc))], error_class=classify(exc),
                resolution="outcome_unknown" if unknown else "not_sent", function=function.name))
    return outcomes


def _already_recorded(response: Response, function: fn.WriteFunction) -> bool:
    result = response.result_for(function.controlid)
    if result is None or result.ok:
        return False
    pattern = match(result.errors)
    return pattern is not None and pattern.name == "controlid_already_recorded"


def look_up(client, functions: Sequence[fn.WriteFunction]) -> dict[str, str | None | IntacctError]:
    """controlid -> RECORDNO (None: no such document), or the IntacctError that stopped its lookup."""
    found: dict[str, str | None | IntacctError] = {}
    groups: dict[tuple[str, str], list[fn.WriteFunction]] = {}
    for function in functions:
        groups.setdefault((function.lookup.object_name, function.lookup.field), []).append(function)
    for (object_name, field), members in groups.items():
        for start in range(0, len(members), NUMBERS_PER_LOOKUP):
            batch = members[start:start + NUMBERS_PER_LOOKUP]
            values = list(dict.fromkeys(str(f.lookup.value) for f in batch))
            try:
                by_value = _record_nos(client, object_name, field, values)
            except IntacctError as exc:
                found.update({f.controlid: exc for f in batch})
                continue
            found.update({f.controlid: by_value.get(str(f.lookup.value)) for f in batch})
    return found


def _record_nos(client, object_name: str, field: str, values: list[str]) -> dict[str, str]:
    """The first RECORDNO of each value of ``field`` (one query per page of answers)."""
    condition = Filter.equalto(field, values[0]) if len(values) == 1 else Filter.in_(field, values)
    by_value: dict[str, str] = {}
    offset = 0
    while True:
        page = client.query(object_name, ["RECORDNO", field], condition, page_size=2000, offset=offset)
        for record in page.records:
            if record.get("RECORDNO"):
                # Asked for one value, a record is that value's even when the field is not echoed.
                value = str(record[field]) if record.get(field) not in (None, "") or len(values) > 1 else values[0]
                by_value.setdefault(value, str(record["RECORDNO"]))
        offset += len(page.records)
        if not page.records or not page.num_remaining:
            return by_value


def _outcome(client, function: fn.WriteFunction, response: Response, resent: bool,
             found: dict[str, str | None | IntacctError]) -> WriteOutcome:
    result = response.result_for(function.controlid)
    if result is None:
        client.metrics.add("write_failures")
        return WriteOutcome(function.controlid, "failure", errors=[ErrorDetail(description2="No result for this "
                                                                                             "controlid")],
                            error_class=ErrorClass.UNKNOWN, resolution="missing_result", function=function.name)
    if result.ok:
        client.metrics.add("api_transactions", function.transaction_cost(result))
        record_no = next((r.get("RECORDNO") for r in result.records if r.get("RECORDNO")), None)
        return WriteOutcome(function.controlid, "success", record_no=record_no, key=result.key,
                            resolution="resent_after_unknown_outcome" if resent else "sent",
                            function=function.name, records=result.records)
    pattern = match(result.errors)
    if pattern is not None and pattern.name == "controlid_already_recorded":
        return _recorded_earlier(client, function, result.errors, resent, found.get(function.controlid))
    client.metrics.add("write_failures")
    if result.status == "aborted":
        return WriteOutcome(function.controlid, "aborted", errors=result.errors,
                            error_class=pattern.error_class if pattern else None, resolution="rolled_back",
                            function=function.name)
    return WriteOutcome(function.controlid, "failure", errors=result.errors, error_class=classify(result.errors),
                        resolution="rejected", function=function.name)


def _recorded_earlier(client, function: fn.WriteFunction, errors: list[ErrorDetail], resent: bool,
                      found: str | None | IntacctError) -> WriteOutcome:
    """Intacct refused a repeat of this controlid: the write landed earlier. Success, with the
    RECORDNO the write names (an update) or found by the document's number (a write without a
    lookup: the caller gave no way to find it, so it has none)."""
    if isinstance(found, IntacctError):
        return _unresolved(client, function, f"Intacct had already recorded controlid {function.controlid}, but "
                                             f"looking up its RECORDNO failed: {found}")
    record_no = function.record_no or found
    if record_no or function.lookup is None:
        return WriteOutcome(function.controlid, "success", record_no=record_no, errors=errors,
                            error_class=ErrorClass.DUPLICATE,
                            resolution="already_recorded_on_resend" if resent else "already_recorded",
                            function=function.name)
    client.metrics.add("write_failures")
    lookup = function.lookup
    detail = ErrorDetail(description2=(
        f"Intacct had already recorded controlid {function.controlid}, but the record is not there "
        f"({lookup.object_name} {lookup.field} = {lookup.value!r}): it may have been deleted in Intacct. "
        "Check it there, then Force synchronize or mark it synced."))
    return WriteOutcome(function.controlid, "failure", errors=[*errors, detail], error_class=ErrorClass.UNKNOWN,
                        resolution="already_recorded_not_found", function=function.name)


def _unresolved(client, function: fn.WriteFunction, reason: str) -> WriteOutcome:
    client.metrics.add("unresolved")
    log.warning("%s %s: %s; left for a later attempt", function.name, function.controlid, reason)
    return WriteOutcome(function.controlid, "unresolved", errors=[ErrorDetail(description2=reason)],
                        error_class=ErrorClass.TRANSIENT, resolution="lookup_failed", function=function.name)
