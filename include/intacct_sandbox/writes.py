"""The write functions: generic create/update/delete, legacy create_invoice, create_bill,
create_arterm and create_apterm. Documents' business rules are in ``documents``."""

from __future__ import annotations

from datetime import date
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS, ObjectDef, find_object
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.documents import post_document, posting_date, update_document
from include.intacct_sandbox.records import advance_modified, format_date, stamp_new_record
from include.intacct_sandbox.xmlout import attrs, element

EMPTY_OBJECTS = '<data listtype="objects" count="0"/>'
_LINE_ALIASES = {"GLACCOUNTNO": "ACCOUNTNO", "MEMO": "ENTRYDESCRIPTION"}


def _flatten(el, prefix: str = "") -> dict[str, str]:
    fields: dict[str, str] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = prefix + child.tag.upper()
        if len(child):
            fields.update(_flatten(child, name + "."))
        else:
            fields[name] = (child.text or "").strip()
    return fields


def _children(el):
    return [c for c in el if isinstance(c.tag, str)]


def _fail(specific: messages.GatewayError, generic: messages.GatewayError, data_xml: str = "") -> Failure:
    return Failure([specific, generic], data_xml)


def _written_object(obj_el, could_not) -> ObjectDef:
    """The object a generic create/update names; lines are written through their document only."""
    definition = find_object(obj_el.tag)
    if definition is None:
        raise Failure([messages.object_not_found(obj_el.tag.upper())], EMPTY_OBJECTS)
    if definition.parent:
        raise Failure([messages.lines_through_document(definition.name, definition.parent),
                       could_not(definition.label)], EMPTY_OBJECTS)
    if definition.read_only:
        raise Failure([messages.read_only_object(definition.name), could_not(definition.label)], EMPTY_OBJECTS)
    return definition


# --- generic create --------------------------------------------------------------------------------
def create(ctx: FunctionContext, el) -> Outcome:
    created = []
    for obj_el in _children(el):
        definition = _written_object(obj_el, messages.could_not_create)
        if definition.master:
            record = create_master(ctx, definition, _known_fields(definition, _flatten(obj_el)))
        else:
            header, lines = _generic_document(definition, obj_el)
            record = post_document(ctx, definition, header, lines or [], EMPTY_OBJECTS)
        created.append((definition, record))
    body = "".join(_created_xml(d, r) for d, r in created)
    return Outcome(f"<data{attrs(listtype='objects', count=len(created))}>{body}</data>", len(created))


def _created_xml(definition: ObjectDef, record: dict[str, Any]) -> str:
    tag = definition.name.lower()
    if definition.master:
        return f"<{tag}>{element('RECORDNO', record['RECORDNO'])}{element(definition.key, record[definition.key])}</{tag}>"
    return f"<{tag}>{element('RECORDNO', record['RECORDNO'])}{element('RECORD_URL', record['RECORD_URL'])}</{tag}>"


def _known_fields(definition: ObjectDef, fields: dict[str, str]) -> dict[str, str]:
    known = definition.all_fields
    return {k: v for k, v in fields.items() if k in known and k not in (
        "RECORDNO", "WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY", "RECORD_URL", "MEGAENTITYKEY",
        "MEGAENTITYID", "MEGAENTITYNAME")}


def create_master(ctx: FunctionContext, definition: ObjectDef, fields: dict[str, str],
                  data_xml: str = EMPTY_OBJECTS) -> dict[str, Any]:
    generic = messages.could_not_create(definition.label)
    key = fields.get(definition.key, "")
    if not key:
        raise _fail(messages.required_field(definition.label, definition.key), generic, data_xml)
    if ctx.store.find_by_key(ctx.company, definition.name, key) is not None:
        raise _fail(messages.duplicate_master(definition.label, key), generic, data_xml)
    status = fields.get("STATUS", "active") or "active"
    if status not in ("active", "inactive"):
        raise _fail(messages.invalid_parameter("create", f"STATUS '{status}' must be active or inactive"), generic,
                    data_xml)
    if definition.name == "PROJECT" and not fields.get("PROJECTCATEGORY"):
        raise _fail(messages.required_field(definition.label, "PROJECTCATEGORY"), generic, data_xml)
    fields["STATUS"] = status
    record = stamp_new_record(ctx.store, ctx.company, definition.name, fields, ctx.now, ctx.entity)
    return ctx.store.put(ctx.company, definition.name, record)


