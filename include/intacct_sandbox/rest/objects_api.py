"""``/objects/<application>/<object>[/<key>[,<key>...]]``: list, get, create, update and delete over
the sandbox's store, with the same business rules (and texts) the XML functions apply.

POST and PATCH take one record or an array of them (a batch: at most 500, each its own transaction
unless ``X-IA-API-Param-Transaction: true`` makes the request all-or-nothing); a batch answers one
item per record, in order, with ``ia::status`` and ``ia::meta`` counts (reference §5.1). A document's
lines are owned: on PATCH a line with a ``key`` is changed, one without is added, one with
``"ia::operation": "delete"`` is removed, and the document as it reads afterwards must pass the
rules a create checks, or nothing changes (reference §3.1).
"""

from __future__ import annotations

from typing import Any

from include.intacct.rest.objects import RestObject
from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS as CATALOG
from include.intacct_sandbox.catalog import UDD_FIELDS
from include.intacct_sandbox.context import Failure
from include.intacct_sandbox.documents import post_document, posting_date, update_document
from include.intacct_sandbox.records import format_date, stamp_new_record
from include.intacct_sandbox.rest import envelope
from include.intacct_sandbox.rest.convert import (
    BodyError,
    href,
    line_fields,
    line_key,
    record_json,
    store_fields,
)
from include.intacct_sandbox.targets import by_recordno, target
from include.intacct_sandbox.writes import _known_fields, _update_master, create_master

MAX_BATCH = 500
LIST_PAGE = 100


class Written:
    """What a request's writes did: the answer, and the records it created, changed or deleted."""

    def __init__(self, status: int, body: Any, transactions: int):
        self.status, self.body, self.transactions = status, body, transactions


def _visible_record(ctx, obj: RestObject, key: str) -> dict | None:
    record = ctx.store.get(ctx.company, obj.xml, int(key)) if str(key).isdigit() else None
    return record if record is not None and ctx.visible(record) else None


def list_records(ctx, obj: RestObject, start: int = 1, size: int = LIST_PAGE) -> tuple[int, dict]:
    read_target = target(ctx, obj.xml, "READ")
    records = sorted(ctx.records(read_target.name), key=by_recordno)
    page = records[start - 1:start - 1 + size]
    refs = [{"key": r.get("RECORDNO"), "id": _id_of(obj, r), "href": href(obj, r.get("RECORDNO"))} for r in page]
    following = start + len(page)
    return 200, envelope.result(refs, {"totalCount": len(records), "start": start, "pageSize": size,
                                       "next": following if following <= len(records) else None,
                                       "previous": max(1, start - size) if start > 1 else None})


def _id_of(obj: RestObject, record: dict) -> str:
    return str(record.get("RECORDNO") if obj.document else record.get(obj.key_field) or "")


def get_records(ctx, obj: RestObject, keys: list[str]) -> tuple[int, dict]:
    target(ctx, obj.xml, "READ")  # refuses an object the user may not read
    found = [r for r in (_visible_record(ctx, obj, k) for k in keys) if r is not None]
    if not found:
        return envelope.not_found(f"{obj.path} {','.join(keys)} was not found")
    bodies = [record_json(obj, r) for r in found]
    return 200, envelope.result(bodies[0] if len(keys) == 1 else bodies, envelope.meta_counts(len(found), len(found), 0))


# --------------------------------------------------------------------------- writes


