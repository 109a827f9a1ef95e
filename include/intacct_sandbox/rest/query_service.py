"""``POST /services/core/query``: the REST query service over the sandbox's store (reference §4).

``object`` (``accounts-payable/vendor``, a line object, ``platform-apps/nsp::<udd>``), ``fields``
(dotted properties; related fields come back as flat dotted keys), ``filters`` (``{"$op":
{"field": value}}``, numbered from 1 in ``filterExpression``: ``and`` by default, ``or``, or
``"(1 and 2) or 3"``), ``filterParameters`` (``caseSensitiveComparison`` default true,
``includePrivate``: refused at the top level, as Intacct does), ``orderBy``, ``start`` (1-based),
``size`` (at most 4000, default 100). The XML ``query``'s typed comparisons decide, so both APIs
select the same records.
"""

from __future__ import annotations

import re
from typing import Any

from include.intacct.rest.objects import RestObject, for_rest
from include.intacct.rest.values import to_xml
from include.intacct_sandbox.context import Failure
from include.intacct_sandbox.query import QueryError, comparison, sort_key
from include.intacct_sandbox.rest.convert import STORE_TZ, BodyError, href, row_value
from include.intacct_sandbox.targets import by_recordno, target, with_computed

MAX_SIZE = 4000
DEFAULT_SIZE = 100
_TOP_LEVEL_PARAMETERS = ("caseSensitiveComparison", "includePrivate", "asOfDate", "includeHierarchyFields")
_SIMPLE = {"$eq": "equalto", "$ne": "notequalto", "$lt": "lessthan", "$lte": "lessthanorequalto",
           "$gt": "greaterthan", "$gte": "greaterthanorequalto", "$in": "in", "$notIn": "notin",
           "$between": "between", "$notBetween": "notbetween"}
_PATTERNS = {"$contains": ("%{}%", False), "$notContains": ("%{}%", True), "$startsWith": ("{}%", False),
             "$notStartsWith": ("{}%", True), "$endsWith": ("%{}", False), "$notEndsWith": ("%{}", True)}
_TOKEN = re.compile(r"\s*(\d+|\(|\)|and\b|or\b)", re.IGNORECASE)


def resolve_object(path: Any) -> RestObject:
    obj = for_rest(str(path or ""))
    if obj is None:
        raise BodyError(f"object: '{path}' is not an object the sandbox serves over REST")
    return obj


def run_query(ctx, body: Any) -> tuple[list[dict], dict]:
    """(rows, ia::meta) of a query body; BodyError for a malformed one, Failure for a refused object."""
    if not isinstance(body, dict):
        raise BodyError("the query is a JSON object")
    for name in _TOP_LEVEL_PARAMETERS:
        if name in body:
            raise BodyError(f"{name}: belongs inside filterParameters")
    obj = resolve_object(body.get("object"))
    read_target = target(ctx, obj.xml, "QUERY")
    resolver = read_target.resolver(ctx)
    fields = body.get("fields")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f for f in fields):
        raise BodyError("fields: list the properties to return ('*' is not allowed)")
    parameters = body.get("filterParameters") or {}
    if not isinstance(parameters, dict):
        raise BodyError("filterParameters: expected an object")
    case_insensitive = parameters.get("caseSensitiveComparison") is False
    try:
        selected = [(name, _field(obj, resolver, name)) for name in fields]
        predicate = _filters(obj, resolver, body.get("filters") or [], body.get("filterExpression"), case_insensitive)
        order = _order(obj, resolver, body.get("orderBy") or [], case_insensitive)
    except QueryError as exc:
        raise Failure([exc.error]) from None
    start, size = _int(body, "start", 1, 1, 10**9), _int(body, "size", DEFAULT_SIZE, 1, MAX_SIZE)
    records = sorted((r for r in ctx.records(read_target.name) if predicate(r)), key=by_recordno)
    for key, descending in reversed(order):
        records.sort(key=key, reverse=descending)
    page = records[start - 1:start - 1 + size]
    page = with_computed(page, [f for _, f in selected if f is not None], read_target.definition)
    rows = [{name: _value(obj, name, field, record) for name, field in selected} for record in page]
    following = start + len(page)
    meta = {"totalCount": len(records), "start": start, "pageSize": size,
            "next": following if following <= len(records) else None,
            "previous": max(1, start - size) if start > 1 else None}
    return rows, meta


def _field(obj: RestObject, resolver, name: str):
    """The sandbox field behind a property (None for ``href``, computed from the key)."""
    if name == "href":
        return None
    fmap = obj.by_rest.get(name)
    if fmap is None:
        raise BodyError(f"fields: '{name}' is not a property of {obj.path} the sandbox serves")
    return resolver.field(fmap.xml)


def _value(obj: RestObject, name: str, field, record: dict) -> Any:
    if field is None:
        return href(obj, record.get("RECORDNO"))
    return row_value(obj.by_rest[name], field.get(record))


