"""The facade's XML-shaped reads and writes as REST bodies, and REST rows as XML records."""

from datetime import date
from decimal import Decimal

import pytest

from include.intacct import functions as fn
from include.intacct.query_filter import Filter
from include.intacct.rest import translate
from include.intacct.rest.objects import MappingError, for_rest, for_xml
from include.intacct.rest.writes import idempotency_key, next_key, plan

NEW_YORK = "America/New_York"


def test_nested_and_or_filters_are_numbered_and_combined_in_one_expression():
    vendor = for_xml("VENDOR")
    condition = (Filter.greaterthan("WHENMODIFIED", "07/01/2026 08:00:00")
                 | (Filter.equalto("WHENMODIFIED", "07/01/2026 08:00:00") & Filter.greaterthan("RECORDNO", 12)))
    filters, expression = translate.filters_of(vendor, condition, NEW_YORK)
    assert expression == "1 or (2 and 3)"
    # The company's wall clock (EDT, UTC-4) becomes REST's UTC.
    assert filters == [{"$gt": {"audit.modifiedDateTime": "2026-07-01T12:00:00Z"}},
                       {"$eq": {"audit.modifiedDateTime": "2026-07-01T12:00:00Z"}},
                       {"$gt": {"key": "12"}}]


def test_in_null_and_like_filters_use_the_query_services_operators():
    invoice = for_xml("ARINVOICE")
    filters, expression = translate.filters_of(invoice, Filter.all_of(
        Filter.in_("RECORDID", ["INV-1", "INV-2"]), Filter.isnull("WHENDUE"), Filter.like("DESCRIPTION", "Rent%")),
        NEW_YORK)
    assert expression == "1 and 2 and 3"
    assert filters == [{"$in": {"invoiceNumber": ["INV-1", "INV-2"]}}, {"$eq": {"dueDate": None}},
                       {"$startsWith": {"description": "Rent"}}]


def test_a_like_pattern_rest_cannot_express_names_the_field():
    with pytest.raises(MappingError, match="filter like on NAME: 'A%B%'"):
        translate.filters_of(for_xml("VENDOR"), Filter.like("NAME", "A%B%"), NEW_YORK)


def test_query_rows_come_back_as_the_xml_api_writes_records():
    account = for_xml("GLACCOUNT")
    maps = translate.select(account, ["RECORDNO", "ACCOUNTNO", "ACCOUNTTYPE", "REQUIREDEPT", "WHENMODIFIED"])
    row = {"key": "36", "id": "6000", "accountType": "incomeStatement", "requireDimensions.department": True,
           "audit.modifiedDateTime": "2026-01-15T17:30:00Z"}
    assert translate.record_from_row(row, maps, NEW_YORK) == {
        "RECORDNO": "36", "ACCOUNTNO": "6000", "ACCOUNTTYPE": "incomestatement", "REQUIREDEPT": "true",
        "WHENMODIFIED": "01/15/2026 12:30:00"}  # EST, UTC-5


def test_read_records_nest_dotted_fields_as_read_by_name_does():
    customer = for_xml("CUSTOMER")
    maps = translate.select(customer, ["CUSTOMERID", "DISPLAYCONTACT.EMAIL1"])
    row = {"id": "C-1", "contacts.default.email1": "ap@example.com"}
    assert translate.record_from_row(row, maps, NEW_YORK, nested=True) == {
        "CUSTOMERID": "C-1", "DISPLAYCONTACT": {"EMAIL1": "ap@example.com"}}


def test_an_ap_bill_becomes_the_rest_bill_with_lines_dimensions_and_udds():
    bill = fn.Create({"APBILL": {
        "RECORDID": "B-17", "VENDORID": "V-2001", "WHENCREATED": date(2026, 11, 2), "WHENDUE": "12/02/2026",
        "TERMNAME": None, "APBILLITEMS": {"APBILLITEM": [
            {"ACCOUNTNO": "6220", "TRX_AMOUNT": Decimal("125.50"), "ENTRYDESCRIPTION": "Paper",
             "DEPARTMENTID": "SALES", "GLDIMREGION": "10001"}]}}}, "apbill-B-17-v3")
    planned = plan(bill, NEW_YORK)
    assert (planned.obj.path, planned.method) == ("accounts-payable/bill", "POST")
    assert planned.body == {
        "billNumber": "B-17", "vendor": {"id": "V-2001"}, "createdDate": "2026-11-02", "dueDate": "2026-12-02",
        "lines": [{"glAccount": {"id": "6220"}, "txnAmount": "125.50", "memo": "Paper",
                   "dimensions": {"department": {"id": "SALES"}, "nsp::region": {"id": "10001"}}}]}