def write(ctx, obj: RestObject, method: str, body: Any, key: str | None, atomic: bool) -> Written:
    """POST (``key`` None) or PATCH of one record or a batch."""
    batch = isinstance(body, list)
    records = body if batch else [body]
    if batch and not records:
        return Written(*envelope.invalid_request("the batch is empty"), 0)
    if len(records) > MAX_BATCH:
        return Written(*envelope.invalid_request(f"at most {MAX_BATCH} records in a batch request, got "
                                                 f"{len(records)}"), 0)
    resource = f"objects/{obj.path}"
    store = ctx.store
    request_savepoint = store.savepoint()
    items: list[tuple[int, dict]] = []
    failed_at = None
    for index, record in enumerate(records):
        savepoint = store.savepoint()
        try:
            if method == "POST":
                written = _create(ctx, obj, record, f"[{index}]." if batch else "")
                items.append((201, {"key": written["RECORDNO"], "id": _id_of(obj, written),
                                    "href": href(obj, written["RECORDNO"])}))
            else:
                record_key = key if key is not None else str((record or {}).get("key") or "")
                written = _update(ctx, obj, record, record_key, f"[{index}]." if batch else "")
                items.append((200, {"key": written["RECORDNO"], "id": _id_of(obj, written),
                                    "href": href(obj, written["RECORDNO"])}))
        except Failure as failure:
            store.rollback_to(savepoint)
            items.append(envelope.failure(method, resource, failure.errors))
        except BodyError as exc:
            store.rollback_to(savepoint)
            items.append(envelope.invalid_request(f"{method} request on {resource}: {exc}"))
        if items[-1][0] >= 400 and failed_at is None:
            failed_at = index
            if atomic:
                break
    if atomic and failed_at is not None:
        store.rollback_to(request_savepoint)
        skipped = {"ia::error": {"code": "unprocessed", "message": "Operation skipped due to atomic transaction "
                                 "failure"}, "ia::status": 422}
        answers = [envelope.item_error(*items[failed_at]) if i == failed_at else skipped
                   for i in range(len(records))]
        return Written(207 if batch else items[failed_at][0],
                       {"ia::result": answers, "ia::meta": envelope.meta_counts(len(records), 0, len(records))}
                       if batch else items[failed_at][1], 0)
    successes = sum(1 for status, _ in items if status < 400)
    if not batch:
        status, answer = items[0]
        return Written(status, envelope.result(answer) if status < 400 else answer, successes)
    answers = [{**answer, "ia::status": status} if status < 400 else envelope.item_error(status, answer)
               for status, answer in items]
    overall = (201 if method == "POST" else 200) if successes == len(items) else 207
    return Written(overall, {"ia::result": answers,
                             "ia::meta": envelope.meta_counts(len(items), successes, len(items) - successes)},
                   successes)


def _definition(obj: RestObject):
    return CATALOG.get(obj.xml)


def _create(ctx, obj: RestObject, body: Any, where: str) -> dict:
    fields = store_fields(ctx, obj, body, where)
    definition = _definition(obj)
    if definition is None:  # a user-defined dimension's value
        return _create_udd_value(ctx, obj, fields)
    if definition.read_only or definition.parent:
        raise Failure([messages.read_only_object(definition.name)])
    if definition.master:
        return create_master(ctx, definition, _known_fields(definition, fields))
    lines = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(lines, list):
        lines = []
    line_values = [line_fields(ctx, obj, line, f"{where}lines[{i}]") for i, line in enumerate(lines)]
    if definition.name == "GLBATCH" and not fields.get("BATCH_TITLE"):
        # REST requires only glJournal, postingDate and lines (reference §3.8); the XML rules need a title.
        fields["BATCH_TITLE"] = fields.get("REFERENCENO") or f"Journal entry {fields.get('BATCH_DATE', '')}".strip()
    return post_document(ctx, definition, fields, line_values)


def _create_udd_value(ctx, obj: RestObject, fields: dict) -> dict:
    target(ctx, obj.xml, "CREATE")
    values = {k: v for k, v in fields.items() if k in UDD_FIELDS}
    if not values.get("id"):
        raise Failure([messages.required_field(obj.xml, "id")])
    if ctx.store.find_by_key(ctx.company, obj.xml, values["id"]) is not None:
        raise Failure([messages.duplicate_master(obj.xml, values["id"])])
    values.setdefault("status", "active")
    record = stamp_new_record(ctx.store, ctx.company, obj.xml, values, ctx.now)
    return ctx.store.put(ctx.company, obj.xml, {k: v for k, v in record.items() if k in UDD_FIELDS})


