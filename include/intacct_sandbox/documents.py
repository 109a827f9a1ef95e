"""Intacct's business rules for documents (AR invoices, AP bills, journal entries).

One set of rules serves both writes: a create stores a new document, an update of a
posted one re-checks the document as it will read afterwards (header sent over the
current one, sent lines replacing the current lines) and fails with the same errors
a create would, naming "Could not update ... record!" instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import LINE_REFERENCES, REQUIRED_DIMENSIONS, ObjectDef
from include.intacct_sandbox.context import Failure, FunctionContext
from include.intacct_sandbox.records import (
    advance_modified,
    format_date,
    format_timestamp,
    parse_date,
    round_amount,
    stamp_new_record,
)

INVALID_REFERENCE = {
    "LOCATION": messages.invalid_location, "CUSTOMER": messages.invalid_customer,
    "VENDOR": messages.invalid_vendor, "ITEM": messages.invalid_item,
    "DEPARTMENT": lambda v: messages.invalid_dimension("Department", v),
    "PROJECT": lambda v: messages.invalid_dimension("Project", v),
    "CLASS": lambda v: messages.invalid_dimension("Class", v),
    "EMPLOYEE": lambda v: messages.invalid_dimension("Employee", v),
}
# Header fields the sandbox computes; an update recomputes them instead of carrying them over.
# Fields the sandbox stamps on every record itself; a value sent for one is not taken.
_RECORD_METADATA = {"RECORDNO", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY", "RECORD_URL", "MEGAENTITYKEY",
                    "MEGAENTITYID", "MEGAENTITYNAME", "STATUS"}
_DERIVED_HEADER = {"TOTALENTERED", "TOTALDUE", "MODULEKEY", "AUWHENCREATED", "CUSTOMERNAME", "VENDORNAME",
                   "BATCHNO", "MODULE"}


@dataclass(frozen=True)
class _Write:
    """What differs between creating and updating a document."""

    function: str  # "create" | "update", as Intacct's parameter errors name the call
    generic: messages.GatewayError  # the "Could not create/update <label> record!" line
    data_xml: str
    current: dict[str, Any] | None = None  # the posted document an update changes

    def fail(self, error: messages.GatewayError) -> Failure:
        return Failure([error, self.generic], self.data_xml)


@dataclass
class _Checked:
    fields: dict[str, Any]  # the document's fields as stored, lines under _LINES
    entity: dict[str, Any] | None  # the entity the lines' locations belong to


def post_document(ctx: FunctionContext, definition: ObjectDef, header: dict[str, str],
                  lines: list[dict[str, str]], data_xml: str = "") -> dict[str, Any]:
    """Validate a new document against the company's rules and store it; Failure on the first broken rule."""
    write = _Write("create", messages.could_not_create(definition.label), data_xml)
    checked = _check_document(ctx, definition, header, lines, write)
    if definition.name != "GLBATCH":
        checked.fields["AUWHENCREATED"] = format_timestamp(ctx.now)
    record = stamp_new_record(ctx.store, ctx.company, definition.name, checked.fields, ctx.now,
                              ctx.entity or checked.entity)
    if definition.name == "GLBATCH":
        record["BATCHNO"] = record["RECORDNO"]
    return ctx.store.put(ctx.company, definition.name, record)


def update_document(ctx: FunctionContext, definition: ObjectDef, current: dict[str, Any], sent: dict[str, str],
                    lines: list[dict[str, str]] | None, data_xml: str = "") -> dict[str, Any]:
    """Apply an update to a posted document: the header fields sent, and the lines sent (``None``: none
    sent, the current lines stay). The result must pass the create rules; totals are recomputed."""
    write = _Write("update", messages.could_not_update(definition.label), data_xml, current)
    posted_on = posting_date(definition, current)
    closed = ctx.closed_through(definition.module)
    if closed is not None and posted_on is not None and posted_on <= closed:
        raise write.fail(messages.period_closed(format_date(posted_on)))
    checked = _check_document(ctx, definition, _header_after_update(definition, current, sent), lines, write)
    record = {**current, **checked.fields}
    advance_modified(record, ctx.now)
    return ctx.store.put(ctx.company, definition.name, record)


