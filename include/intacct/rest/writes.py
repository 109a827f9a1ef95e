"""Writes over REST: the facade's write functions as multi-record requests with per-record outcomes.

One request per object and method: ``POST /objects/<path>`` with an array of records (a batch, at most
500, non-atomic unless ``X-IA-API-Param-Transaction: true``), ``PATCH`` with an array whose records carry
their ``key``, ``DELETE /objects/<path>/<k1>,<k2>`` (reference §5.1). Each answer item is matched to
its write by position.

Resending is safe. Every POST/PATCH carries an ``Idempotency-Key`` derived from the controlids of its
records (the controlid itself for one record): a resend after an unknown outcome carries the same
key and body, and Intacct answers it from its idempotency cache (48 hours) instead of running it
again (reference §7.1). A key used before with another body is refused (409): then the documents
are looked up by their numbers, and what is not there is sent under a key of its own body. When
retries run out with the outcome still unknown, the lookup by number decides, as on the XML path.

Intacct caches failures too ("even on failure"), where the XML API's ``uniqueid`` remembers only
what succeeded. So when a cached answer is replayed, its records that had failed are known not to
have landed: they are sent again under a key derived from the replayed one (a retry after the
cause was fixed, e.g. a pushed customer, must run, not replay the old refusal).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from include.error_classes import ErrorClass
from include.intacct import functions as fn
from include.intacct.classify import classify
from include.intacct.errors import ErrorDetail, IntacctError
from include.intacct.query_filter import Filter
from include.intacct.responses import WriteOutcome
from include.intacct.rest import translate
from include.intacct.rest.errors import RestError, error_code, error_lines
from include.intacct.rest.objects import MappingError, RestObject, for_xml
from include.intacct.write_outcomes import look_up, outcomes_of_failed_request

log = logging.getLogger("include.intacct")

MAX_IDEMPOTENCY_KEY = 256  # reference §7.1
MAX_STALE_REPLAYS = 3  # generations of replayed failures sent again under a derived key
_LEGACY_OBJECTS = {"create_invoice": "ARINVOICE", "create_bill": "APBILL", "create_arterm": "ARTERM",
                   "create_apterm": "APTERM"}


@dataclass
class PlannedWrite:
    """One write function as a REST record: its object, method, body and the key it addresses."""

    function: fn.WriteFunction
    obj: RestObject
    method: str  # POST | PATCH | DELETE
    body: dict[str, Any] = field(default_factory=dict)
    key: str | None = None  # the record's key (PATCH, DELETE)
    id_value: str | None = None  # the business id of a PATCH that names no RECORDNO: its key is looked up
    replaces_lines: bool = False  # an update that sends lines replaces them all, as the XML API's does
    keys: list[str] = field(default_factory=list)  # DELETE


def plan(function: fn.WriteFunction, tz: str) -> PlannedWrite:
    where = f"{function.name} {function.controlid}"
    if isinstance(function, fn.Delete):
        obj = for_xml(function.object_name, udd_fallback=False)
        return PlannedWrite(function, obj, "DELETE", keys=list(function.keys))
    if function.name in _LEGACY_OBJECTS:
        obj = for_xml(_LEGACY_OBJECTS[function.name], udd_fallback=False)
        fields = translate.from_legacy(obj, function.fields, where)
        return PlannedWrite(function, obj, "POST", translate.write_body(obj, fields, tz, where))
    if not isinstance(function, fn.Create | fn.Update):
        raise MappingError(f"{where}: the REST transport does not send {function.name}")
    records = [(name, body) for name, bodies in function.records.items()
               for body in (bodies if isinstance(bodies, list | tuple) else [bodies])]
    if len(records) != 1:
        raise MappingError(f"{where}: the REST transport sends one record per write function, got {len(records)}")
    object_name, fields = records[0]
    obj = for_xml(object_name, udd_fallback=False)
    body = translate.write_body(obj, fields, tz, where)
    if isinstance(function, fn.Create):
        return PlannedWrite(function, obj, "POST", body)
    key = str(fields.get("RECORDNO") or "").strip() or None
    id_value = None if key else str(fields.get(obj.key_field) or "").strip() or None
    if key is None and id_value is None:
        raise MappingError(f"{where}: an update names its record by RECORDNO or {obj.key_field}; neither is set")
    replaces = obj.lines is not None and any(name.upper() == obj.lines.container for name in fields)
    return PlannedWrite(function, obj, "PATCH", body, key=key, id_value=id_value, replaces_lines=replaces)


def idempotency_key(controlids: Sequence[str]) -> str:
    """The request's Idempotency-Key: the controlid of a lone record (when a header can carry it), else a
    digest of its records' controlids in order, so the same records resent give the same key."""
    if len(controlids) == 1:
        only = controlids[0]
        if len(only) <= MAX_IDEMPOTENCY_KEY and only.isascii() and only.isprintable():
            return only
    digest = hashlib.sha256("\n".join(controlids).encode()).hexdigest()
    return f"batch-{len(controlids)}-{digest[:48]}"