def _update(ctx, obj: RestObject, body: Any, key: str, where: str) -> dict:
    definition = _definition(obj)
    current = _visible_record(ctx, obj, key)
    if current is None:
        raise Failure([messages.cannot_update_missing(obj.xml, "RECORDNO", key or "(none)")])
    if isinstance(body, dict) and "state" in body and obj.document:
        raise BodyError(f"{where}state: a document's state changes through its workflows, never through PATCH")
    changes = store_fields(ctx, obj, body, where)
    if definition is None:
        return _update_udd_value(ctx, obj, current, changes)
    if definition.read_only or definition.parent:
        raise Failure([messages.read_only_object(definition.name)])
    if definition.master:
        return _update_master(ctx, definition, current, _known_fields(definition, changes))
    lines = None
    if isinstance(body, dict) and "lines" in body:
        lines = _lines_after(ctx, obj, current, body["lines"], where)
    return update_document(ctx, definition, current, changes, lines)


def _update_udd_value(ctx, obj: RestObject, current: dict, changes: dict) -> dict:
    from include.intacct_sandbox.records import advance_modified

    record = {**current, **{k: v for k, v in changes.items() if k in UDD_FIELDS}}
    advance_modified(record, ctx.now)
    return ctx.store.put(ctx.company, obj.xml, record)


def _lines_after(ctx, obj: RestObject, document: dict, sent: Any, where: str) -> list[dict]:
    """The document's lines after an owned-lines change: keyed lines changed or deleted, others added."""
    if not isinstance(sent, list):
        raise BodyError(f"{where}lines: expected a list")
    current = {line_key(document, line): dict(line) for line in document.get("_LINES", [])}
    order = list(current)
    added: list[dict] = []
    for index, line in enumerate(sent):
        here = f"{where}lines[{index}]"
        if not isinstance(line, dict):
            raise BodyError(f"{here}: a line is a JSON object")
        key = str(line.get("key") or "")
        if key and key not in current:
            raise Failure([messages.cannot_update_missing(obj.lines.xml_object, "RECORDNO", key)])
        if line.get("ia::operation") == "delete":
            if not key:
                raise BodyError(f"{here}: deleting a line takes its key")
            current.pop(key)
            continue
        values = line_fields(ctx, obj, line, here)
        if key:
            merged = {**current[key], **values}
            if "TRX_AMOUNT" in values:
                merged["AMOUNT"] = values["TRX_AMOUNT"]
            current[key] = merged
        else:
            added.append(values)
    kept = [current[k] for k in order if k in current]
    return [{k: v for k, v in line.items() if k != "LINE_NO"} for line in kept] + added


def delete(ctx, obj: RestObject, keys: list[str]) -> Written:
    definition = _definition(obj)
    resource = f"objects/{obj.path}"
    items: list[tuple[int, dict]] = []
    for key in keys:
        savepoint = ctx.store.savepoint()
        try:
            if definition is not None and (definition.read_only or definition.parent):
                raise Failure([messages.read_only_object(definition.name)])
            record = _visible_record(ctx, obj, key)
            if record is None:
                raise Failure([messages.cannot_find_to_delete(definition.label if definition else obj.xml, key)])
            if definition is not None and not definition.master:
                closed = ctx.closed_through(definition.module)
                posted_on = posting_date(definition, record)
                if closed is not None and posted_on is not None and posted_on <= closed:
                    raise Failure([messages.period_closed(format_date(posted_on)),
                                   messages.GatewayError("BL01001973", "",
                                                         f"Could not delete {definition.label} record!")])
            ctx.store.delete(ctx.company, obj.xml, int(key))
            items.append((204, {}))
        except Failure as failure:
            ctx.store.rollback_to(savepoint)
            items.append(envelope.failure("DELETE", resource, failure.errors))
    done = sum(1 for status, _ in items if status < 400)
    if done == len(items):
        return Written(204, None, done)
    if len(items) == 1:
        return Written(items[0][0], items[0][1], 0)
    # Matched by position: a successful delete carries no key (reference §5.1).
    answers = [{"ia::status": 204} if status < 400 else envelope.item_error(status, body) for status, body in items]
    return Written(207, {"ia::result": answers, "ia::meta": envelope.meta_counts(len(items), done,
                                                                                 len(items) - done)}, done)
