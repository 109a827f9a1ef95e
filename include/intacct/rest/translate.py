"""The facade's XML-shaped reads and writes as REST requests, and REST answers as XML-shaped records.

Reads: an XML ``query`` (object, fields, ``Filter``, order) becomes a query-service body
(``/services/core/query``: object path, dotted properties, ``$op`` filters numbered in a
``filterExpression``, ``orderBy``, ``start``/``size``); each row comes back as the record the XML
API would answer (XML field names, XML value notation). Writes: an XML record (``{"APBILL": {...}}``,
or a legacy ``create_invoice``/``create_arterm`` field set) becomes the REST object's JSON body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from include.intacct.query_filter import Filter
from include.intacct.rest.objects import (
    FieldMap,
    MappingError,
    RestObject,
    udd_rest_dimension,
)
from include.intacct.rest.values import get_path, set_path, to_rest, to_xml

# XML filter operators and the query service's (reference §4).
_OPERATORS = {"equalto": "$eq", "notequalto": "$ne", "lessthan": "$lt", "lessthanorequalto": "$lte",
              "greaterthan": "$gt", "greaterthanorequalto": "$gte", "in": "$in", "notin": "$notIn",
              "between": "$between"}


# --------------------------------------------------------------------------- reads


def select(obj: RestObject, fields: Sequence[str] | str) -> list[FieldMap]:
    """The maps of the XML fields a read selects; ``*`` (or empty) is every mapped field."""
    if isinstance(fields, str):
        names = [] if fields.strip() in ("", "*") else [f.strip() for f in fields.split(",") if f.strip()]
    else:
        names = list(fields)
    if not names:
        return list(obj.by_xml.values())
    return [obj.field(name) for name in names]


def rest_properties(maps: Sequence[FieldMap]) -> list[str]:
    return list(dict.fromkeys(m.rest for m in maps))


def record_from_row(row: Mapping[str, Any], maps: Sequence[FieldMap], tz: str, *, nested: bool = False) -> dict:
    """A query-service row as the XML API's record: ``{"RECORDNO": "12", "VENDORID": "V-1", ...}``.
    ``nested``: dotted XML fields as nested dicts (``DISPLAYCONTACT.EMAIL1``), as read/readByName answer."""
    record: dict[str, Any] = {}
    for fmap in maps:
        value = to_xml(fmap, get_path(row, fmap.rest), tz)
        if nested and "." in fmap.xml:
            node = record
            *parents, leaf = fmap.xml.split(".")
            for part in parents:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            else:
                node[leaf] = value
        else:
            record[fmap.xml] = value
    return record


def query_body(obj: RestObject, maps: Sequence[FieldMap], filter: Filter | None, order_by: Sequence,
               *, size: int, start: int, tz: str, case_insensitive: bool = False,
               show_private: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"object": obj.path, "fields": rest_properties(maps), "start": start, "size": size}
    if filter is not None:
        filters, expression = filters_of(obj, filter, tz)
        body["filters"] = filters
        body["filterExpression"] = expression
    if order_by:
        body["orderBy"] = [{obj.field(field).rest: "desc" if direction == "descending" else "asc"}
                           for field, direction in order_by]
    parameters = {}
    if case_insensitive:
        parameters["caseSensitiveComparison"] = False
    if show_private:
        parameters["includePrivate"] = True
    if parameters:
        body["filterParameters"] = parameters
    return body


def filters_of(obj: RestObject, filter: Filter, tz: str) -> tuple[list[dict], str]:
    """The query service's numbered filters and the expression combining them: ``(1 and 2) or 3``."""
    filters: list[dict] = []
    expression = _expression(obj, filter, tz, filters)
    if expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
        expression = expression[1:-1]
    return filters, expression


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _expression(obj: RestObject, node: Filter, tz: str, filters: list[dict]) -> str:
    if node.children:
        parts = [_expression(obj, child, tz, filters) for child in node.children]
        return "(" + f" {node.operator} ".join(parts) + ")"
    filters.append(_leaf(obj, node, tz))
    return str(len(filters))


def _leaf(obj: RestObject, node: Filter, tz: str) -> dict:
    fmap = obj.field(node.field)
    where = f"filter on {obj.xml}."

    def value(text: str) -> Any:
        return to_rest(fmap, text, tz, where)

    operator = node.operator
    if operator in ("isnull", "isnotnull"):
        # assumed: the query service has no null operator in the spec; a null comparison stands for it
        return {"$eq" if operator == "isnull" else "$ne": {fmap.rest: None}}
    if operator in ("like", "notlike"):
        return _like(fmap, node.values[0], negate=operator == "notlike")
    rest_operator = _OPERATORS[operator]
    if operator in ("in", "notin", "between"):
        return {rest_operator: {fmap.rest: [value(v) for v in node.values]}}
    return {rest_operator: {fmap.rest: value(node.values[0])}}


