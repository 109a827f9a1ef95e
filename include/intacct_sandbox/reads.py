"""The data reads: readByQuery, readMore, query, read and readByName. Metadata reads (lookup,
inspect, getDimensions, ...) are in ``metadata``; the legacy get_list is in ``legacy_lists``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import ObjectDef
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.query import QueryError, parse_filter, parse_read_by_query, sort_key
from include.intacct_sandbox.targets import by_recordno, int_param, select_fields, target, with_computed
from include.intacct_sandbox.xmlout import RowTemplate, attrs, fields_xml

READ_BY_QUERY_MAX_PAGE = 1000
QUERY_MAX_PAGE = 2000
READ_MAX_KEYS = 100
MAX_CURSORS_BEFORE_PURGE = 1000


@dataclass
class Cursor:
    """A readByQuery result set being paged through with readMore."""

    company: str
    listtype: str
    template: RowTemplate
    remaining: list[dict[str, Any]]
    total: int
    expires: datetime
    entity_id: str = ""
    served: int = 0
    pagesize: int = 100
    # (session, object) whose latest result set this is: readMore may name the object instead of the id.
    object_key: tuple[str, str] | None = None
    extra: dict = field(default_factory=dict)


def _lines_xml(definition: ObjectDef | None, record: dict[str, Any]) -> str:
    if definition is None or definition.master or not definition.lines_container:
        return ""
    lines = record.get("_LINES") or []
    child = definition.line_element.lower()
    body = "".join(f"<{child}>{fields_xml(line, list(line), nested=False)}</{child}>" for line in lines)
    return f"<{definition.lines_container}>{body}</{definition.lines_container}>"


def _entity_id(ctx: FunctionContext) -> str:
    return ctx.entity["LOCATIONID"] if ctx.entity else ""


def read_by_query(ctx: FunctionContext, el) -> Outcome:
    read_target = target(ctx, el.findtext("object"), "READ_BY_QUERY")
    resolver = read_target.resolver(ctx)
    fields = select_fields(resolver, read_target, el.findtext("fields"))
    pagesize = int_param(el, "pagesize", 100, 1, READ_BY_QUERY_MAX_PAGE, "readByQuery")
    try:
        predicate = parse_read_by_query(el.findtext("query") or "", resolver)
    except QueryError as exc:
        raise Failure([exc.error]) from None
    matches = sorted((r for r in ctx.records(read_target.name) if predicate(r)), key=by_recordno)
    rows = with_computed(matches, fields, read_target.definition)
    cursor = Cursor(ctx.company, read_target.name.lower(), RowTemplate([f.name for f in fields], nested=True),
                    rows, len(rows), ctx.now, entity_id=_entity_id(ctx), pagesize=pagesize,
                    object_key=(ctx.session_key, read_target.name))
    return Outcome(_page(ctx, cursor, pagesize, new_id=True), transactions=1)


def _page(ctx: FunctionContext, cursor: Cursor, pagesize: int, new_id: bool, result_id: str = "") -> str:
    page, cursor.remaining = cursor.remaining[:pagesize], cursor.remaining[pagesize:]
    cursor.served += len(page)
    remaining = len(cursor.remaining)
    sandbox = ctx.sandbox
    if remaining and new_id:
        result_id = secrets.token_hex(16)
    if remaining:
        cursor.pagesize = pagesize
        cursor.expires = ctx.now + timedelta(seconds=sandbox.options.result_ttl_seconds)
        cursors = sandbox.cursors
        if len(cursors) >= MAX_CURSORS_BEFORE_PURGE:  # abandoned result sets do not pile up
            for stale in [rid for rid, c in cursors.items() if c.expires < ctx.now]:
                del cursors[stale]
            for key in [k for k, rid in sandbox.latest_cursors.items() if rid not in cursors]:
                del sandbox.latest_cursors[key]
        cursors[result_id] = cursor
        if cursor.object_key is not None:
            sandbox.latest_cursors[cursor.object_key] = result_id
    elif result_id:
        sandbox.cursors.pop(result_id, None)  # the last page invalidates the result set
        if cursor.object_key is not None and sandbox.latest_cursors.get(cursor.object_key) == result_id:
            del sandbox.latest_cursors[cursor.object_key]
    tag = cursor.listtype
    render = cursor.template.render
    body = "".join(f"<{tag}>{render(r)}</{tag}>" for r in page)
    head = attrs(listtype=tag, count=len(page), totalcount=cursor.total, numremaining=remaining,
                 resultId=result_id)
    return f"<data{head}>{body}</data>" if body else f"<data{head}/>"


def read_more(ctx: FunctionContext, el) -> Outcome:
    """The next page of a readByQuery, by its resultId or by its object (the session's latest
    readByQuery of that object), the two ways the docs show; the schema's view and reportId are
    for report and view reads the sandbox does not serve."""
    result_id = (el.findtext("resultId") or "").strip()
    object_name = (el.findtext("object") or "").strip().upper()
    if not result_id and not object_name:
        other = next((name for name in ("view", "reportId") if el.find(name) is not None), None)
        detail = (f"{other} is not served by the sandbox; page with resultId or object" if other
                  else "give a resultId or an object")
        raise Failure([messages.invalid_parameter("readMore", detail)])
    if not result_id:
        result_id = ctx.sandbox.latest_cursors.get((ctx.session_key, object_name), "")
        if not result_id:
            raise Failure([messages.read_more_object_failed(object_name)])
    cursor = ctx.sandbox.cursors.get(result_id)
    if cursor is None or cursor.company != ctx.company or cursor.entity_id != _entity_id(ctx) \
            or cursor.expires < ctx.now:
        ctx.sandbox.cursors.pop(result_id, None)
        raise Failure([messages.read_more_failed(result_id) if not object_name
                       else messages.read_more_object_failed(object_name)])
    return Outcome(_page(ctx, cursor, cursor.pagesize, new_id=False, result_id=result_id), transactions=1)


_AGGREGATES = ("count", "sum", "avg", "min", "max")


def query(ctx: FunctionContext, el) -> Outcome:
    query_target = target(ctx, el.findtext("object"), "QUERY")
    select = el.find("select")
    if select is None or not len(select):
        raise Failure([messages.query_syntax("<select> with at least one field is required")])
    resolver = query_target.resolver(ctx, follow_relations=True)
    options = el.find("options")
    case_insensitive = options is not None and (options.findtext("caseinsensitive") or "").strip().lower() == "true"
    try:
        items = [item for item in select if isinstance(item.tag, str)]
        for item in items:
            if item.tag.lower() != "field" and item.tag.lower() not in _AGGREGATES:
                raise QueryError(messages.query_syntax(f"unknown select element <{item.tag}>"))
        selected = resolver.fields_of([item.text or "" for item in items])
        plain = [f for item, f in zip(items, selected, strict=True) if item.tag.lower() == "field"]
        aggregates = [(item.tag.upper(), f) for item, f in zip(items, selected, strict=True)
                      if item.tag.lower() != "field"]
        filter_el = el.find("filter")
        predicate = parse_filter(filter_el, resolver, case_insensitive) if filter_el is not None else None
        order = []
        for order_el in el.findall("orderby/order"):
            order.append((sort_key(resolver.field(order_el.findtext("field") or ""), case_insensitive),
                          order_el.find("descending") is not None))
    except QueryError as exc:
        raise Failure([exc.error]) from None
    pagesize = int_param(el, "pagesize", 100, 1, QUERY_MAX_PAGE, "query")
    offset = int_param(el, "offset", 0, 0, 10**9, "query")
    rows = [r for r in ctx.records(query_target.name) if predicate is None or predicate(r)]
    rows.sort(key=by_recordno)
    for key, descending in reversed(order):
        rows.sort(key=key, reverse=descending)
    if aggregates:
        rows, names = _aggregate(rows, plain, aggregates)
        page = rows[offset:offset + pagesize]
    else:
        names = [f.name for f in plain]
        page = with_computed(rows[offset:offset + pagesize], plain, query_target.definition)
    # query answers uppercase elements named as the object, a user-defined dimension's too (Fyle's SDK reads
    # a dimension's values as data[<objectName>], sageintacctsdk/apis/dimension_values.py).
    tag = query_target.name
    render = RowTemplate(names, nested=False).render
    body = "".join(f"<{tag}>{render(r)}</{tag}>" for r in page)
    head = attrs(listtype=tag, totalcount=len(rows), offset=offset, count=len(page),
                 numremaining=max(0, len(rows) - offset - len(page)))
    return Outcome(f"<data{head}>{body}</data>" if body else f"<data{head}/>", transactions=1)


def _aggregate(rows, plain, aggregates):
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault(tuple(f.get(r) for f in plain), []).append(r)
    out = []
    for key, members in groups.items():
        row = dict(zip([f.name for f in plain], key, strict=True))
        for func, field_ in aggregates:
            values = []
            for m in members:
                try:
                    values.append(Decimal(str(field_.get(m))))
                except InvalidOperation:
                    continue
            if func == "COUNT":
                result = len([m for m in members if field_.get(m) != ""])
            elif not values:
                result = ""
            elif func == "SUM":
                result = sum(values)
            elif func == "AVG":
                result = (sum(values) / len(values)).quantize(Decimal("0.01"))
            else:
                result = min(values) if func == "MIN" else max(values)
            row[f"{func}.{field_.name}"] = str(result)
        out.append(row)
    return out, [f.name for f in plain] + [f"{func}.{f.name}" for func, f in aggregates]


def _read_records(ctx: FunctionContext, el, by_name: bool) -> Outcome:
    function = "readByName" if by_name else "read"
    read_target = target(ctx, el.findtext("object"), "READ")
    definition = read_target.definition
    fields = select_fields(read_target.resolver(ctx), read_target, el.findtext("fields"))
    keys = [k.strip() for k in (el.findtext("keys") or "").split(",") if k.strip()]
    if len(keys) > READ_MAX_KEYS:
        raise Failure([messages.invalid_parameter(function, f"at most {READ_MAX_KEYS} keys")])
    found = []
    for key in keys:
        if by_name and not (definition is not None and definition.computed_records):
            record = ctx.find(read_target.name, key)
        elif definition is not None and definition.computed_records:
            key_field = definition.key if by_name else "RECORDNO"
            record = next((r for r in ctx.records(read_target.name) if r.get(key_field) == key), None)
        else:
            record = ctx.store.get(ctx.company, read_target.name, int(key)) if key.isdigit() else None
            record = record if record is not None and ctx.visible(record) else None
        if record is not None:
            found.append(record)
    whole = (el.findtext("fields") or "*").strip() == "*"
    tag = read_target.name
    render = RowTemplate([f.name for f in fields], nested=True).render
    body = "".join(f"<{tag}>{render(r)}{_lines_xml(definition, r) if whole else ''}</{tag}>"
                   for r in with_computed(found, fields, definition))
    head = attrs(listtype=tag, count=len(found))
    return Outcome(f"<data{head}>{body}</data>" if body else f"<data{head}/>", transactions=1)


def read(ctx: FunctionContext, el) -> Outcome:
    return _read_records(ctx, el, by_name=False)


def read_by_name(ctx: FunctionContext, el) -> Outcome:
    return _read_records(ctx, el, by_name=True)
