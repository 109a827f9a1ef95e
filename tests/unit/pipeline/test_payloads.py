from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from include.erp.documents import SourceDocument
from include.pipeline.payloads import PayloadError, build_payload, document_total, to_function

STAMP = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _invoice():
    return SourceDocument("ar_invoice", "INV-1", {
        "invoice_no": "INV-1", "customer_id": "C-1001", "invoice_date": date(2026, 11, 3),
        "due_date": date(2026, 12, 3), "term_name": "N30", "currency": "USD", "description": "Pumps & valves",
        "entity_id": None, "updated_at": STAMP,
    }, [
        {"invoice_no": "INV-1", "line_no": 2, "account_no": "4100", "amount": Decimal("10.50"), "memo": "svc",
         "item_id": None, "department_id": None, "location_id": "100", "class_id": None, "project_id": "P-1001",
         "dimensions": {"REGION": "10001"}},
        {"invoice_no": "INV-1", "line_no": 1, "account_no": "4000", "amount": Decimal("100.00"), "memo": None,
         "item_id": "I-3001", "department_id": "SALES", "location_id": None, "class_id": "RETAIL",
         "project_id": None, "dimensions": {}},
    ])


def _journal_entry():
    return SourceDocument("journal_entry", "JE-7", {
        "je_no": "JE-7", "journal": "GJ", "entry_date": date(2026, 11, 4), "title": "Accrual",
        "entity_id": None, "reverse_date": None, "updated_at": STAMP,
    }, [
        {"je_no": "JE-7", "line_no": 1, "account_no": "6000", "debit": Decimal("25.00"), "credit": None,
         "memo": "wages", "department_id": "OPS", "location_id": None, "class_id": None, "project_id": None,
         "dimensions": {"REGION": "10002"}},
        {"je_no": "JE-7", "line_no": 2, "account_no": "2100", "debit": None,
         "credit": Decimal("25.00"), "memo": None, "department_id": None, "location_id": None,
         "class_id": None, "project_id": None, "dimensions": {}},
    ])


def test_ar_invoice_becomes_create_invoice_with_lines_in_order_and_udds_as_gldim_elements():
    payload = build_payload(_invoice())
    assert (payload.function, payload.object_name) == ("create_invoice", "ARINVOICE")
    assert payload.controlid == f"ar_invoice:INV-1:{_invoice().source_version}"
    items = payload.fields["invoiceitems"]["lineitem"]
    assert [i["glaccountno"] for i in items] == ["4000", "4100"]
    assert items[1]["GLDIMREGION"] == "10001" and "GLDIMREGION" not in items[0]
    assert items[0]["departmentid"] == "SALES" and items[0]["memo"] is None


def test_ar_invoice_function_writes_legacy_dates_and_escapes_text():
    function = to_function(build_payload(_invoice()))
    element = etree.Element("function")
    function.write(element)
    xml = etree.tostring(element, encoding="unicode")
    assert "<datecreated><year>2026</year><month>11</month><day>03</day></datecreated>" in xml
    assert "<description>Pumps &amp; valves</description>" in xml
    assert function.lookup.object_name == "ARINVOICE" and function.lookup.value == "INV-1"


def test_ap_bill_becomes_generic_create_apbill_with_recordid_and_gldim_fields():
    bill = _invoice()
    bill = SourceDocument("ap_bill", "B-9", {**{k: v for k, v in bill.header.items() if k != "invoice_no"},
                                             "bill_no": "B-9", "vendor_id": "V-2001", "bill_date": date(2026, 11, 3)},
                          bill.lines)
    payload = build_payload(bill)
    assert (payload.function, payload.object_name) == ("create", "APBILL")
    assert payload.fields["RECORDID"] == "B-9" and payload.fields["VENDORID"] == "V-2001"
    lines = payload.fields["APBILLITEMS"]["APBILLITEM"]
    assert lines[1]["GLDIMREGION"] == "10001" and lines[1]["TRX_AMOUNT"] == Decimal("10.50")
    element = etree.Element("function")
    to_function(payload).write(element)
    assert etree.tostring(element).count(b"<APBILLITEM>") == 2


def test_journal_entry_becomes_glbatch_with_debit_and_credit_types():
    payload = build_payload(_journal_entry())
    entries = payload.fields["ENTRIES"]["GLENTRY"]
    assert [(e["ACCOUNTNO"], e["TR_TYPE"], e["TRX_AMOUNT"]) for e in entries] == [
        ("6000", 1, Decimal("25.00")), ("2100", -1, Decimal("25.00"))]
    assert entries[0]["DEPARTMENT"] == "OPS" and entries[0]["GLDIMREGION"] == "10002"
    assert payload.fields["REFERENCENO"] == "JE-7" and payload.fields["BATCH_TITLE"] == "Accrual"
    assert document_total(_journal_entry()) == Decimal("25.00")


def test_line_that_is_both_debit_and_credit_is_refused_naming_document_and_line():
    document = _journal_entry()
    document.lines[1]["debit"] = Decimal("3.00")
    with pytest.raises(PayloadError, match=r"journal_entry 'JE-7' line 2, field debit/credit"):
        build_payload(document)


def test_missing_required_value_is_refused_naming_the_field():
    document = _invoice()
    document.lines[0]["account_no"] = None
    with pytest.raises(PayloadError, match=r"ar_invoice 'INV-1' line 2, field account_no"):
        build_payload(document)


def test_same_document_version_always_gets_the_same_controlid_and_a_new_version_a_new_one():
    first, second = build_payload(_invoice()), build_payload(_invoice())
    assert first.controlid == second.controlid
    changed = _invoice()
    changed.lines[0]["amount"] = Decimal("11.50")
    assert build_payload(changed).controlid != first.controlid


def test_document_total_sums_line_amounts():
    assert document_total(_invoice()) == Decimal("110.50")