def posting_date(definition: ObjectDef, record: dict[str, Any]) -> date | None:
    if definition.name == "GLBATCH":
        return parse_date(record.get(definition.date_field, ""))
    return parse_date(record.get("WHENPOSTED") or record.get(definition.date_field, ""))


def _header_after_update(definition: ObjectDef, current: dict[str, Any], sent: dict[str, str]) -> dict[str, str]:
    """The document's header as it reads after the update: the fields sent over the current ones."""
    header = {name: value for name, value in current.items()
              if (name in definition.all_fields or name.startswith("GLDIM")) and name not in _DERIVED_HEADER
              and name not in _RECORD_METADATA}
    redated = definition.date_field in sent
    if redated and "WHENPOSTED" not in sent:
        header.pop("WHENPOSTED", None)  # the posting date follows the document date, as on create
    term_after = sent.get("TERMNAME", header.get("TERMNAME", ""))
    if (redated or "TERMNAME" in sent) and "WHENDUE" not in sent and term_after:
        header.pop("WHENDUE", None)  # the term gives the due date again
    header.update(sent)
    return header


def _party(definition: ObjectDef) -> tuple[str, str, str]:
    """(party field, party object, term object) of a subledger document."""
    if definition.name == "ARINVOICE":
        return "CUSTOMERID", "CUSTOMER", "ARTERM"
    return "VENDORID", "VENDOR", "APTERM"


def _check_document(ctx: FunctionContext, definition: ObjectDef, header: dict[str, str],
                    lines: list[dict[str, str]] | None, write: _Write) -> _Checked:
    """The document's stored fields if it passes every rule; Failure on the first broken one."""
    gl = definition.name == "GLBATCH"
    record_fields: dict[str, Any] = {}
    date_field = definition.date_field
    doc_date_text = header.get(date_field, "")
    if not doc_date_text:
        raise write.fail(messages.required_field(definition.label, date_field))
    doc_date = parse_date(doc_date_text)
    if doc_date is None:
        raise write.fail(messages.invalid_date(date_field, doc_date_text))
    posting_date = doc_date
    if not gl and header.get("WHENPOSTED"):
        posting_date = parse_date(header["WHENPOSTED"])
        if posting_date is None:
            raise write.fail(messages.invalid_date("WHENPOSTED", header["WHENPOSTED"]))
    draft = header.get("ACTION", "").lower() == "draft" or header.get("STATE", "").lower() == "draft"

    if gl:
        journal = header.get("JOURNAL", "")
        if not journal or ctx.find_active("GLJOURNAL", journal) is None:
            raise write.fail(messages.invalid_journal(journal))
        if not header.get("BATCH_TITLE"):
            raise write.fail(messages.required_field(definition.label, "BATCH_TITLE"))
    else:
        record_fields.update(_check_party_and_due_date(ctx, definition, header, doc_date, draft, write))

    closed = ctx.closed_through(definition.module)
    if closed is not None and posting_date <= closed:
        raise write.fail(messages.period_closed(format_date(posting_date)))

    number = header.get("RECORDID", "")
    if number and not gl:
        holder = ctx.store.find_by_key(ctx.company, definition.name, number)
        if holder is not None and (write.current is None or holder["RECORDNO"] != write.current["RECORDNO"]):
            raise write.fail(messages.DUPLICATE_DOCUMENT_NUMBER)

    if lines is None and write.current is not None:  # an update without lines keeps the current ones
        stored_lines, entity = list(write.current.get("_LINES", [])), None
    else:
        stored_lines, entity = _check_lines(ctx, definition, lines or [], write)
    total = sum((Decimal(line["AMOUNT"]) for line in stored_lines), Decimal("0.00"))

    for name, value in header.items():
        # Every standard header field sent is kept (ONHOLD, PAYMENTPRIORITY...), as a tenant keeps it.
        # What the rules computed (the due date as MM/DD/YYYY, the party's name) wins over the text sent.
        if (name in definition.all_fields or name.startswith("GLDIM")) and name not in _RECORD_METADATA:
            record_fields.setdefault(name, value)
    record_fields.pop("RECORDNO", None)
    record_fields[date_field] = format_date(doc_date)
    if not gl:
        record_fields["WHENPOSTED"] = format_date(posting_date)
        record_fields["TOTALENTERED"] = record_fields["TOTALDUE"] = str(total)
        record_fields["MODULEKEY"] = "4.AR" if definition.name == "ARINVOICE" else "3.AP"
        record_fields.setdefault("CURRENCY", "USD")
        record_fields.setdefault("BASECURR", "USD")
    else:
        record_fields["MODULE"] = "2.GL"
    record_fields["STATE"] = "Draft" if draft else "Posted"
    record_fields["_LINES"] = stored_lines
    return _Checked(record_fields, entity)


