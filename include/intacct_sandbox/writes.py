"""The write functions: generic create/update/delete, legacy create_invoice, create_bill,
create_arterm and create_apterm, with Intacct's business rules for documents."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import (
    LINE_REFERENCES,
    OBJECTS,
    REQUIRED_DIMENSIONS,
    ObjectDef,
    find_object,
)
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.records import (
    advance_modified,
    format_date,
    format_timestamp,
    parse_date,
    round_amount,
    stamp_new_record,
)
from include.intacct_sandbox.xmlout import attrs, element

EMPTY_OBJECTS = '<data listtype="objects" count="0"/>'
_LINE_ALIASES = {"GLACCOUNTNO": "ACCOUNTNO", "MEMO": "ENTRYDESCRIPTION"}
_INVALID_REFERENCE = {
    "LOCATION": messages.invalid_location, "CUSTOMER": messages.invalid_customer,
    "VENDOR": messages.invalid_vendor, "ITEM": messages.invalid_item,
    "DEPARTMENT": lambda v: messages.invalid_dimension("Department", v),
    "PROJECT": lambda v: messages.invalid_dimension("Project", v),
    "CLASS": lambda v: messages.invalid_dimension("Class", v),
    "EMPLOYEE": lambda v: messages.invalid_dimension("Employee", v),
}


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


# --- generic create --------------------------------------------------------------------------------
def create(ctx: FunctionContext, el) -> Outcome:
    created = []
    for obj_el in _children(el):
        definition = find_object(obj_el.tag)
        if definition is None:
            raise Failure([messages.object_not_found(obj_el.tag.upper())], EMPTY_OBJECTS)
        if definition.parent:
            raise Failure([messages.lines_through_document(definition.name, definition.parent),
                           messages.could_not_create(definition.label)], EMPTY_OBJECTS)
        if definition.master:
            record = create_master(ctx, definition, _known_fields(definition, _flatten(obj_el)))
        else:
            header, lines = _generic_document(definition, obj_el)
            record = post_document(ctx, definition, header, lines, EMPTY_OBJECTS)
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
def _generic_document(definition: ObjectDef, obj_el) -> tuple[dict[str, str], list[dict[str, str]]]:
    header: dict[str, str] = {}
    lines: list[dict[str, str]] = []
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


def _party(definition: ObjectDef) -> tuple[str, str, str]:
    """(party field, party object, term object) of a subledger document."""
    if definition.name == "ARINVOICE":
        return "CUSTOMERID", "CUSTOMER", "ARTERM"
    return "VENDORID", "VENDOR", "APTERM"


def post_document(ctx: FunctionContext, definition: ObjectDef, header: dict[str, str],
                  lines: list[dict[str, str]], data_xml: str = "") -> dict[str, Any]:
    """Validate a document against the company's rules and store it; Failure on the first broken rule."""
    generic = messages.could_not_create(definition.label)

    def fail(error: messages.GatewayError) -> Failure:
        return _fail(error, generic, data_xml)

    gl = definition.name == "GLBATCH"
    record_fields: dict[str, Any] = {}
    date_field = definition.date_field
    doc_date_text = header.get(date_field, "")
    if not doc_date_text:
        raise fail(messages.required_field(definition.label, date_field))
    doc_date = parse_date(doc_date_text)
    if doc_date is None:
        raise fail(messages.invalid_date(date_field, doc_date_text))
    posting_date = doc_date
    if not gl and header.get("WHENPOSTED"):
        posting_date = parse_date(header["WHENPOSTED"])
        if posting_date is None:
            raise fail(messages.invalid_date("WHENPOSTED", header["WHENPOSTED"]))
    draft = header.get("ACTION", "").lower() == "draft" or header.get("STATE", "").lower() == "draft"

    if gl:
        journal = header.get("JOURNAL", "")
        if not journal or ctx.find_active("GLJOURNAL", journal) is None:
            raise fail(messages.invalid_journal(journal))
        if not header.get("BATCH_TITLE"):
            raise fail(messages.required_field(definition.label, "BATCH_TITLE"))
    else:
        party_field, party_object, term_object = _party(definition)
        party_id = header.get(party_field, "")
        party = ctx.find_active(party_object, party_id) if party_id else None
        if party is None:
            raise fail(_INVALID_REFERENCE[party_object](party_id))
        record_fields[f"{party_object}NAME"] = party.get("NAME", "")
        term_name = header.get("TERMNAME", "")
        due = parse_date(header.get("WHENDUE", "")) if header.get("WHENDUE") else None
        if header.get("WHENDUE") and due is None:
            raise fail(messages.invalid_date("WHENDUE", header["WHENDUE"]))
        if term_name:
            term = ctx.find_active(term_object, term_name)
            if term is None:
                raise fail(messages.SEQUENCE_NOT_RETRIEVED)
            if due is None:
                due = doc_date + timedelta(days=int(term.get("DUEDATE") or 0))
        elif due is None and not draft:
            raise fail(messages.term_or_due_date_required())
        record_fields["WHENDUE"] = format_date(due) if due else ""

    closed = ctx.closed_through(definition.module)
    if closed is not None and posting_date <= closed:
        raise fail(messages.period_closed(format_date(posting_date)))

    number = header.get("RECORDID", "")
    if number and not gl and ctx.store.find_by_key(ctx.company, definition.name, number) is not None:
        raise fail(messages.DUPLICATE_DOCUMENT_NUMBER)

    if not lines:
        raise fail(messages.TOO_FEW_ENTRIES if gl else messages.NO_LINES)
    if gl and len(lines) < 2:
        raise fail(messages.TOO_FEW_ENTRIES)
    stored_lines, total, debits, credits = [], Decimal("0.00"), Decimal("0.00"), Decimal("0.00")
    entity = ctx.entity
    for number_in_doc, line in enumerate(lines, start=1):
        error, stored, line_entity = _check_line(ctx, definition, number_in_doc, line)
        if error is not None:
            raise fail(error)
        entity = entity or line_entity
        amount = Decimal(stored["AMOUNT"])
        if gl:
            if stored.get("TR_TYPE") == "1":
                debits += amount
            else:
                credits += amount
        total += amount
        stored_lines.append(stored)
    if gl and debits != credits:
        raise fail(messages.DEBITS_CREDITS_NOT_EQUAL)

    for name, value in header.items():
        if name in definition.fields or name.startswith("GLDIM"):
            record_fields[name] = value
    record_fields.pop("RECORDNO", None)
    record_fields[date_field] = format_date(doc_date)
    if not gl:
        record_fields["WHENPOSTED"] = format_date(posting_date)
        record_fields["TOTALENTERED"] = record_fields["TOTALDUE"] = str(total)
        record_fields["MODULEKEY"] = "4.AR" if definition.name == "ARINVOICE" else "3.AP"
        record_fields.setdefault("CURRENCY", "USD")
        record_fields.setdefault("BASECURR", "USD")
        record_fields["AUWHENCREATED"] = format_timestamp(ctx.now)
    else:
        record_fields["MODULE"] = "2.GL"
    record_fields["STATE"] = "Draft" if draft else "Posted"
    record_fields["_LINES"] = stored_lines
    record = stamp_new_record(ctx.store, ctx.company, definition.name, record_fields, ctx.now, entity)
    if gl:
        record["BATCHNO"] = record["RECORDNO"]
    return ctx.store.put(ctx.company, definition.name, record)


