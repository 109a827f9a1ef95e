"""A generic update of a posted document (APBILL, ARINVOICE, GLBATCH) over HTTP: the header
fields sent are applied, the lines sent replace the lines, totals are recomputed, and an
update that breaks a create rule fails with the create's error and changes nothing."""

from datetime import timedelta

import pytest

from tests.integration.sandbox.raw_gateway import (
    CLOSED_DATE,
    OPEN_DATE,
    TODAY,
    bill,
    call,
    entry,
    fn,
    journal,
    login_xml,
)

BILL_NOT_UPDATED = ("BL01001973", "Could not update Bill record!")
JOURNAL_NOT_UPDATED = ("BL01001973", "Could not update GLBatch record!")
LATER_DATE = (TODAY + timedelta(days=10)).strftime("%m/%d/%Y")


def _line(account="6220", amount="100.00", extra=""):
    return f"<APBILLITEM><ACCOUNTNO>{account}</ACCOUNTNO><TRX_AMOUNT>{amount}</TRX_AMOUNT>{extra}</APBILLITEM>"


def _update_bill(recordno: str, lines: str | None = None, extra: str = "") -> str:
    items = f"<APBILLITEMS>{lines}</APBILLITEMS>" if lines is not None else ""
    return f"<update><APBILL><RECORDNO>{recordno}</RECORDNO>{extra}{items}</APBILL></update>"


def _create(sandbox, body: str, tag: str, **kwargs) -> str:
    reply = call(sandbox, fn(body), **kwargs)
    recordno = reply.result().findtext(f"data/{tag}/RECORDNO")
    assert recordno, reply.text
    return recordno


def _posted(sandbox, object_name: str, recordno: str, company: str = "DEMO") -> dict:
    [record] = [r for r in sandbox.admin.posted(object_name, company=company) if r["RECORDNO"] == recordno]
    return record


def test_update_replaces_the_lines_and_recomputes_the_totals_under_the_same_recordno(sandbox):
    recordno = _create(sandbox, bill(lines=_line(amount="100.00") + _line("6100", "50.00")), "apbill")
    before = _posted(sandbox, "APBILL", recordno)
    sandbox.admin.advance_clock(2)

    new_lines = (_line("6200", "80.555", "<ENTRYDESCRIPTION>Power</ENTRYDESCRIPTION>")
                 + _line("6400", "19.99") + _line("6700", "0.50"))
    reply = call(sandbox, fn(_update_bill(recordno, new_lines, f"<RECORDID>B-100</RECORDID><WHENCREATED>{LATER_DATE}"
                                                               "</WHENCREATED><DESCRIPTION>Revised</DESCRIPTION>")))

    result = reply.result()
    assert result.findtext("status") == "success", reply.text
    assert result.findtext("data/apbill/RECORDNO") == recordno
    after = _posted(sandbox, "APBILL", recordno)
    assert [(line["LINE_NO"], line["ACCOUNTNO"], line["AMOUNT"]) for line in after["LINES"]] == [
        ("1", "6200", "80.56"), ("2", "6400", "19.99"), ("3", "6700", "0.50")]
    assert after["LINES"][0]["ENTRYDESCRIPTION"] == "Power"
    assert after["TOTALENTERED"] == after["TOTALDUE"] == "101.05"
    assert (after["DESCRIPTION"], after["WHENCREATED"], after["WHENPOSTED"]) == ("Revised", LATER_DATE, LATER_DATE)
    assert after["WHENDUE"] == (TODAY + timedelta(days=40)).strftime("%m/%d/%Y")  # N30 from the new date
    assert after["WHENMODIFIED"] > before["WHENMODIFIED"]
    assert (after["VENDORNAME"], after["RECORD_URL"]) == (before["VENDORNAME"], before["RECORD_URL"])
    assert len(sandbox.admin.posted("APBILL")) == 1
    # The line object reads the new lines only.
    query = (f"<query><object>APBILLITEM</object><select><field>ACCOUNTNO</field><field>AMOUNT</field></select>"
             f"<filter><equalto><field>RECORDKEY</field><value>{recordno}</value></equalto></filter></query>")
    rows = call(sandbox, fn(query)).result().findall("data/APBILLITEM")
    assert [(r.findtext("ACCOUNTNO"), r.findtext("AMOUNT")) for r in rows] == [
        ("6200", "80.56"), ("6400", "19.99"), ("6700", "0.50")]


def test_update_without_lines_keeps_the_lines_and_applies_the_header(sandbox):
    recordno = _create(sandbox, bill(lines=_line(amount="42.00")), "apbill")
    reply = call(sandbox, fn(_update_bill(recordno, extra="<SUPDOCID>A1234</SUPDOCID><DOCNUMBER>Ref 9</DOCNUMBER>")))
    assert reply.result().findtext("status") == "success", reply.text
    after = _posted(sandbox, "APBILL", recordno)
    assert (after["SUPDOCID"], after["DOCNUMBER"], after["TOTALENTERED"]) == ("A1234", "Ref 9", "42.00")
    assert [line["AMOUNT"] for line in after["LINES"]] == ["42.00"]