def test_a_journal_entry_line_says_debit_or_credit_with_an_absolute_amount():
    entry = fn.Create({"GLBATCH": {"JOURNAL": "GJ", "BATCH_DATE": date(2026, 3, 1), "BATCH_TITLE": "Accrual",
                                   "REFERENCENO": "JE-9", "ENTRIES": {"GLENTRY": [
                                       {"ACCOUNTNO": "6100", "TR_TYPE": 1, "TRX_AMOUNT": Decimal("10")},
                                       {"ACCOUNTNO": "2100", "TR_TYPE": -1, "TRX_AMOUNT": Decimal("10"),
                                        "LOCATION": "NYC"}]}}}, "je-JE-9-v1")
    body = plan(entry, NEW_YORK).body
    assert body["glJournal"] == {"id": "GJ"} and body["postingDate"] == "2026-03-01"
    assert body["description"] == "Accrual" and body["referenceNumber"] == "JE-9"
    assert [(line["txnType"], line["txnAmount"]) for line in body["lines"]] == [("debit", "10"), ("credit", "10")]
    assert body["lines"][1]["dimensions"] == {"location": {"id": "NYC"}}


def test_legacy_create_invoice_and_create_arterm_map_to_their_rest_objects():
    invoice = fn.CreateInvoice({"customerid": "C-1", "datecreated": date(2026, 5, 4), "termname": "N30",
                                "invoiceno": "INV-4", "invoiceitems": {"lineitem": [
                                    {"glaccountno": "4000", "amount": Decimal("99.90"), "memo": "Widgets"}]}},
                               "ar_invoice:INV-4:v1")
    planned = plan(invoice, NEW_YORK)
    assert planned.obj.path == "accounts-receivable/invoice"
    assert planned.body == {"customer": {"id": "C-1"}, "invoiceDate": "2026-05-04", "term": {"id": "N30"},
                            "invoiceNumber": "INV-4",
                            "lines": [{"glAccount": {"id": "4000"}, "txnAmount": "99.90", "memo": "Widgets"}]}
    term = fn.CreateArTerm({"name": "Net 17", "due": {"dueday": 17, "duefrom": "from invoice date"},
                            "discount": {"discday": 5, "discfrom": "from invoice date", "discamount": "2",
                                         "discpercamn": "Percentage"}}, "arterm-Net 17")
    assert plan(term, NEW_YORK).body == {
        "id": "Net 17", "due": {"days": 17, "from": "fromInvoiceDate"},
        "discount": {"days": 5, "from": "fromInvoiceDate", "amount": "2", "unit": "percentage"}}


def test_an_update_names_its_record_by_recordno_or_by_business_id():
    by_number = plan(fn.Update({"APBILL": {"RECORDNO": "55", "DESCRIPTION": "Fixed"}}, "u1"), NEW_YORK)
    assert (by_number.method, by_number.key, by_number.body) == ("PATCH", "55", {"description": "Fixed"})
    by_id = plan(fn.Update({"CUSTOMER": {"CUSTOMERID": "C-9", "NAME": "Nine", "DISPLAYCONTACT": {
        "EMAIL1": "x@example.com"}}}, "u2"), NEW_YORK)
    assert (by_id.key, by_id.id_value) == (None, "C-9")
    assert by_id.body == {"id": "C-9", "name": "Nine", "contacts": {"default": {"email1": "x@example.com"}}}


def test_a_field_without_a_rest_counterpart_names_the_write_and_the_field():
    with pytest.raises(MappingError, match=r"create apbill-1: .*APBILL field 'PONUMBERX' has no REST counterpart"):
        plan(fn.Create({"APBILL": {"RECORDID": "B-1", "PONUMBERX": "7"}}, "apbill-1"), NEW_YORK)
    with pytest.raises(ValueError, match=r"create apbill-2: WHENCREATED: '31/31/2026' is not a date"):
        plan(fn.Create({"APBILL": {"RECORDID": "B-2", "WHENCREATED": "31/31/2026"}}, "apbill-2"), NEW_YORK)


def test_idempotency_keys_follow_the_controlids_and_never_exceed_256_characters():
    assert idempotency_key(["ar_invoice:INV-4:v1"]) == "ar_invoice:INV-4:v1"
    batch = idempotency_key(["a", "b", "c"])
    assert batch == idempotency_key(["a", "b", "c"]) != idempotency_key(["a", "c", "b"])
    assert len(idempotency_key(["x" * 300])) <= 256 and idempotency_key(["Zürich-1"]).isascii()
    assert next_key(batch, "2026-01-01T00:00:00") != next_key(batch, "2026-01-02T00:00:00")


def test_every_object_the_product_writes_or_reads_has_a_rest_object_and_back():
    from include.intacct.preflight import WRITTEN_OBJECTS
    from include.masterdata.streams import STREAMS

    for name in {*WRITTEN_OBJECTS, *STREAMS}:
        obj = for_xml(name, udd_fallback=False)
        assert for_rest(obj.path) is obj
        for stream_field in (STREAMS[name].select if name in STREAMS else ()):
            obj.field(stream_field)  # every field a stream selects is mapped
    assert for_xml("REGION").path == "platform-apps/nsp::region"