def _int(body: dict, name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BodyError(f"{name}: an integer from {low} to {high}, got {value!r}")
    return value


def _xml_text(obj: RestObject, name: str, value: Any) -> str:
    return to_xml(obj.by_rest[name], value, STORE_TZ)


def _condition(obj: RestObject, resolver, item: Any, case_insensitive: bool):
    if not isinstance(item, dict) or len(item) != 1:
        raise BodyError(f"filters: each filter is {{\"$op\": {{\"property\": value}}}}, got {item!r}")
    operator, operand = next(iter(item.items()))
    if not isinstance(operand, dict) or len(operand) != 1:
        raise BodyError(f"filters: {operator} takes one property and its value, got {operand!r}")
    name, value = next(iter(operand.items()))
    if name not in obj.by_rest:
        raise BodyError(f"filters: '{name}' is not a property of {obj.path} the sandbox serves")
    xml_field = obj.by_rest[name].xml
    if operator in ("$eq", "$ne") and value is None:
        return comparison(resolver, xml_field, "isnull" if operator == "$eq" else "isnotnull", [], case_insensitive)
    if operator in _PATTERNS:
        shape, negate = _PATTERNS[operator]
        return comparison(resolver, xml_field, "notlike" if negate else "like",
                          [shape.format(str(value))], case_insensitive)
    if operator not in _SIMPLE:
        raise BodyError(f"filters: unknown operator {operator}")
    xml_operator = _SIMPLE[operator]
    if xml_operator in ("in", "notin", "between", "notbetween"):
        if not isinstance(value, list) or not value or (xml_operator.endswith("between") and len(value) != 2):
            raise BodyError(f"filters: {operator} on {name} takes a list of values")
        texts = [_xml_text(obj, name, v) for v in value]
        if xml_operator == "notbetween":
            inner = comparison(resolver, xml_field, "between", texts, case_insensitive)
            return lambda record: not inner(record)
        return comparison(resolver, xml_field, xml_operator, texts, case_insensitive)
    return comparison(resolver, xml_field, xml_operator, [_xml_text(obj, name, value)], case_insensitive)


def _filters(obj: RestObject, resolver, filters: Any, expression: Any, case_insensitive: bool):
    if not isinstance(filters, list):
        raise BodyError("filters: expected a list")
    conditions = [_condition(obj, resolver, item, case_insensitive) for item in filters]
    if not conditions:
        return lambda record: True
    text = str(expression or "and").strip().lower()
    if text in ("and", "or"):
        join = all if text == "and" else any
        return lambda record: join(c(record) for c in conditions)
    return _ExpressionParser(text, conditions).parse()


class _ExpressionParser:
    """``"(1 and 2) or 3"``: filters by their number, ``and`` binding tighter than ``or``."""

    def __init__(self, text: str, conditions: list):
        self.text, self.conditions = text, conditions
        self.tokens, position = [], 0
        while position < len(text.rstrip()):
            match = _TOKEN.match(text, position)
            if not match:
                raise BodyError(f"filterExpression: cannot read {text[position:]!r}")
            self.tokens.append(match.group(1).lower())
            position = match.end()
        self.position = 0

    def parse(self):
        result = self._or()
        if self.position != len(self.tokens):
            raise BodyError(f"filterExpression: unexpected {self.tokens[self.position]!r} in {self.text!r}")
        return result

    def _take(self) -> str:
        if self.position >= len(self.tokens):
            raise BodyError(f"filterExpression: {self.text!r} ends too early")
        self.position += 1
        return self.tokens[self.position - 1]

    def _peek(self) -> str:
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def _or(self):
        parts = [self._and()]
        while self._peek() == "or":
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda record: any(p(record) for p in parts))

    def _and(self):
        parts = [self._atom()]
        while self._peek() == "and":
            self._take()
            parts.append(self._atom())
        return parts[0] if len(parts) == 1 else (lambda record: all(p(record) for p in parts))

    def _atom(self):
        token = self._take()
        if token == "(":
            inner = self._or()
            if self._take() != ")":
                raise BodyError(f"filterExpression: missing ')' in {self.text!r}")
            return inner
        if not token.isdigit() or not 1 <= int(token) <= len(self.conditions):
            raise BodyError(f"filterExpression: {token!r} names no filter (there are {len(self.conditions)})")
        return self.conditions[int(token) - 1]


def _order(obj: RestObject, resolver, order_by: Any, case_insensitive: bool) -> list:
    if not isinstance(order_by, list):
        raise BodyError("orderBy: expected a list of {\"property\": \"asc\" | \"desc\"}")
    out = []
    for item in order_by:
        if not isinstance(item, dict) or len(item) != 1:
            raise BodyError(f"orderBy: each item is {{\"property\": \"asc\" | \"desc\"}}, got {item!r}")
        name, direction = next(iter(item.items()))
        if name not in obj.by_rest or str(direction).lower() not in ("asc", "desc"):
            raise BodyError(f"orderBy: '{name}': '{direction}' is not a sortable property and direction")
        out.append((sort_key(resolver.field(obj.by_rest[name].xml), case_insensitive),
                    str(direction).lower() == "desc"))
    return out