def test_invoice_created_with_create_invoice_is_updated_through_the_generic_object(sandbox):
    month, day, year = OPEN_DATE.split("/")
    created = call(sandbox, fn(
        f"<create_invoice><customerid>C-1001</customerid><datecreated><year>{year}</year><month>{month}</month>"
        f"<day>{day}</day></datecreated><termname>N30</termname><invoiceno>INV-7</invoiceno><invoiceitems>"
        "<lineitem><glaccountno>4000</glaccountno><amount>250.00</amount></lineitem></invoiceitems>"
        "</create_invoice>"))
    recordno = created.result().findtext("key")
    items = "".join(f"<ARINVOICEITEM><ACCOUNTNO>{a}</ACCOUNTNO><TRX_AMOUNT>{n}</TRX_AMOUNT></ARINVOICEITEM>"
                    for a, n in (("4000", "300.00"), ("4200", "25.25")))
    reply = call(sandbox, fn(f"<update><ARINVOICE><RECORDNO>{recordno}</RECORDNO><RECORDID>INV-7</RECORDID>"
                             f"<CUSTOMERID>C-1001</CUSTOMERID><WHENCREATED>{OPEN_DATE}</WHENCREATED>"
                             f"<TERMNAME>N30</TERMNAME><ARINVOICEITEMS>{items}</ARINVOICEITEMS></ARINVOICE></update>"))
    assert reply.result().findtext("data/arinvoice/RECORDNO") == recordno, reply.text
    [invoice] = sandbox.admin.posted("ARINVOICE")
    assert invoice["TOTALENTERED"] == "325.25"
    assert [(line["ACCOUNTNO"], line["AMOUNT"]) for line in invoice["LINES"]] == [("4000", "300.00"),
                                                                                    ("4200", "25.25")]


@pytest.mark.parametrize("bad_line", [
    _line("9999"),  # unknown account
    _line("6900"),  # inactive account
    _line("6300"),  # account that requires a department
    _line(extra="<PROJECTID>P-9</PROJECTID>"),
    _line(extra="<LOCATIONID>999</LOCATIONID>"),
    _line(extra="<GLDIMREGION>10005</GLDIMREGION>"),  # inactive UDD value
    _line(amount="12,50"),
    _line(amount=""),
    "<APBILLITEM><TRX_AMOUNT>5.00</TRX_AMOUNT></APBILLITEM>",  # no account
], ids=["unknown-account", "inactive-account", "missing-dimension", "invalid-project", "invalid-location",
        "inactive-udd-value", "bad-amount", "no-amount", "no-account"])
def test_bad_line_in_an_update_fails_with_the_create_error_and_changes_nothing(sandbox, bad_line):
    recordno = _create(sandbox, bill(lines=_line(amount="100.00")), "apbill")
    before = _posted(sandbox, "APBILL", recordno)
    create_errors = call(sandbox, fn(bill(number="B-200", lines=_line("6100", "1.00") + bad_line))).errors()

    reply = call(sandbox, fn(_update_bill(recordno, _line("6100", "1.00") + bad_line)))

    assert reply.result().findtext("status") == "failure"
    assert reply.errors() == [create_errors[0], BILL_NOT_UPDATED]
    assert reply.result().find("data").get("count") == "0"
    assert _posted(sandbox, "APBILL", recordno) == before


def test_update_with_no_lines_in_its_container_fails_like_a_create(sandbox):
    recordno = _create(sandbox, bill(), "apbill")
    reply = call(sandbox, fn(_update_bill(recordno, lines="")))
    assert reply.errors() == [("BL03002101", "The transaction must have at least one line item."), BILL_NOT_UPDATED]


def test_header_rules_of_the_create_apply_to_an_update(sandbox):
    recordno = _create(sandbox, bill(), "apbill")
    _create(sandbox, bill(number="B-200"), "apbill")
    before = _posted(sandbox, "APBILL", recordno)
    cases = {
        "<VENDORID>V-9</VENDORID>": ("BL01001973", "Vendor 'V-9' specified is not valid."),
        "<TERMNAME>N99</TERMNAME>": ("BL01001973", "Could not retrieve the Sequence record!"),
        "<WHENCREATED>13/45/2026</WHENCREATED>": ("PL03000006", "The transaction date '13/45/2026' is invalid."),
        "<RECORDID>B-200</RECORDID>": ("BL03002185", "A transaction with that number already exists"),
    }
    for extra, error in cases.items():
        assert call(sandbox, fn(_update_bill(recordno, extra=extra))).errors() == [error, BILL_NOT_UPDATED], extra
    assert _posted(sandbox, "APBILL", recordno) == before


def test_update_of_several_documents_in_one_function_is_all_or_nothing(sandbox):
    first = _create(sandbox, bill(), "apbill")
    second = _create(sandbox, bill(number="B-200"), "apbill")
    before = sandbox.admin.posted("APBILL")
    body = (f"<update><APBILL><RECORDNO>{first}</RECORDNO><APBILLITEMS>{_line(amount='7.00')}</APBILLITEMS></APBILL>"
            f"<APBILL><RECORDNO>{second}</RECORDNO><APBILLITEMS>{_line('9999')}</APBILLITEMS></APBILL></update>")
    reply = call(sandbox, fn(body))
    assert reply.errors() == [("BL01001973", "Account 9999 is not valid"), BILL_NOT_UPDATED]
    assert sandbox.admin.posted("APBILL") == before