def _check_line(ctx: FunctionContext, definition: ObjectDef, number: int, line: dict[str, str]):
    """(first error or None, the line as stored, the entity its location belongs to)."""
    gl = definition.name == "GLBATCH"
    account_no = line.get("ACCOUNTNO", "")
    if not account_no:
        return messages.line_without_account(number), None, None
    account = ctx.find_active("GLACCOUNT", account_no)
    if account is None:
        return messages.invalid_account(account_no), None, None
    amount_text = line.get("TRX_AMOUNT") or line.get("AMOUNT") or ""
    if not amount_text:
        return messages.line_without_amount(number), None, None
    amount = round_amount(amount_text)
    if amount is None:
        return messages.invalid_amount("AMOUNT", amount_text), None, None
    stored = {k: v for k, v in line.items() if v != "" and k not in ("TRX_AMOUNT",)}
    stored["LINE_NO"] = str(number)
    stored["AMOUNT"] = str(amount)
    if gl:
        tr_type = line.get("TR_TYPE", "").strip()
        if tr_type not in ("1", "-1"):
            return messages.invalid_parameter("create", f"TR_TYPE '{tr_type}' on line {number} must be 1 or -1"), \
                None, None
        stored["TR_TYPE"] = tr_type
        stored["TRX_AMOUNT"] = str(amount)
    line_entity = None
    has_location = False
    udds = None
    for field_name, value in line.items():
        if not value:
            continue
        obj = LINE_REFERENCES.get(field_name)
        if obj is not None:
            record = ctx.find_active(obj, value)
            if record is None:
                return _INVALID_REFERENCE[obj](value), None, None
            if obj == "LOCATION":
                has_location = True
                if ctx.multi_entity:
                    location_entity = record.get("ENTITY", "")
                    if ctx.entity is not None and location_entity != ctx.entity["LOCATIONID"]:
                        return messages.invalid_location(value), None, None
                    line_entity = ctx.find("LOCATIONENTITY", location_entity)
        elif field_name.startswith("GLDIM"):
            udds = udds if udds is not None else ctx.udds()
            name = field_name[5:]
            udd = udds.get(name)
            if udd is None or udd["status"] != "active" or not udd["permitted"]:
                return messages.udd_unavailable(name), None, None
            if ctx.find_active(name, value) is None:
                return messages.invalid_udd_value(udd["label"], value), None, None
    if line.get("TASKID") and not line.get("PROJECTID"):
        return messages.task_requires_project(line["TASKID"]), None, None
    if ctx.multi_entity and not has_location:
        return messages.location_required_multi_entity(), None, None
    for flag, label, satisfying in REQUIRED_DIMENSIONS:
        if account.get(flag) == "true":
            for f in satisfying:
                if line.get(f):
                    break
            else:
                return messages.missing_dimension(label, account_no), None, None
    return None, stored, line_entity


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
_DOCUMENT_UPDATABLE = {"DESCRIPTION", "SUPDOCID", "DOCNUMBER", "REFERENCENO"}