def _check_party_and_due_date(ctx: FunctionContext, definition: ObjectDef, header: dict[str, str], doc_date: date,
                              draft: bool, write: _Write) -> dict[str, str]:
    """The customer or vendor must be active; a term (active) or a due date is required unless a draft."""
    party_field, party_object, term_object = _party(definition)
    party_id = header.get(party_field, "")
    party = ctx.find_active(party_object, party_id) if party_id else None
    if party is None:
        raise write.fail(INVALID_REFERENCE[party_object](party_id))
    term_name = header.get("TERMNAME", "")
    due = parse_date(header.get("WHENDUE", "")) if header.get("WHENDUE") else None
    if header.get("WHENDUE") and due is None:
        raise write.fail(messages.invalid_date("WHENDUE", header["WHENDUE"]))
    if term_name:
        term = ctx.find_active(term_object, term_name)
        if term is None:
            raise write.fail(messages.SEQUENCE_NOT_RETRIEVED)
        if due is None:
            due = doc_date + timedelta(days=int(term.get("DUEDATE") or 0))
    elif due is None and not draft:
        raise write.fail(messages.term_or_due_date_required())
    return {f"{party_object}NAME": party.get("NAME", ""), "WHENDUE": format_date(due) if due else ""}


def _check_lines(ctx: FunctionContext, definition: ObjectDef, lines: list[dict[str, str]], write: _Write):
    """(the lines as stored, the entity of their locations); Failure on the first broken line or an
    unbalanced journal entry."""
    gl = definition.name == "GLBATCH"
    if not lines:
        raise write.fail(messages.TOO_FEW_ENTRIES if gl else messages.NO_LINES)
    if gl and len(lines) < 2:
        raise write.fail(messages.TOO_FEW_ENTRIES)
    # Lines must stay in the document's entity (an entity-level session's, or the posted document's).
    entity_id = (write.current or {}).get("MEGAENTITYID") or (ctx.entity or {}).get("LOCATIONID")
    stored_lines, debits, credits, entity = [], Decimal("0.00"), Decimal("0.00"), None
    for number_in_doc, line in enumerate(lines, start=1):
        error, stored, line_entity = check_line(ctx, definition, number_in_doc, line, function=write.function,
                                                entity_id=entity_id)
        if error is not None:
            raise write.fail(error)
        entity = entity or line_entity
        if gl and stored["TR_TYPE"] == "1":
            debits += Decimal(stored["AMOUNT"])
        elif gl:
            credits += Decimal(stored["AMOUNT"])
        stored_lines.append(stored)
    if gl and debits != credits:
        raise write.fail(messages.DEBITS_CREDITS_NOT_EQUAL)
    return stored_lines, entity


def check_line(ctx: FunctionContext, definition: ObjectDef, number: int, line: dict[str, str], *,
               function: str = "create", entity_id: str | None = None):
    """(first error or None, the line as stored, the entity its location belongs to).

    ``entity_id``: the entity every location must belong to (multi-entity companies), if one is fixed."""
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
            return messages.invalid_parameter(function, f"TR_TYPE '{tr_type}' on line {number} must be 1 or -1"), \
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
                return INVALID_REFERENCE[obj](value), None, None
            if obj == "LOCATION":
                has_location = True
                if ctx.multi_entity:
                    location_entity = record.get("ENTITY", "")
                    if entity_id is not None and location_entity != entity_id:
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