def next_key(key: str, cached_date: str) -> str:
    """The key for records a replayed answer shows as failed: derived from the replayed key and when its answer
    was cached, so a resend of this retry (after an unknown outcome) carries the same key again."""
    digest = hashlib.sha256(f"{key}\n{cached_date}".encode()).hexdigest()[:40]
    return f"retry-{digest}"


def body_key(key: str, body: Any) -> str:
    """A key for the same records with another body (after a 409): the key plus the body's digest."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]
    return f"{key[:MAX_IDEMPOTENCY_KEY - 17]}~{digest}"


# --------------------------------------------------------------------------- sending


def write_batch(client, chunk: list[fn.WriteFunction], transaction: bool) -> list[WriteOutcome]:
    """Outcomes of one chunk of write functions, in order."""
    plans = [plan(function, client.tz) for function in chunk]
    _resolve_keys(client, plans)
    _lines_to_replace(client, plans)
    outcomes: dict[str, WriteOutcome] = {}
    groups: dict[tuple[str, str], list[PlannedWrite]] = {}
    for planned in plans:
        if planned.method == "PATCH" and planned.key is None:
            outcomes[planned.function.controlid] = _missing_record(client, planned)
        elif planned.method == "DELETE":
            outcomes[planned.function.controlid] = _delete(client, planned)
        else:
            groups.setdefault((planned.obj.path, planned.method), []).append(planned)
    for (path, method), group in groups.items():
        for planned, outcome in zip(group, _send_group(client, path, method, group, transaction), strict=True):
            outcomes[planned.function.controlid] = outcome
    return [outcomes[function.controlid] for function in chunk]


def _resolve_keys(client, plans: list[PlannedWrite]) -> None:
    """The keys of updates that name their record by its business id (one query per object)."""
    wanted: dict[str, list[PlannedWrite]] = {}
    for planned in plans:
        if planned.method == "PATCH" and planned.key is None:
            wanted.setdefault(planned.obj.xml, []).append(planned)
    for object_name, group in wanted.items():
        obj = group[0].obj
        ids = list(dict.fromkeys(p.id_value for p in group))
        found = {}
        for start in range(0, len(ids), 100):
            page = client.query(object_name, ["RECORDNO", obj.key_field], Filter.in_(obj.key_field, ids[start:start + 100]),
                                page_size=2000)
            found.update({str(r.get(obj.key_field)): str(r.get("RECORDNO")) for r in page.records})
        for planned in group:
            planned.key = found.get(planned.id_value)


def _lines_to_replace(client, plans: list[PlannedWrite]) -> None:
    """An update that sends a document's lines replaces them (the XML API's meaning): REST adds a line
    without a key, so the current lines are deleted in the same, atomic, PATCH (reference §3.1 owned lines)."""
    replacing = [p for p in plans if p.replaces_lines and p.key]
    by_object: dict[str, list[PlannedWrite]] = {}
    for planned in replacing:
        by_object.setdefault(planned.obj.xml, []).append(planned)
    for group in by_object.values():
        lines = group[0].obj.lines
        keys = [p.key for p in group]
        current: dict[str, list[str]] = {}
        page = client.query(lines.xml_object, ["RECORDNO", lines.owner_xml], Filter.in_(lines.owner_xml, keys),
                            page_size=2000)
        for record in page.records:
            current.setdefault(str(record.get(lines.owner_xml)), []).append(str(record.get("RECORDNO")))
        for planned in group:
            deletions = [{"ia::operation": "delete", "key": key} for key in current.get(planned.key, [])]
            planned.body["lines"] = deletions + list(planned.body.get("lines", []))


def _send_group(client, path: str, method: str, group: list[PlannedWrite], transaction: bool,
                key: str | None = None) -> list[WriteOutcome]:
    functions = [p.function for p in group]
    body = [{**p.body, "key": p.key} if method == "PATCH" else p.body for p in group]
    key = key or idempotency_key([f.controlid for f in functions])
    url = f"/objects/{path}"
    client._take_resent()
    try:
        reply = client._call(method, url, body=body, idempotency_key=key, is_write=True, transaction=transaction)
    except IntacctError as exc:
        return outcomes_of_failed_request(client, functions, exc, client._take_resent())
    resent = client._take_resent()
    items = _items(reply.body)
    if reply.status == 409 and items is None:
        return _after_key_conflict(client, url, method, group, body, key, transaction, reply)
    if items is None:
        error = RestError(f"Intacct refused the {method} on {path}", http_status=reply.status,
                          errors=error_lines(reply.body), code=error_code(reply.body))
        return outcomes_of_failed_request(client, functions, error, resent)
    outcomes = [_item_outcome(client, planned, item, reply, resent) for planned, item in _paired(group, items)]
    if reply.replayed:
        client.metrics.add("idempotent_replays")
        stale = [i for i, outcome in enumerate(outcomes) if not outcome.ok]
        generation = int(getattr(client._thread_state, "replay_generation", 0))
        if stale and generation < MAX_STALE_REPLAYS:
            client._thread_state.replay_generation = generation + 1
            try:
                again = _send_group(client, path, method, [group[i] for i in stale], transaction,
                                    key=next_key(key, reply.headers.get("x-ia-idempotency-cached-date", "")))
            finally:
                client._thread_state.replay_generation = generation
            for index, outcome in zip(stale, again, strict=True):
                outcomes[index] = outcome
    return outcomes


def _items(body: Any) -> list | None:
    result = body.get("ia::result") if isinstance(body, dict) else None
    return result if isinstance(result, list) else None


def _paired(group: list[PlannedWrite], items: list) -> list[tuple[PlannedWrite, Any]]:
    return [(planned, items[i] if i < len(items) else None) for i, planned in enumerate(group)]


def _item_outcome(client, planned: PlannedWrite, item: Any, reply, resent: bool) -> WriteOutcome:
    function = planned.function
    if not isinstance(item, dict):
        client.metrics.add("write_failures")
        return WriteOutcome(function.controlid, "failure", errors=[ErrorDetail(
            description2="Intacct's answer has no item for this record")], error_class=ErrorClass.UNKNOWN,
            resolution="missing_result", function=function.name)
    status = int(item.get("ia::status") or reply.status)
    errors = error_lines(item)
    if errors or status >= 400:
        client.metrics.add("write_failures")
        error = RestError(f"Intacct refused {function.name} {function.controlid}", http_status=status, errors=errors,
                          code=error_code(item))
        unprocessed = error_code(item) == "unprocessed"
        return WriteOutcome(function.controlid, "aborted" if unprocessed else "failure", errors=errors,
                            error_class=None if unprocessed else classify(error),
                            resolution="rolled_back" if unprocessed else "rejected", function=function.name)
    key = str(item.get("key") or planned.key or "") or None
    if not reply.replayed:  # a replay ran nothing: it costs no API transaction
        client.metrics.add("api_transactions")
    resolution = ("idempotent_replay" if reply.replayed else "resent_after_unknown_outcome" if resent else "sent")
    record = {"RECORDNO": key or ""}
    if not planned.obj.document:  # a document's REST id is its key; a master's is its business id
        record[planned.obj.key_field] = str(item.get("id") or "")
    return WriteOutcome(function.controlid, "success", record_no=key, resolution=resolution,
                        function=function.name, records=[record])


def _after_key_conflict(client, url: str, method: str, group: list[PlannedWrite], body: list, key: str,
                        transaction: bool, reply) -> list[WriteOutcome]:
    """409: this key came before with another body. What landed then is found by its number; the rest is
    sent under a key of its own body (it is a different request)."""
    log.warning("Intacct refused Idempotency-Key %s: used before with another body (%s); looking the documents up",
                key, "; ".join(e.text() for e in error_lines(reply.body)) or "409")
    found = look_up(client, [p.function for p in group if p.function.lookup])
    outcomes: dict[int, WriteOutcome] = {}
    again: list[int] = []
    for index, planned in enumerate(group):
        record_no = found.get(planned.function.controlid)
        if isinstance(record_no, str) and record_no:
            outcomes[index] = WriteOutcome(planned.function.controlid, "success", record_no=record_no,
                                           resolution="found_by_lookup", function=planned.function.name)
        else:
            again.append(index)
    if again:
        retry_body = [body[i] for i in again]
        try:
            retry = client._call(method, url, body=retry_body, idempotency_key=body_key(key, retry_body),
                                 is_write=True, transaction=transaction)
        except IntacctError as exc:
            failed = outcomes_of_failed_request(client, [group[i].function for i in again], exc, True)
            outcomes.update(zip(again, failed, strict=True))
        else:
            items = _items(retry.body)
            for position, index in enumerate(again):
                if items is None:
                    error = RestError("Intacct refused the resend after an Idempotency-Key conflict",
                                      http_status=retry.status, errors=error_lines(retry.body))
                    outcomes[index] = outcomes_of_failed_request(client, [group[index].function], error, True)[0]
                else:
                    item = items[position] if position < len(items) else None
                    outcomes[index] = _item_outcome(client, group[index], item, retry, True)
    return [outcomes[i] for i in range(len(group))]


def _missing_record(client, planned: PlannedWrite) -> WriteOutcome:
    client.metrics.add("write_failures")
    text = (f"Cannot update non-existing {planned.obj.xml} with {planned.obj.key_field} '{planned.id_value}': "
            f"no {planned.obj.path} record has that id")
    return WriteOutcome(planned.function.controlid, "failure", errors=[ErrorDetail(description2=text)],
                        error_class=ErrorClass.INVALID_REFERENCE, resolution="rejected", function=planned.function.name)


def _delete(client, planned: PlannedWrite) -> WriteOutcome:
    function = planned.function
    url = f"/objects/{planned.obj.path}/{','.join(planned.keys)}"
    try:
        reply = client._call("DELETE", url, is_write=True)
    except IntacctError as exc:
        return outcomes_of_failed_request(client, [function], exc, client._take_resent())[0]
    errors = error_lines(reply.body) + [e for item in (_items(reply.body) or []) for e in error_lines(item)]
    if reply.status >= 300 or errors:
        client.metrics.add("write_failures")
        error = RestError(f"Intacct refused delete {function.controlid}", http_status=reply.status, errors=errors)
        return WriteOutcome(function.controlid, "failure", errors=errors, error_class=classify(error),
                            resolution="rejected", function=function.name)
    client.metrics.add("api_transactions", len(planned.keys))
    return WriteOutcome(function.controlid, "success", resolution="sent", function=function.name)
