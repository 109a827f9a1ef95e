from datetime import date
from decimal import Decimal

from include.erp.documents import SourceDocument
from include.intacct.functions import Update
from include.pipeline.payloads import build_payload, to_function, update_payload


def _invoice() -> SourceDocument:
    return SourceDocument("ar_invoice", "INV-9", {
        "invoice_no": "INV-9", "customer_id": "C-1", "invoice_date": date(2026, 10, 2), "due_date": date(2026, 11, 1),
        "term_name": "Net 30", "currency": "USD", "description": "corrected"},
        [{"line_no": 1, "account_no": "4000", "amount": Decimal("10.00"), "memo": "m", "dimensions": {"REGION": "10001"}}])


def test_changed_invoice_updates_the_same_intacct_record_through_the_generic_arinvoice_object():
    document = _invoice()
    payload = update_payload(document, "417")
    assert (payload.function, payload.object_name) == ("update", "ARINVOICE")
    assert payload.fields["RECORDNO"] == "417" and payload.fields["CUSTOMERID"] == "C-1"
    assert payload.fields["DESCRIPTION"] == "corrected" and "VENDORID" not in payload.fields
    (line,) = payload.fields["ARINVOICEITEMS"]["ARINVOICEITEM"]
    assert line["ACCOUNTNO"] == "4000" and line["TRX_AMOUNT"] == Decimal("10.00")
    assert payload.controlid == build_payload(document).controlid  # one controlid per ERP version
    assert isinstance(to_function(payload), Update)


def test_changed_journal_entry_updates_its_glbatch_by_recordno():
    entry = SourceDocument("journal_entry", "JE-1", {"je_no": "JE-1", "journal": "GJ", "entry_date": date(2026, 10, 2)},
                           [{"line_no": 1, "account_no": "1000", "debit": Decimal("5"), "credit": None},
                            {"line_no": 2, "account_no": "2000", "debit": None, "credit": Decimal("5")}])
    payload = update_payload(entry, "12")
    assert payload.object_name == "GLBATCH" and list(payload.fields)[0] == "RECORDNO"