def test_unknown_recordno_keeps_its_error(sandbox):
    reply = call(sandbox, fn(_update_bill("99999", _line())))
    assert reply.errors() == [("BL01001973", "Cannot update non-existing APBILL with RECORDNO=99999."),
                              BILL_NOT_UPDATED]


def test_journal_entry_update_replaces_entries_and_must_balance(sandbox):
    recordno = _create(sandbox, journal(entry("1000", 1, "50.00") + entry("2100", -1, "50.00")), "glbatch")
    before = _posted(sandbox, "GLBATCH", recordno)

    def update(entries: str) -> str:
        return (f"<update><GLBATCH><RECORDNO>{recordno}</RECORDNO><BATCH_TITLE>Accrual revised</BATCH_TITLE>"
                f"<ENTRIES>{entries}</ENTRIES></GLBATCH></update>")

    unbalanced = call(sandbox, fn(update(entry("1000", 1, "60.00") + entry("2100", -1, "50.00"))))
    assert unbalanced.errors() == [("BL03002101", "Debits and credits are not equal"), JOURNAL_NOT_UPDATED]
    one_line = call(sandbox, fn(update(entry("1000", 1, "60.00"))))
    assert one_line.errors() == [("BL03002101", "A journal entry must have at least 2 lines."), JOURNAL_NOT_UPDATED]
    bad_type = call(sandbox, fn(update(entry("1000", 2, "60.00") + entry("2100", -1, "60.00"))))
    assert bad_type.errors() == [("PL03000006", "Invalid update parameter: TR_TYPE '2' on line 1 must be 1 or -1"),
                                 JOURNAL_NOT_UPDATED]
    assert _posted(sandbox, "GLBATCH", recordno) == before

    balanced = entry("1000", 1, "60.00") + entry("1010", 1, "15.005") + entry("2100", -1, "75.01")
    assert call(sandbox, fn(update(balanced))).result().findtext("data/glbatch/RECORDNO") == recordno
    after = _posted(sandbox, "GLBATCH", recordno)
    assert [(e["ACCOUNTNO"], e["TR_TYPE"], e["AMOUNT"]) for e in after["LINES"]] == [
        ("1000", "1", "60.00"), ("1010", "1", "15.01"), ("2100", "-1", "75.01")]
    assert (after["BATCH_TITLE"], after["BATCHNO"]) == ("Accrual revised", recordno)


def test_update_into_a_closed_period_fails_like_a_create(sandbox):
    recordno = _create(sandbox, bill(), "apbill")
    before = _posted(sandbox, "APBILL", recordno)
    reply = call(sandbox, fn(_update_bill(recordno, _line(amount="5.00"),
                                          f"<WHENCREATED>{CLOSED_DATE}</WHENCREATED>")))
    create_errors = call(sandbox, fn(bill(number="B-200", when=CLOSED_DATE))).errors()
    assert reply.errors() == [create_errors[0], BILL_NOT_UPDATED]
    assert reply.errors()[0][1].startswith(f"Periods are closed. Your transaction date ({CLOSED_DATE})")
    assert _posted(sandbox, "APBILL", recordno) == before


def test_update_of_a_document_whose_period_was_closed_fails(sandbox):
    recordno = _create(sandbox, journal(entry("1000", 1, "5") + entry("2100", -1, "5")), "glbatch")
    sandbox.admin.close_books(TODAY.isoformat())
    reply = call(sandbox, fn(f"<update><GLBATCH><RECORDNO>{recordno}</RECORDNO><BATCH_DATE>{LATER_DATE}</BATCH_DATE>"
                             "</GLBATCH></update>"))
    assert reply.errors()[0][1].startswith(f"Periods are closed. Your transaction date ({OPEN_DATE})")
    assert reply.errors()[1] == JOURNAL_NOT_UPDATED


def test_update_keeps_a_multi_entity_document_in_its_entity(sandbox):
    auth = login_xml("DEMO-ME")
    recordno = _create(sandbox, bill(lines=_line(extra="<LOCATIONID>210</LOCATIONID>")), "apbill", auth=auth)
    other_entity = call(sandbox, fn(_update_bill(recordno, _line(extra="<LOCATIONID>110</LOCATIONID>"))), auth=auth)
    assert other_entity.errors() == [("BL01001973", "The location '110' is invalid."), BILL_NOT_UPDATED]
    same_entity = call(sandbox, fn(_update_bill(recordno, _line("6100", "3.00", "<LOCATIONID>200</LOCATIONID>"))),
                       auth=auth)
    assert same_entity.result().findtext("status") == "success", same_entity.text
    posted = _posted(sandbox, "APBILL", recordno, company="DEMO-ME")
    assert (posted["MEGAENTITYID"], posted["TOTALENTERED"]) == ("E200", "3.00")