# --- documents -------------------------------------------------------------------------------------
def _generic_document(definition: ObjectDef, obj_el) -> tuple[dict[str, str], list[dict[str, str]] | None]:
    """(header fields, line fields); lines are None when the element holds no lines container."""
    header: dict[str, str] = {}
    lines: list[dict[str, str]] | None = None
    for child in _children(obj_el):
        tag = child.tag.upper()
        if tag == definition.lines_container:
            lines = [_line_fields(line) for line in child if isinstance(line.tag, str)]
        elif len(child):
            header.update(_flatten(child, tag + "."))
        else:
            header[tag] = (child.text or "").strip()
    return header, lines


def _line_fields(line_el) -> dict[str, str]:
    fields: dict[str, str] = {}
    for child in line_el:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.upper()
        if len(child):
            fields.update(_flatten(child, tag + "."))
        else:
            fields[_LINE_ALIASES.get(tag, tag)] = (child.text or "").strip()
    return fields


# --- legacy creates --------------------------------------------------------------------------------
def _legacy_date(el, name: str) -> str:
    block = el.find(name)
    if block is None:
        return ""
    try:
        return format_date(date(int(block.findtext("year")), int(block.findtext("month")),
                                int(block.findtext("day"))))
    except (TypeError, ValueError):
        y, m, d = (block.findtext(p) or "" for p in ("year", "month", "day"))
        return f"{m}/{d}/{y}"


_LEGACY_LINE = {"glaccountno": "ACCOUNTNO", "amount": "AMOUNT", "memo": "ENTRYDESCRIPTION"}


def _legacy_document(el, mapping: dict[str, str], items: str, dates: dict[str, str]):
    header = {target: (el.findtext(source) or "").strip() for source, target in mapping.items()
              if el.find(source) is not None}
    for source, target in dates.items():
        value = _legacy_date(el, source)
        if value:
            header[target] = value
    lines = []
    for item in el.findall(f"{items}/lineitem"):
        line = {}
        for child in _children(item):
            if len(child):
                continue
            tag = child.tag.lower()
            line[_LEGACY_LINE.get(tag, tag.upper())] = (child.text or "").strip()
        lines.append(line)
    return header, lines


_INVOICE_FIELDS = {"customerid": "CUSTOMERID", "termname": "TERMNAME", "action": "ACTION",
                   "invoiceno": "RECORDID", "ponumber": "DOCNUMBER", "description": "DESCRIPTION",
                   "basecurr": "BASECURR", "currency": "CURRENCY", "supdocid": "SUPDOCID"}
_BILL_FIELDS = {"vendorid": "VENDORID", "termname": "TERMNAME", "action": "ACTION", "billno": "RECORDID",
                "ponumber": "DOCNUMBER", "description": "DESCRIPTION", "basecurr": "BASECURR",
                "currency": "CURRENCY", "supdocid": "SUPDOCID"}
_LEGACY_DATES = {"datecreated": "WHENCREATED", "dateposted": "WHENPOSTED", "datedue": "WHENDUE"}


def create_invoice(ctx: FunctionContext, el) -> Outcome:
    header, lines = _legacy_document(el, _INVOICE_FIELDS, "invoiceitems", _LEGACY_DATES)
    record = post_document(ctx, OBJECTS["ARINVOICE"], header, lines)
    return Outcome(element("key", record["RECORDNO"]), 1)


def create_bill(ctx: FunctionContext, el) -> Outcome:
    header, lines = _legacy_document(el, _BILL_FIELDS, "billitems", _LEGACY_DATES)
    record = post_document(ctx, OBJECTS["APBILL"], header, lines)
    return Outcome(element("key", record["RECORDNO"]), 1)


def _create_term(ctx: FunctionContext, el, object_name: str) -> Outcome:
    fields = {"NAME": (el.findtext("name") or "").strip(), "DESCRIPTION": (el.findtext("description") or "").strip(),
              "STATUS": (el.findtext("status") or "active").strip().lower(),
              "DUEDATE": (el.findtext("due/dueday") or "0").strip(), "DUEFROM": (el.findtext("due/duefrom") or "").strip(),
              "DISCDATE": (el.findtext("discount/discday") or "").strip(),
              "DISCFROM": (el.findtext("discount/discfrom") or "").strip(),
              "DISCAMOUNT": (el.findtext("discount/discamount") or "").strip(),
              "DISCPERCAMN": (el.findtext("discount/discpercamn") or "").strip()}
    record = create_master(ctx, OBJECTS[object_name], fields, data_xml="")
    return Outcome(element("key", record["NAME"]), 1)


