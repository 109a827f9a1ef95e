"""Intacct write payloads for validated ERP documents, one builder per document type.

A payload is data: the function name, the object, the fields as nested dicts
(dict -> child elements in order, list -> repeated element, None -> omitted), and
the deterministic controlid that makes the create safe to resend under
``uniqueid=true``. ``include.pipeline.functions`` turns payloads into the
client's function objects.

* AR invoice -> legacy ``create_invoice`` (the documented way to create invoices);
  user-defined dimensions as ``GLDIM<NAME>`` line elements.
* AP bill -> generic ``create`` APBILL; UDDs as ``GLDIM<NAME>`` line fields.
* Journal entry -> generic ``create`` GLBATCH; ``TR_TYPE`` 1 = debit, -1 = credit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from include.erp.documents import SourceDocument
from include.intacct.functions import MAX_CONTROLID_LENGTH


class PayloadError(ValueError):
    """A document cannot be turned into a payload; the message names document, line and field."""


@dataclass(frozen=True)
class Payload:
    doc_type: str
    key: str
    source_version: str
    function: str  # "create_invoice" | "create" | "update"
    object_name: str  # ARINVOICE | APBILL | GLBATCH
    fields: dict[str, Any]
    controlid: str

    @property
    def document_number(self) -> str:
        return self.key


def controlid_for(doc_type: str, key: str, source_version: str) -> str:
    """The same document version always gets the same controlid, so a resend is recognised."""
    controlid = f"{doc_type}:{key}:{source_version}"
    if len(controlid) > MAX_CONTROLID_LENGTH:
        raise PayloadError(f"{doc_type} {key!r}: document number too long for a controlid "
                           f"({len(controlid)} > {MAX_CONTROLID_LENGTH} characters)")
    return controlid


def document_total(document: SourceDocument) -> Decimal | None:
    """The document's amount for the ledger and the reconciliation (JE: total debits)."""
    column = "debit" if document.doc_type == "journal_entry" else "amount"
    values = [line.get(column) for line in document.lines]
    if not values or any(v is not None and not isinstance(v, Decimal | int) for v in values):
        return None
    return sum((Decimal(v) for v in values if v is not None), Decimal("0"))


def _required(document: SourceDocument, field: str, line: dict[str, Any] | None = None) -> Any:
    source = document.header if line is None else line
    value = source.get(field)
    if value in (None, ""):
        where = f"line {line.get('line_no')}, " if line is not None else ""
        raise PayloadError(f"{document.doc_type} {document.key!r} {where}field {field}: required for Intacct, missing")
    return value


def _udds(line: dict[str, Any]) -> dict[str, str]:
    dimensions = line.get("dimensions") or {}
    return {f"GLDIM{str(name).upper()}": str(value) for name, value in dimensions.items() if value not in (None, "")}


def _lines(document: SourceDocument) -> list[dict[str, Any]]:
    if not document.lines:
        raise PayloadError(f"{document.doc_type} {document.key!r}: no lines")
    return sorted(document.lines, key=lambda line: line.get("line_no") or 0)


def ar_invoice_payload(document: SourceDocument) -> Payload:
    header = document.header
    items = []
    for line in _lines(document):
        item = {
            "glaccountno": _required(document, "account_no", line),
            "amount": _required(document, "amount", line),
            "memo": line.get("memo") or None,
            "locationid": line.get("location_id") or None,
            "departmentid": line.get("department_id") or None,
            "projectid": line.get("project_id") or None,
            "itemid": line.get("item_id") or None,
            "classid": line.get("class_id") or None,
        }
        # GLDIM<NAME> elements on the line: the form the sandbox accepts and stores for create_invoice
        # (it ignores nested <customfields>); see docs/pipeline/transactions.md.
        item.update(_udds(line))
        items.append(item)
    fields = {
        "customerid": _required(document, "customer_id"),
        "datecreated": _required(document, "invoice_date"),
        "dateposted": header.get("invoice_date"),
        "datedue": header.get("due_date"),
        "termname": header.get("term_name") or None,
        "invoiceno": document.key,
        "description": header.get("description") or None,
        "currency": header.get("currency") or None,
        "invoiceitems": {"lineitem": items},
    }
    return _payload(document, "create_invoice", "ARINVOICE", fields)


def ap_bill_payload(document: SourceDocument) -> Payload:
    header = document.header
    items = []
    for line in _lines(document):
        items.append({
            "ACCOUNTNO": _required(document, "account_no", line),
            "TRX_AMOUNT": _required(document, "amount", line),
            "ENTRYDESCRIPTION": line.get("memo") or None,
            "LOCATIONID": line.get("location_id") or None,
            "DEPARTMENTID": line.get("department_id") or None,
            "PROJECTID": line.get("project_id") or None,
            "ITEMID": line.get("item_id") or None,
            "CLASSID": line.get("class_id") or None,
            **_udds(line),
        })
    fields = {
        "RECORDID": document.key,
        "VENDORID": _required(document, "vendor_id"),
        "WHENCREATED": _required(document, "bill_date"),
        "WHENPOSTED": header.get("bill_date"),
        "WHENDUE": header.get("due_date"),
        "TERMNAME": header.get("term_name") or None,
        "DESCRIPTION": header.get("description") or None,
        "CURRENCY": header.get("currency") or None,
        "APBILLITEMS": {"APBILLITEM": items},
    }
    return _payload(document, "create", "APBILL", fields)


