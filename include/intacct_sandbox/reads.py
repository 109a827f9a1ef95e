"""The read functions: readByQuery, readMore, query, read, readByName, lookup, inspect,
getDimensions, get_closedbooksdate, getFinancialSetup."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from include import demo_company as demo
from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS, STANDARD_DIMENSIONS, UDD_FIELDS, ObjectDef, find_object
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.query import (
    FieldResolver,
    QueryError,
    parse_filter,
    parse_read_by_query,
    sort_key,
)
from include.intacct_sandbox.xmlout import attrs, element, esc, fields_xml

READ_BY_QUERY_MAX_PAGE = 1000
QUERY_MAX_PAGE = 2000
READ_MAX_KEYS = 100
MAX_CURSORS_BEFORE_PURGE = 1000


@dataclass
class Target:
    """The object a read addresses: a catalog object or a user-defined dimension."""

    name: str
    fields: dict[str, str]
    definition: ObjectDef | None = None
    udd: bool = False
    key: str = "RECORDNO"

    def resolver(self) -> FieldResolver:
        return FieldResolver(self.name, self.fields, allow_gldim=bool(self.definition and
                                                                      not self.definition.master))


@dataclass
class Cursor:
    company: str
    listtype: str
    fields: list[str]
    remaining: list[dict[str, Any]]
    total: int
    expires: datetime
    entity_id: str = ""
    nested: bool = True
    served: int = 0
    extra: dict = field(default_factory=dict)


def _target(ctx: FunctionContext, object_name: str | None, operation: str) -> Target:
    name = (object_name or "").strip()
    definition = find_object(name)
    if definition is not None:
        return Target(definition.name, definition.all_fields, definition, key=definition.key)
    udd = ctx.udds().get(name.upper())
    if udd is not None:
        if not udd["permitted"] or udd["status"] != "active":
            raise Failure([messages.no_permission(operation, name.upper())])
        return Target(name.upper(), UDD_FIELDS, udd=True, key="id")
    raise Failure([messages.object_not_found(name.upper() or "(empty)")])


def _select_fields(target: Target, text: str | None) -> list[str]:
    text = (text or "").strip()
    if text in ("", "*"):
        return list(target.fields)
    resolver = target.resolver()
    try:
        return [resolver.resolve(name)[0] for name in text.split(",") if name.strip()]
    except QueryError as exc:
        raise Failure([exc.error]) from None


def _int_param(el, name: str, default: int, low: int, high: int, function: str) -> int:
    text = el.findtext(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise Failure([messages.invalid_parameter(function, f"{name} '{text}' is not a number")]) from None
    if not low <= value <= high:
        raise Failure([messages.invalid_parameter(function, f"{name} must be between {low} and {high}")])
    return value


def _by_recordno(record: dict[str, Any]) -> int:
    return int(record.get("RECORDNO") or 0)


def _lines_xml(definition: ObjectDef | None, record: dict[str, Any]) -> str:
    if definition is None or definition.master:
        return ""
    lines = record.get("_LINES") or []
    child = definition.line_element.lower()
    body = "".join(f"<{child}>{fields_xml(line, list(line), nested=False)}</{child}>" for line in lines)
    return f"<{definition.lines_container}>{body}</{definition.lines_container}>"


def read_by_query(ctx: FunctionContext, el) -> Outcome:
    target = _target(ctx, el.findtext("object"), "READ_BY_QUERY")
    fields = _select_fields(target, el.findtext("fields"))
    pagesize = _int_param(el, "pagesize", 100, 1, READ_BY_QUERY_MAX_PAGE, "readByQuery")
    try:
        predicate = parse_read_by_query(el.findtext("query") or "", target.resolver())
    except QueryError as exc:
        raise Failure([exc.error]) from None
    matches = sorted((r for r in ctx.records(target.name) if predicate(r)), key=_by_recordno)
    cursor = Cursor(ctx.company, target.name.lower(), fields, matches, len(matches), ctx.now,
                    entity_id=ctx.entity["LOCATIONID"] if ctx.entity else "")
    return Outcome(_page(ctx, cursor, pagesize, new_id=True), transactions=1)


def _page(ctx: FunctionContext, cursor: Cursor, pagesize: int, new_id: bool, result_id: str = "") -> str:
    page, cursor.remaining = cursor.remaining[:pagesize], cursor.remaining[pagesize:]
    cursor.served += len(page)
    remaining = len(cursor.remaining)
    if remaining and new_id:
        result_id = secrets.token_hex(16)
    if remaining:
        cursor.extra["pagesize"] = pagesize
        cursor.expires = ctx.now + timedelta(seconds=ctx.sandbox.options.result_ttl_seconds)
        cursors = ctx.sandbox.cursors
        if len(cursors) >= MAX_CURSORS_BEFORE_PURGE:  # abandoned result sets do not pile up
            for stale in [rid for rid, c in cursors.items() if c.expires < ctx.now]:
                del cursors[stale]
        cursors[result_id] = cursor
    elif result_id:
        ctx.sandbox.cursors.pop(result_id, None)  # the last page invalidates the result set
    tag = cursor.listtype
    body = "".join(f"<{tag}>{fields_xml(r, cursor.fields, nested=cursor.nested)}</{tag}>" for r in page)
    head = attrs(listtype=tag, count=len(page), totalcount=cursor.total, numremaining=remaining,
                 resultId=result_id)
    return f"<data{head}>{body}</data>" if body else f"<data{head}/>"


def read_more(ctx: FunctionContext, el) -> Outcome:
    result_id = (el.findtext("resultId") or "").strip()
    if not result_id:
        raise Failure([messages.invalid_parameter("readMore", "only resultId is supported")])
    cursor = ctx.sandbox.cursors.get(result_id)
    entity_id = ctx.entity["LOCATIONID"] if ctx.entity else ""
    if cursor is None or cursor.company != ctx.company or cursor.entity_id != entity_id or cursor.expires < ctx.now:
        ctx.sandbox.cursors.pop(result_id, None)
        raise Failure([messages.read_more_failed(result_id)])
    return Outcome(_page(ctx, cursor, cursor.extra.get("pagesize", 100), new_id=False, result_id=result_id),
                   transactions=1)


_AGGREGATES = ("count", "sum", "avg", "min", "max")


def query(ctx: FunctionContext, el) -> Outcome:
    target = _target(ctx, el.findtext("object"), "QUERY")
    select = el.find("select")
    if select is None or not len(select):
        raise Failure([messages.query_syntax("<select> with at least one field is required")])
    resolver = target.resolver()
    options = el.find("options")
    case_insensitive = options is not None and (options.findtext("caseinsensitive") or "").strip().lower() == "true"
    try:
        plain, aggregates = [], []
        for item in select:
            if not isinstance(item.tag, str):
                continue
            name = resolver.resolve(item.text or "")[0]
            if item.tag.lower() == "field":
                plain.append(name)
            elif item.tag.lower() in _AGGREGATES:
                aggregates.append((item.tag.upper(), name))
            else:
                raise QueryError(messages.query_syntax(f"unknown select element <{item.tag}>"))
        filter_el = el.find("filter")
        predicate = parse_filter(filter_el, resolver, case_insensitive) if filter_el is not None else None
        order = []
        for order_el in el.findall("orderby/order"):
            name, ftype = resolver.resolve(order_el.findtext("field") or "")
            order.append((sort_key(ftype, name, case_insensitive), order_el.find("descending") is not None))
    except QueryError as exc:
        raise Failure([exc.error]) from None
    pagesize = _int_param(el, "pagesize", 100, 1, QUERY_MAX_PAGE, "query")
    offset = _int_param(el, "offset", 0, 0, 10**9, "query")
    rows = [r for r in ctx.records(target.name) if predicate is None or predicate(r)]
    rows.sort(key=_by_recordno)
    for key, descending in reversed(order):
        rows.sort(key=key, reverse=descending)
    fields = plain
    if aggregates:
        rows, fields = _aggregate(rows, plain, aggregates)
    page = rows[offset:offset + pagesize]
    tag = target.name if not target.udd else target.name.lower()
    body = "".join(f"<{tag}>{fields_xml(r, fields, nested=False)}</{tag}>" for r in page)
    head = attrs(listtype=tag, totalcount=len(rows), offset=offset, count=len(page),
                 numremaining=max(0, len(rows) - offset - len(page)))
    return Outcome(f"<data{head}>{body}</data>" if body else f"<data{head}/>", transactions=1)


def _aggregate(rows, plain, aggregates):
    from decimal import Decimal, InvalidOperation

    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault(tuple(r.get(f, "") for f in plain), []).append(r)
    out = []
    for key, members in groups.items():
        row = dict(zip(plain, key, strict=True))
        for func, name in aggregates:
            values = []
            for m in members:
                try:
                    values.append(Decimal(str(m.get(name, ""))))
                except InvalidOperation:
                    continue
            if func == "COUNT":
                result = len([m for m in members if m.get(name, "") != ""])
            elif not values:
                result = ""
            elif func == "SUM":
                result = sum(values)
            elif func == "AVG":
                result = (sum(values) / len(values)).quantize(Decimal("0.01"))
            else:
                result = min(values) if func == "MIN" else max(values)
            row[f"{func}.{name}"] = str(result)
        out.append(row)
    return out, plain + [f"{func}.{name}" for func, name in aggregates]


def _read_records(ctx: FunctionContext, el, by_name: bool) -> Outcome:
    function = "readByName" if by_name else "read"
    target = _target(ctx, el.findtext("object"), "READ")
    fields = _select_fields(target, el.findtext("fields"))
    keys = [k.strip() for k in (el.findtext("keys") or "").split(",") if k.strip()]
    if len(keys) > READ_MAX_KEYS:
        raise Failure([messages.invalid_parameter(function, f"at most {READ_MAX_KEYS} keys")])
    found = []
    for key in keys:
        if by_name:
            record = ctx.find(target.name, key)
        elif target.definition is not None and target.definition.parent:
            record = next((r for r in ctx.records(target.name) if r["RECORDNO"] == key), None)
        else:
            record = ctx.store.get(ctx.company, target.name, int(key)) if key.isdigit() else None
            record = record if record is not None and ctx.visible(record) else None
        if record is not None:
            found.append(record)
    whole = (el.findtext("fields") or "*").strip() == "*"
    tag = target.name
    body = "".join(f"<{tag}>{fields_xml(r, fields, nested=True)}"
                   f"{_lines_xml(target.definition, r) if whole else ''}</{tag}>" for r in found)
    head = attrs(listtype=tag, count=len(found))
    return Outcome(f"<data{head}>{body}</data>" if body else f"<data{head}/>", transactions=1)


def read(ctx: FunctionContext, el) -> Outcome:
    return _read_records(ctx, el, by_name=False)


def read_by_name(ctx: FunctionContext, el) -> Outcome:
    return _read_records(ctx, el, by_name=True)


def _describe(target: Target, detail: bool) -> str:
    if not detail:
        names = "".join(element("Field", name) for name in target.fields)
        return f'<Type Name="{esc(target.name)}"><Fields>{names}</Fields></Type>'
    definition = target.definition
    fields = []
    for name, ftype in target.fields.items():
        required = "true" if definition and name == definition.key else "false"
        readonly = "true" if name in ("RECORDNO", "WHENCREATED", "WHENMODIFIED", "RECORD_URL", "CREATEDBY",
                                      "MODIFIEDBY") else "false"
        valid = "<VALIDVALUES><VALIDVALUE>active</VALIDVALUE><VALIDVALUE>inactive</VALIDVALUE></VALIDVALUES>" \
            if name.upper() == "STATUS" else "<VALIDVALUES/>"
        fields.append(f"<Field>{element('ID', name)}{element('LABEL', name.replace('_', ' ').title())}"
                      f"{element('DESCRIPTION', name)}{element('REQUIRED', required)}"
                      f"{element('READONLY', readonly)}{element('DATATYPE', ftype)}{valid}"
                      f"{element('ISCUSTOM', 'false')}</Field>")
    relationships = ""
    if definition and definition.name == "GLBATCH":
        relationships = ("<Relationships><Relationship><OBJECTPATH>JOURNAL</OBJECTPATH><OBJECTNAME>GLJOURNAL"
                         "</OBJECTNAME><LABEL>Journal</LABEL><RELATIONSHIPTYPE>MANY2ONE</RELATIONSHIPTYPE>"
                         "<RELATEDBY>JOURNAL</RELATEDBY></Relationship></Relationships>")
    return (f'<Type Name="{esc(target.name)}" DocumentType=""><Fields>{"".join(fields)}</Fields>'
            f"{relationships}</Type>")


def lookup(ctx: FunctionContext, el) -> Outcome:
    target = _target(ctx, el.findtext("object"), "LOOKUP")
    return Outcome(f'<data listtype="All" count="1">{_describe(target, detail=True)}</data>', transactions=1)


def inspect(ctx: FunctionContext, el) -> Outcome:
    name = (el.findtext("object") or "").strip()
    if name == "*":
        types = [(o.name, o.label) for o in OBJECTS.values()]
        types += [(n, u["label"]) for n, u in ctx.udds().items()]
        body = "".join(f'<type typename="{esc(n)}">{esc(label)}</type>' for n, label in types)
        return Outcome(f'<data listtype="All" count="{len(types)}">{body}</data>', transactions=1)
    target = _target(ctx, name, "INSPECT")
    detail = (el.get("detail") or "0").strip() == "1"
    return Outcome(f'<data listtype="All" count="1">{_describe(target, detail)}</data>', transactions=1)


def get_dimensions(ctx: FunctionContext, el) -> Outcome:
    parts = []
    for name, label in STANDARD_DIMENSIONS:
        parts.append(_dimension(name, label, False, True))
    for name, udd in ctx.udds().items():
        parts.append(_dimension(name, udd["label"], True, udd["status"] == "active"))
    return Outcome(f"<data><dimensions>{''.join(parts)}</dimensions></data>", transactions=1)


def _dimension(name: str, label: str, user_defined: bool, enabled: bool) -> str:
    return (f"<dimension>{element('objectName', name)}{element('objectLabel', label)}{element('termLabel', label)}"
            f"{element('userDefinedDimension', str(user_defined).lower())}"
            f"{element('enabledInGL', str(enabled).lower())}</dimension>")


def get_closed_books_date(ctx: FunctionContext, el) -> Outcome:
    # Intacct's function has no module; GL's date is the company's. A <module>AR</module> child
    # (an extension) asks for one subledger's date.
    module = (el.findtext("module") or el.get("module") or "GL").strip().upper()
    if module not in ("GL", "AR", "AP"):
        raise Failure([messages.invalid_parameter("get_closedbooksdate", f"unknown module '{module}'")])
    closed = ctx.closed_through(module)
    inner = "" if closed is None else (
        f"{element('year', closed.year)}{element('month', f'{closed.month:02d}')}"
        f"{element('day', f'{closed.day:02d}')}")
    return Outcome(f"<data><closedbooksdate>{inner}</closedbooksdate></data>", transactions=1)


def get_financial_setup(ctx: FunctionContext, el) -> Outcome:
    values = {"baseCurrency": demo.BASE_CURRENCY, "defaultBook": "ACCRUAL", "firstFiscalMonth": "January",
              "firstTaxMonth": "January", "multiBaseCurrency": "false", "multiBook": "false",
              "multiCurrency": "false", "multiEntityShared": str(ctx.multi_entity).lower(),
              "currentPeriod": "", "timezone": demo.COMPANY_TIMEZONE}
    body = "".join(element(k, v) for k, v in values.items())
    return Outcome(f"<data><financialSetup>{body}</financialSetup></data>", transactions=1)