def create_arterm(ctx: FunctionContext, el) -> Outcome:
    return _create_term(ctx, el, "ARTERM")


def create_apterm(ctx: FunctionContext, el) -> Outcome:
    return _create_term(ctx, el, "APTERM")


# --- update and delete -----------------------------------------------------------------------------
def update(ctx: FunctionContext, el) -> Outcome:
    updated = []
    for obj_el in _children(el):
        definition = _written_object(obj_el, messages.could_not_update)
        if definition.master:
            fields = _flatten(obj_el)
            record = _record_to_update(ctx, definition, fields)
            new_record = _update_master(ctx, definition, record, _known_fields(definition, fields))
        else:
            header, lines = _generic_document(definition, obj_el)
            record = _record_to_update(ctx, definition, header)
            new_record = update_document(ctx, definition, record, header, lines, EMPTY_OBJECTS)
        updated.append((definition, new_record))
    body = "".join(
        f"<{d.name.lower()}>{element('RECORDNO', r['RECORDNO'])}"
        f"{element(d.key, r.get(d.key, '')) if d.master else ''}</{d.name.lower()}>" for d, r in updated)
    return Outcome(f"<data{attrs(listtype='objects', count=len(updated))}>{body}</data>", len(updated))


def _record_to_update(ctx: FunctionContext, definition: ObjectDef, fields: dict[str, str]) -> dict[str, Any]:
    """The record an update addresses, by RECORDNO or else by its business id."""
    recordno = fields.get("RECORDNO", "")
    if recordno:
        record = ctx.store.get(ctx.company, definition.name, int(recordno)) if recordno.isdigit() else None
        key_field, key = "RECORDNO", recordno
    else:
        key_field, key = definition.key, fields.get(definition.key, "")
        record = ctx.store.find_by_key(ctx.company, definition.name, key) if key else None
    if record is None or not ctx.visible(record):
        raise _fail(messages.cannot_update_missing(definition.name, key_field, key),
                    messages.could_not_update(definition.label), EMPTY_OBJECTS)
    return record


def _update_master(ctx: FunctionContext, definition: ObjectDef, record: dict[str, Any],
                   changes: dict[str, str]) -> dict[str, Any]:
    generic = messages.could_not_update(definition.label)
    new_key = changes.get(definition.key)
    if new_key and new_key != record.get(definition.key):
        if ctx.store.find_by_key(ctx.company, definition.name, new_key) is not None:
            raise _fail(messages.duplicate_master(definition.label, new_key), generic, EMPTY_OBJECTS)
    if changes.get("STATUS", "active") not in ("active", "inactive"):
        raise _fail(messages.invalid_parameter("update", f"STATUS '{changes['STATUS']}' must be active or "
                                               "inactive"), generic, EMPTY_OBJECTS)
    new_record = {**record, **changes}
    advance_modified(new_record, ctx.now)
    return ctx.store.put(ctx.company, definition.name, new_record)


def delete(ctx: FunctionContext, el) -> Outcome:
    definition = find_object(el.findtext("object") or "")
    if definition is None:
        raise Failure([messages.object_not_found((el.findtext("object") or "").upper())])
    if definition.parent:
        raise Failure([messages.lines_through_document(definition.name, definition.parent)])
    if definition.read_only:
        raise Failure([messages.read_only_object(definition.name)])
    keys = [k.strip() for k in (el.findtext("keys") or "").split(",") if k.strip()]
    for key in keys:
        record = ctx.store.get(ctx.company, definition.name, int(key)) if key.isdigit() else None
        if record is None or not ctx.visible(record):
            raise Failure([messages.cannot_find_to_delete(definition.name, key)])
        if not definition.master:
            closed = ctx.closed_through(definition.module)
            posted_on = posting_date(definition, record)  # the date the period rule applies to, as on create
            if closed is not None and posted_on is not None and posted_on <= closed:
                raise Failure([messages.period_closed(format_date(posted_on)),
                               messages.GatewayError("BL01001973", "",
                                                     f"Could not delete {definition.label} record!")])
        ctx.store.delete(ctx.company, definition.name, int(key))
    return Outcome("", len(keys))