def journal_entry_payload(document: SourceDocument) -> Payload:
    header = document.header
    entries = []
    for line in _lines(document):
        debit, credit = line.get("debit"), line.get("credit")
        if debit not in (None, 0) and credit not in (None, 0):
            raise PayloadError(f"journal_entry {document.key!r} line {line.get('line_no')}, field debit/credit: "
                               "both are set; a line is either a debit or a credit")
        is_debit = debit not in (None, 0)
        amount = debit if is_debit else credit
        if amount in (None, 0):
            raise PayloadError(f"journal_entry {document.key!r} line {line.get('line_no')}, field debit/credit: "
                               "neither is set")
        entries.append({
            "ACCOUNTNO": _required(document, "account_no", line),
            "TR_TYPE": 1 if is_debit else -1,
            "TRX_AMOUNT": amount,
            "DESCRIPTION": line.get("memo") or None,
            "DEPARTMENT": line.get("department_id") or None,
            "LOCATION": line.get("location_id") or None,
            "PROJECTID": line.get("project_id") or None,
            "CLASSID": line.get("class_id") or None,
            **_udds(line),
        })
    fields = {
        "JOURNAL": _required(document, "journal"),
        "BATCH_DATE": _required(document, "entry_date"),
        "BATCH_TITLE": header.get("title") or document.key,
        "REFERENCENO": document.key,
        "REVERSEDATE": header.get("reverse_date"),
        "ENTRIES": {"GLENTRY": entries},
    }
    return _payload(document, "create", "GLBATCH", fields)


def _payload(document: SourceDocument, function: str, object_name: str, fields: dict[str, Any]) -> Payload:
    version = document.source_version
    return Payload(document.doc_type, document.key, version, function, object_name, fields,
                   controlid_for(document.doc_type, document.key, version))


BUILDERS: dict[str, Callable[[SourceDocument], Payload]] = {
    "ar_invoice": ar_invoice_payload,
    "ap_bill": ap_bill_payload,
    "journal_entry": journal_entry_payload,
}

# How to find a posted document in Intacct by its ERP number: object and field.
DOCUMENT_NUMBER_FIELDS: dict[str, tuple[str, str]] = {
    "ar_invoice": ("ARINVOICE", "RECORDID"),
    "ap_bill": ("APBILL", "RECORDID"),
    "journal_entry": ("GLBATCH", "REFERENCENO"),
}


def build_payload(document: SourceDocument) -> Payload:
    try:
        builder = BUILDERS[document.doc_type]
    except KeyError:
        raise PayloadError(f"{document.key!r}: no payload builder for document type {document.doc_type!r}") from None
    return builder(document)


def update_payload(document: SourceDocument, record_no: str) -> Payload:
    """A generic ``update`` of the document already in Intacct (RECORDNO ``record_no``) to this version.

    AP bills and journal entries update with their create fields; an AR invoice, created with the
    legacy function, updates through the generic ARINVOICE object (its fields named like APBILL's)."""
    if document.doc_type == "ar_invoice":
        header = document.header
        bill_like = ap_bill_payload(replace(document, doc_type="ap_bill", header={
            **header, "bill_no": document.key, "vendor_id": header.get("customer_id"),
            "bill_date": header.get("invoice_date")}))
        fields = {("CUSTOMERID" if k == "VENDORID" else k): v for k, v in bill_like.fields.items()}
        fields["ARINVOICEITEMS"] = {"ARINVOICEITEM": fields.pop("APBILLITEMS")["APBILLITEM"]}
        object_name = "ARINVOICE"
    else:
        created = build_payload(document)
        fields, object_name = dict(created.fields), created.object_name
    return _payload(document, "update", object_name, {"RECORDNO": record_no, **fields})


def to_function(payload: Payload):
    """The client's function object for a payload, with the lookup that finds it by number."""
    from include.intacct.functions import Create, CreateInvoice, DocumentLookup, Update

    if payload.function == "update":
        # No lookup: the record exists whether or not this update landed; resending it is harmless.
        return Update({payload.object_name: payload.fields}, payload.controlid)
    object_name, number_field = DOCUMENT_NUMBER_FIELDS[payload.doc_type]
    lookup = DocumentLookup(object_name, number_field, payload.document_number)
    if payload.function == "create_invoice":
        return CreateInvoice(payload.fields, payload.controlid, lookup)
    return Create({payload.object_name: payload.fields}, payload.controlid, lookup)