def _like(fmap: FieldMap, pattern: str, negate: bool) -> dict:
    """XML's LIKE as REST's $contains / $startsWith / $endsWith (the only pattern forms REST has)."""
    inner = pattern.strip("%")
    if "%" in inner or "_" in inner:
        raise MappingError(f"filter like on {fmap.xml}: {pattern!r} has wildcards inside the text, which the REST "
                           "query service cannot express ($contains, $startsWith, $endsWith only)")
    starts, ends = pattern.startswith("%"), pattern.endswith("%")
    operator = ("$contains" if starts and ends else "$endsWith" if starts else "$startsWith" if ends else "$eq")
    if negate:
        operator = {"$contains": "$notContains", "$endsWith": "$notEndsWith", "$startsWith": "$notStartsWith",
                    "$eq": "$ne"}[operator]
    return {operator: {fmap.rest: inner}}


# --------------------------------------------------------------------------- writes


def _flat_fields(fields: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested XML write fields as dotted names (``{"DISPLAYCONTACT": {"EMAIL1": ..}}`` -> ``DISPLAYCONTACT.EMAIL1``)."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        dotted = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, Mapping):
            out.update(_flat_fields(value, dotted))
        else:
            out[dotted] = value
    return out


def from_legacy(obj: RestObject, fields: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A legacy create's fields (``create_invoice``: ``customerid``, ``invoiceitems/lineitem`` ...) as the
    generic object's XML fields (``CUSTOMERID``, ``ARINVOICEITEMS/ARINVOICEITEM``)."""
    container, element = obj.legacy_lines
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if container and name == container:
            items = value.get(element) if isinstance(value, Mapping) else value
            items = items if isinstance(items, list | tuple) else [items]
            out[obj.lines.container] = {obj.lines.element: [_legacy_line(obj, item, where) for item in items]}
            continue
        for dotted, inner in (_flat_fields(value, name) if isinstance(value, Mapping) else {name: value}).items():
            target = obj.legacy_fields.get(dotted)
            if target is None:
                raise MappingError(f"{where}: legacy field {dotted!r} has no REST counterpart for {obj.xml}")
            if target == "STATE" and inner is not None:
                inner = "Draft" if str(inner).lower() == "draft" else "Posted"
            out[target] = inner
    return out


def _legacy_line(obj: RestObject, item: Mapping[str, Any], where: str) -> dict[str, Any]:
    line = {}
    for name, value in item.items():
        if str(name).upper().startswith("GLDIM"):
            line[str(name).upper()] = value
            continue
        target = obj.legacy_line_fields.get(str(name).lower())
        if target is None:
            raise MappingError(f"{where}: legacy line field {name!r} has no REST counterpart for {obj.xml}")
        line[target] = value
    return line


def write_body(obj: RestObject, fields: Mapping[str, Any], tz: str, where: str) -> dict[str, Any]:
    """The REST JSON of an XML record (RECORDNO left out: it addresses the record). Empty values are
    left out, as the XML writer leaves ``None`` out. A field the map does not know is an error naming
    the write and the field, never dropped silently."""
    body: dict[str, Any] = {}
    lines = obj.lines
    for name, value in fields.items():
        if name.upper() == "RECORDNO":
            continue
        if lines is not None and name.upper() == lines.container:
            body["lines"] = [line_body(obj, line, tz, where) for line in _items(value, lines.element)]
            continue
        for dotted, inner in (_flat_fields(value, name) if isinstance(value, Mapping) else {name: value}).items():
            try:
                fmap = obj.field(dotted)
            except MappingError as exc:
                raise MappingError(f"{where}: {exc}") from None
            if fmap.read_only:
                raise MappingError(f"{where}: {obj.xml} field {dotted} is read-only in REST ({fmap.rest})")
            converted = to_rest(fmap, inner, tz, f"{where}: ")
            if converted is not None:
                set_path(body, fmap.rest, converted)
    return body


def _items(value: Any, element: str) -> list:
    items = value.get(element, value.get(element.lower())) if isinstance(value, Mapping) else value
    if items is None:
        return []
    return list(items) if isinstance(items, list | tuple) else [items]


def line_body(obj: RestObject, line: Mapping[str, Any], tz: str, where: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in line.items():
        if value is None or value == "":
            continue
        dimension = udd_rest_dimension(str(name))
        if dimension is not None:
            # assumed: a UDD is referenced by its id like any dimension (REST references take key or id);
            # fylein sends the key it keeps (reference §3.10).
            body.setdefault("dimensions", {})[dimension] = {"id": str(value)}
            continue
        fmap = obj.lines.by_xml.get(str(name).upper())
        if fmap is None:
            raise MappingError(f"{where}: {obj.lines.element} field {name!r} has no REST counterpart in "
                               f"{obj.lines.rest_object}; mapped: {', '.join(obj.lines.by_xml)}")
        converted = to_rest(fmap, value, tz, f"{where}: line ")
        if converted is not None:
            set_path(body, fmap.rest, converted)
    return body