def update(ctx: FunctionContext, el) -> Outcome:
    updated = []
    for obj_el in _children(el):
        definition = find_object(obj_el.tag)
        if definition is None:
            raise Failure([messages.object_not_found(obj_el.tag.upper())], EMPTY_OBJECTS)
        if definition.parent:
            raise Failure([messages.lines_through_document(definition.name, definition.parent),
                           messages.could_not_update(definition.label)], EMPTY_OBJECTS)
        fields = _flatten(obj_el)
        generic = messages.could_not_update(definition.label)
        recordno = fields.get("RECORDNO", "")
        if recordno:
            record = ctx.store.get(ctx.company, definition.name, int(recordno)) if recordno.isdigit() else None
            key_field, key = "RECORDNO", recordno
        else:
            key_field, key = definition.key, fields.get(definition.key, "")
            record = ctx.store.find_by_key(ctx.company, definition.name, key) if key else None
        if record is None or not ctx.visible(record):
            raise _fail(messages.cannot_update_missing(definition.name, key_field, key), generic, EMPTY_OBJECTS)
        changes = _known_fields(definition, fields)
        if not definition.master:
            closed = ctx.closed_through(definition.module)
            doc_date = parse_date(record.get(definition.date_field, ""))
            if closed is not None and doc_date is not None and doc_date <= closed:
                raise _fail(messages.period_closed(format_date(doc_date)), generic, EMPTY_OBJECTS)
            changes = {k: v for k, v in changes.items() if k in _DOCUMENT_UPDATABLE or k.startswith("GLDIM")}
        new_key = changes.get(definition.key)
        if definition.master and new_key and new_key != record.get(definition.key):
            if ctx.store.find_by_key(ctx.company, definition.name, new_key) is not None:
                raise _fail(messages.duplicate_master(definition.label, new_key), generic, EMPTY_OBJECTS)
        if changes.get("STATUS", "active") not in ("active", "inactive"):
            raise _fail(messages.invalid_parameter("update", f"STATUS '{changes['STATUS']}' must be active or "
                                                   "inactive"), generic, EMPTY_OBJECTS)
        new_record = {**record, **changes}
        advance_modified(new_record, ctx.now)
        ctx.store.put(ctx.company, definition.name, new_record)
        updated.append((definition, new_record))
    body = "".join(
        f"<{d.name.lower()}>{element('RECORDNO', r['RECORDNO'])}"
        f"{element(d.key, r.get(d.key, '')) if d.master else ''}</{d.name.lower()}>" for d, r in updated)
    return Outcome(f"<data{attrs(listtype='objects', count=len(updated))}>{body}</data>", len(updated))


def delete(ctx: FunctionContext, el) -> Outcome:
    definition = find_object(el.findtext("object") or "")
    if definition is None:
        raise Failure([messages.object_not_found((el.findtext("object") or "").upper())])
    if definition.parent:
        raise Failure([messages.lines_through_document(definition.name, definition.parent)])
    keys = [k.strip() for k in (el.findtext("keys") or "").split(",") if k.strip()]
    for key in keys:
        record = ctx.store.get(ctx.company, definition.name, int(key)) if key.isdigit() else None
        if record is None or not ctx.visible(record):
            raise Failure([messages.cannot_find_to_delete(definition.name, key)])
        if not definition.master:
            closed = ctx.closed_through(definition.module)
            doc_date = parse_date(record.get(definition.date_field, ""))
            if closed is not None and doc_date is not None and doc_date <= closed:
                raise Failure([messages.period_closed(format_date(doc_date)),
                               messages.GatewayError("BL01001973", "",
                                                     f"Could not delete {definition.label} record!")])
        ctx.store.delete(ctx.company, definition.name, int(key))
    return Outcome("", len(keys))
