"""The store's records as REST JSON, and REST JSON as the fields the sandbox's rules take.

The store keeps what the XML API shows (uppercase fields, MM/DD/YYYY dates, UTC timestamps as text);
the REST router speaks the same records through the object map the client uses
(``include.intacct.rest.objects``). A reference may come by id or by key (``{"key": "13"}``):
a key is looked up in the referenced object, so either form names the same record. A blank id is
refused (reference §3.1: "blank reference ids are rejected").
"""

from __future__ import annotations

from typing import Any

from include.intacct.rest.objects import FieldMap, RestObject, udd_rest_dimension, udd_xml_field
from include.intacct.rest.values import flatten, get_path, set_path, to_rest, to_xml
from include.intacct_sandbox.context import LINE_RECORDNO_FACTOR

REST_PREFIX = "/ia/api/v1"
STORE_TZ = "UTC"  # the sandbox keeps its timestamps in UTC (docs/sandbox.md)


class BodyError(ValueError):
    """A request body the REST API would refuse as a schema error (400); the message names the property."""


def href(obj: RestObject, key: Any) -> str:
    return f"/objects/{obj.path}/{key}"


def line_key(document: dict, line: dict) -> str:
    return str(int(document["RECORDNO"]) * LINE_RECORDNO_FACTOR + int(line.get("LINE_NO") or 0))


def rest_value(fmap: FieldMap, stored: Any) -> Any:
    """A stored XML value as REST writes it (None for empty)."""
    if stored is None or stored == "":
        return None
    try:
        return to_rest(fmap, stored, STORE_TZ)
    except ValueError:
        return str(stored)


def record_json(obj: RestObject, record: dict, *, with_lines: bool = True) -> dict[str, Any]:
    """A stored record as the GET of one object answers it: nested properties, ``href``, its lines."""
    body: dict[str, Any] = {}
    for fmap in obj.fields:
        value = rest_value(fmap, record.get(fmap.xml))
        if value is not None and get_path(body, fmap.rest) is None:
            set_path(body, fmap.rest, value)
    body["href"] = href(obj, record.get("RECORDNO"))
    if with_lines and obj.lines is not None:
        body["lines"] = [line_json(obj, record, line) for line in record.get("_LINES", [])]
    return body


def line_json(obj: RestObject, document: dict, line: dict) -> dict[str, Any]:
    lines = obj.lines
    key = line_key(document, line)
    body: dict[str, Any] = {"key": key, "id": key}
    set_path(body, f"{lines.owner}.key", str(document["RECORDNO"]))
    for fmap in lines.fields:
        if fmap.xml in ("RECORDNO", lines.owner_xml):
            continue
        value = rest_value(fmap, line.get(fmap.xml))
        if value is not None and get_path(body, fmap.rest) is None:
            set_path(body, fmap.rest, value)
    for name, value in line.items():
        dimension = udd_rest_dimension(name)
        if dimension is not None and value:
            body.setdefault("dimensions", {})[dimension] = {"id": value}
    return body


def row_value(fmap: FieldMap, stored: Any) -> Any:
    return rest_value(fmap, stored)


# --------------------------------------------------------------------------- REST JSON -> store fields


def _reference_id(ctx, fmap: FieldMap, reference: Any, where: str) -> str:
    """The business id a REST reference names: ``{"id": ..}`` or ``{"key": ..}`` (looked up)."""
    if not isinstance(reference, dict):
        raise BodyError(f"{where}: a reference is an object with id or key, got {reference!r}")
    if "id" in reference:
        value = reference["id"]
        if value is None or str(value).strip() == "":
            raise BodyError(f"{where}.id: a blank reference id is not allowed; leave the reference out")
        return str(value)
    key = str(reference.get("key") or "").strip()
    if not key:
        raise BodyError(f"{where}: a reference needs an id or a key")
    from include.intacct.rest.objects import OBJECTS

    target = OBJECTS.get(fmap.ref)
    found = ctx.store.get(ctx.company, fmap.ref, int(key)) if key.isdigit() else None
    if found is None or target is None:
        return f"#{key}"  # no such record: the rules refuse it by its (unknown) id, as they refuse a bad id
    return str(found.get(target.key_field) or "")


def _walk(ctx, maps: dict[str, FieldMap], body: dict, where: str, out: dict[str, Any], skip: tuple[str, ...]) -> None:
    """Fill ``out`` (XML field -> text) from a REST body, one mapped property at a time. Properties the sandbox
    does not model (currency exchange rates, 1099 flags ...) are accepted and not kept, as a tenant keeps
    fields the sandbox has no column for."""
    flat = flatten(body)
    for path, fmap in maps.items():
        if fmap.read_only or path.split(".")[0] in skip:
            continue
        if fmap.ref and path.endswith(".id"):
            holder = path[:-3]
            reference = get_path(body, holder)
            if reference is None:
                continue
            out[fmap.xml] = _reference_id(ctx, fmap, reference, f"{where}{holder}")
            continue
        if path in flat:
            out[fmap.xml] = to_xml(fmap, flat[path], STORE_TZ)


def store_fields(ctx, obj: RestObject, body: dict, where: str = "") -> dict[str, str]:
    """A REST record's header as XML fields (lines and system properties left out)."""
    if not isinstance(body, dict):
        raise BodyError(f"{where}a record is a JSON object, got {type(body).__name__}")
    out: dict[str, str] = {}
    maps = dict(obj.by_rest)
    # The business id of a master is "id"; documents have no writable id.
    if "id" in body and not obj.document:
        out[obj.key_field] = "" if body["id"] is None else str(body["id"])
    _walk(ctx, maps, body, where, out, skip=("lines", "ia::operation"))
    return out


def line_fields(ctx, obj: RestObject, line: dict, where: str) -> dict[str, str]:
    """A REST line as the XML line's fields (UDDs as GLDIM<NAME>)."""
    if not isinstance(line, dict):
        raise BodyError(f"{where}: a line is a JSON object")
    out: dict[str, str] = {}
    dimensions = line.get("dimensions") if isinstance(line.get("dimensions"), dict) else {}
    standard = {k: v for k, v in dimensions.items() if udd_xml_field(k) is None}
    for name, value in dimensions.items():
        xml_field = udd_xml_field(name)
        if xml_field is None:
            continue
        if isinstance(value, dict) and "key" in value and "id" not in value:
            found = ctx.store.get(ctx.company, xml_field[5:], int(value["key"])) if str(value["key"]).isdigit() \
                else None
            out[xml_field] = str(found.get("id")) if found else f"#{value['key']}"
        else:
            out[xml_field] = _reference_id(ctx, FieldMap(xml_field, ""), value, f"{where}.dimensions.{name}")
    plain = {k: v for k, v in line.items() if k not in ("dimensions", "key", "ia::operation", "project")}
    if standard:
        plain["dimensions"] = standard
    maps = {path: fmap for path, fmap in obj.lines.by_rest.items()}
    _walk(ctx, maps, plain, f"{where}.", out, skip=())
    return out
