"""Business rules: each one triggered over HTTP, with Intacct's error lines checked exactly
(the specific line first, then the generic BL01001973 one)."""

import pytest

from tests.integration.sandbox.raw_gateway import (
    CLOSED_DATE,
    CLOSED_THROUGH,
    OPEN_DATE,
    bill,
    call,
    entry,
    envelope,
    fn,
    journal,
    login_xml,
    post,
    session,
)

BILL_FAILED = ("BL01001973", "Could not create Bill record!")
INVOICE_FAILED = ("BL01001973", "Could not create Invoice record!")
JOURNAL_FAILED = ("BL01001973", "Could not create GLBatch record!")


def _line(account="6220", amount="100.00", extra=""):
    return f"<APBILLITEM><ACCOUNTNO>{account}</ACCOUNTNO><TRX_AMOUNT>{amount}</TRX_AMOUNT>{extra}</APBILLITEM>"


def _invoice(customer="C-1001", term="N30", when=None, number="INV-1", lines=None):
    month, day, year = (when or OPEN_DATE).split("/")
    lines = lines or "<lineitem><glaccountno>4000</glaccountno><amount>250.555</amount></lineitem>"
    term_xml = f"<termname>{term}</termname>" if term else ""
    return (f"<create_invoice><customerid>{customer}</customerid><datecreated><year>{year}</year>"
            f"<month>{month}</month><day>{day}</day></datecreated>{term_xml}<invoiceno>{number}</invoiceno>"
            f"<invoiceitems>{lines}</invoiceitems></create_invoice>")


def test_bill_is_created_with_rounded_amounts_due_date_from_term_and_metadata(sandbox):
    reply = call(sandbox, fn(bill(lines=_line(amount="100.125") + _line("6100", "0.005"))))
    created = reply.result().find("data")
    assert created.get("listtype") == "objects" and created.get("count") == "1"
    recordno = created.findtext("apbill/RECORDNO")
    assert created.findtext("apbill/RECORD_URL").startswith("https://www.intacct.com/ia/acct/ur.phtml?.r=")
    [posted] = sandbox.admin.posted("APBILL")
    assert posted["RECORDNO"] == recordno
    assert [line["AMOUNT"] for line in posted["LINES"]] == ["100.13", "0.01"]
    assert posted["TOTALENTERED"] == "100.14"
    assert posted["WHENCREATED"] == OPEN_DATE and posted["VENDORNAME"] == "Apex Supply Co"
    read = call(sandbox, fn(f"<read><object>APBILL</object><keys>{recordno}</keys><fields>*</fields></read>"))
    lines = read.result().findall("data/APBILL/APBILLITEMS/apbillitem")
    assert [line.findtext("AMOUNT") for line in lines] == ["100.13", "0.01"]


def test_legacy_create_invoice_answers_with_a_key_and_stores_the_invoice(sandbox):
    reply = call(sandbox, fn(_invoice()))
    result = reply.result()
    assert [c.tag for c in result] == ["status", "function", "controlid", "key"]
    key = result.findtext("key")
    [invoice] = sandbox.admin.posted("ARINVOICE")
    assert invoice["RECORDNO"] == key and invoice["RECORDID"] == "INV-1" and invoice["TOTALENTERED"] == "250.56"
    read = call(sandbox, fn(f"<read><object>ARINVOICE</object><keys>{key}</keys><fields>*</fields></read>"))
    assert read.result().findtext("data/ARINVOICE/ARINVOICEITEMS/arinvoiceitem/ACCOUNTNO") == "4000"


def test_generic_create_of_arinvoice_is_accepted_as_an_extension(sandbox):
    body = (f"<create><ARINVOICE><CUSTOMERID>C-1002</CUSTOMERID><WHENCREATED>{OPEN_DATE}</WHENCREATED>"
            "<TERMNAME>Net 30</TERMNAME><RECORDID>INV-9</RECORDID><ARINVOICEITEMS><ARINVOICEITEM>"
            "<GLACCOUNTNO>4000</GLACCOUNTNO><AMOUNT>10</AMOUNT></ARINVOICEITEM></ARINVOICEITEMS></ARINVOICE></create>")
    assert call(sandbox, fn(body)).result().findtext("data/arinvoice/RECORDNO")


def test_legacy_create_bill_answers_with_a_key(sandbox):
    month, day, year = OPEN_DATE.split("/")
    body = (f"<create_bill><vendorid>V-2002</vendorid><datecreated><year>{year}</year><month>{month}</month>"
            f"<day>{day}</day></datecreated><termname>N15</termname><billno>LB-1</billno><billitems><lineitem>"
            "<glaccountno>6100</glaccountno><amount>12.5</amount></lineitem></billitems></create_bill>")
    assert call(sandbox, fn(body)).result().findtext("key")


@pytest.mark.parametrize("term", ["n30", "Net30", "Net 90", "Net 31"],
                         ids=["differs-in-case", "missing-space", "inactive", "unknown"])
def test_term_that_is_not_an_exact_active_match_fails_with_could_not_retrieve_the_sequence_record(sandbox, term):
    reply = call(sandbox, fn(_invoice(term=term)))
    assert reply.errors() == [("BL01001973", "Could not retrieve the Sequence record!"), INVOICE_FAILED]


def test_invoice_without_term_or_due_date_is_refused(sandbox):
    assert call(sandbox, fn(_invoice(term=""))).errors() == [
        ("BL01001973", "Either a payment term or a due date is required."), INVOICE_FAILED]


def test_term_created_with_create_arterm_is_usable_at_once(sandbox):
    created = call(sandbox, fn("<create_arterm><name>Net 31</name><due><dueday>31</dueday>"
                               "<duefrom>from invoice date</duefrom></due></create_arterm>"))
    assert created.result().findtext("key") == "Net 31"
    assert call(sandbox, fn(_invoice(term="Net 31"))).result().findtext("status") == "success"
    again = call(sandbox, fn("<create><APTERM><NAME>N30</NAME><DUEDATE>30</DUEDATE></APTERM></create>"))
    assert again.errors() == [("BL34000061", "Another AP Term with the given value(s) N30  already exists"),
                              ("BL01001973", "Could not create AP Term record!")]


def test_posting_in_a_closed_period_fails_with_the_periods_are_closed_text(sandbox):
    reply = call(sandbox, fn(bill(when=CLOSED_DATE)))
    assert reply.errors() == [("BL01001973", f"Periods are closed. Your transaction date ({CLOSED_DATE}) is within "
                               "a period that's been closed. You can add, modify, or delete a transaction only if "
                               "the date of the transaction is within a period that's open."), BILL_FAILED]


def test_delete_applies_the_closed_period_rule_to_the_posting_date_as_create_does(sandbox):
    # Dated in a closed period but posted in an open one: deletable.
    early = call(sandbox, fn(bill("B-EARLY", when=CLOSED_DATE, extra=f"<WHENPOSTED>{OPEN_DATE}</WHENPOSTED>")))
    record_no = early.result().findtext("data/apbill/RECORDNO")
    deleted = call(sandbox, fn(f"<delete><object>APBILL</object><keys>{record_no}</keys></delete>"))
    assert deleted.result().findtext("status") == "success"
    # Posted on a date whose period then closes: refused with the closed-period text.
    late = call(sandbox, fn(bill("B-LATE")))
    record_no = late.result().findtext("data/apbill/RECORDNO")
    sandbox.admin.close_books(OPEN_DATE[6:] + "-" + OPEN_DATE[:2] + "-" + OPEN_DATE[3:5])
    refused = call(sandbox, fn(f"<delete><object>APBILL</object><keys>{record_no}</keys></delete>"))
    assert refused.errors() == [("BL01001973", f"Periods are closed. Your transaction date ({OPEN_DATE}) is within "
                                 "a period that's been closed. You can add, modify, or delete a transaction only if "
                                 "the date of the transaction is within a period that's open."),
                                ("BL01001973", "Could not delete Bill record!")]


def test_reopening_a_module_lets_its_postings_through_and_leaves_the_others_closed(sandbox):
    sandbox.admin.reopen("AP")
    assert call(sandbox, fn(bill(when=CLOSED_DATE))).result().findtext("status") == "success"
    closed = sandbox.admin.closed_books()
    assert closed["AR"] == CLOSED_THROUGH.isoformat() and closed["AP"] < closed["AR"]
    assert call(sandbox, fn(_invoice(when=CLOSED_DATE))).errors()[0][1].startswith("Periods are closed.")


def test_closing_books_through_a_later_date_closes_that_period(sandbox):
    sandbox.admin.close_books(sandbox_date := OPEN_DATE[6:] + "-" + OPEN_DATE[:2] + "-" + OPEN_DATE[3:5])
    assert sandbox.admin.closed_books()["GL"] == sandbox_date
    lines = entry("1000", 1, "5") + entry("2100", -1, "5")
    assert call(sandbox, fn(journal(lines))).errors()[0][1].startswith("Periods are closed.")


@pytest.mark.parametrize(("extra", "expected"), [
    ("<PROJECTID>P-9</PROJECTID>", "Invalid Project 'P-9' specified."),
    ("<PROJECTID>P-0999</PROJECTID>", "Invalid Project 'P-0999' specified."),
    ("<DEPARTMENTID>NOPE</DEPARTMENTID>", "Invalid Department 'NOPE' specified."),
    ("<DEPARTMENTID>LEGACY</DEPARTMENTID>", "Invalid Department 'LEGACY' specified."),
    ("<CLASSID>OLDCLASS</CLASSID>", "Invalid Class 'OLDCLASS' specified."),
    ("<EMPLOYEEID>E005</EMPLOYEEID>", "Invalid Employee 'E005' specified."),
    ("<LOCATIONID>999</LOCATIONID>", "The location '999' is invalid."),
    ("<LOCATIONID>190</LOCATIONID>", "The location '190' is invalid."),
    ("<CUSTOMERID>C-9</CUSTOMERID>", "Customer 'C-9' specified is not valid."),
    ("<ITEMID>X</ITEMID>", "Item ID 'X' is not valid"),
    ("<TASKID>T-1</TASKID>", "Task 'T-1' requires a Project to be specified."),
], ids=lambda v: v if v.startswith("<") else "")
def test_line_references_must_exist_and_be_active(sandbox, extra, expected):
    reply = call(sandbox, fn(bill(lines=_line(extra=extra))))
    assert reply.errors() == [("BL01001973", expected), BILL_FAILED]


@pytest.mark.parametrize(("vendor", "expected"), [("V-9", "Vendor 'V-9' specified is not valid."),
                                                  ("V-2029", "Vendor 'V-2029' specified is not valid.")],
                         ids=["unknown", "inactive"])
def test_bill_vendor_must_exist_and_be_active(sandbox, vendor, expected):
    assert call(sandbox, fn(bill(vendor=vendor))).errors() == [("BL01001973", expected), BILL_FAILED]


def test_invoice_customer_must_exist_and_be_active(sandbox):
    assert call(sandbox, fn(_invoice(customer="C-1041"))).errors() == [
        ("BL01001973", "Customer 'C-1041' specified is not valid."), INVOICE_FAILED]


@pytest.mark.parametrize(("account", "expected"), [("9999", "Account 9999 is not valid"),
                                                   ("6900", "Account 6900 is not valid")], ids=["unknown", "inactive"])
def test_line_account_must_exist_and_be_active(sandbox, account, expected):
    assert call(sandbox, fn(bill(lines=_line(account)))).errors() == [("BL01001973", expected), BILL_FAILED]


def test_account_required_dimension_is_enforced(sandbox):
    reply = call(sandbox, fn(bill(lines=_line("6300"))))
    assert reply.errors() == [("BL01001973", "This transaction is missing the Department dimension for the Account "
                                             "6300"), BILL_FAILED]
    assert call(sandbox, fn(bill(lines=_line("6300", extra="<DEPARTMENTID>SALES</DEPARTMENTID>")))
                ).result().findtext("status") == "success"
    lines = entry("6000", 1, "10") + entry("2100", -1, "10")
    assert call(sandbox, fn(journal(lines))).errors() == [
        ("BL01001973", "This transaction is missing the Department dimension for the Account 6000"), JOURNAL_FAILED]


def test_posting_to_a_udd_that_is_not_permitted_fails_until_it_is_granted(sandbox):
    line = _line(extra="<GLDIMCHANNEL>20001</GLDIMCHANNEL>")
    reply = call(sandbox, fn(bill(lines=line)))
    assert reply.errors() == [("BL01001973", "User-defined dimension 'CHANNEL' is not available to this user: it is "
                                             "inactive or the user lacks permission."), BILL_FAILED]
    sandbox.admin.grant_udd("CHANNEL")
    assert call(sandbox, fn(bill(lines=line))).result().findtext("status") == "success"


def test_posting_to_an_inactive_udd_or_an_inactive_udd_value_fails(sandbox):
    ok = call(sandbox, fn(bill("B-1", lines=_line(extra="<GLDIMREGION>10001</GLDIMREGION>"))))
    assert ok.result().findtext("status") == "success"
    inactive_value = call(sandbox, fn(bill("B-2", lines=_line(extra="<GLDIMREGION>10005</GLDIMREGION>"))))
    assert inactive_value.errors() == [("BL01001973", "Invalid Region '10005' specified."), BILL_FAILED]
    sandbox.admin.set_udd("REGION", status="inactive")
    inactive = call(sandbox, fn(bill("B-3", lines=_line(extra="<GLDIMREGION>10001</GLDIMREGION>"))))
    assert inactive.errors()[0][1].startswith("User-defined dimension 'REGION' is not available")


def test_journal_entry_must_balance_and_have_two_lines(sandbox):
    unbalanced = call(sandbox, fn(journal(entry("1000", 1, "10.00") + entry("2100", -1, "9.99"))))
    assert unbalanced.errors() == [("BL03002101", "Debits and credits are not equal"), JOURNAL_FAILED]
    single = call(sandbox, fn(journal(entry("1000", 1, "10.00"))))
    assert single.errors() == [("BL03002101", "A journal entry must have at least 2 lines."), JOURNAL_FAILED]
    # Amounts round to 2 decimals before the balance check.
    balanced = call(sandbox, fn(journal(entry("1000", 1, "10.004") + entry("2100", -1, "10.00"))))
    assert balanced.result().findtext("data/glbatch/RECORDNO")


def test_journal_must_exist_and_be_active(sandbox):
    lines = entry("1000", 1, "5") + entry("2100", -1, "5")
    assert call(sandbox, fn(journal(lines, journal_symbol="OLDJ"))).errors() == [
        ("BL01001973", "Invalid Journal 'OLDJ' specified."), JOURNAL_FAILED]


def test_duplicate_document_number_fails_with_bl03002185(sandbox):
    assert call(sandbox, fn(bill("B-7"))).result().findtext("status") == "success"
    assert call(sandbox, fn(bill("B-7"))).errors() == [
        ("BL03002185", "A transaction with that number already exists"), BILL_FAILED]
    call(sandbox, fn(_invoice(number="INV-7")))
    assert call(sandbox, fn(_invoice(number="INV-7"))).errors()[0][0] == "BL03002185"


def test_duplicate_master_id_fails_with_bl34000061_and_the_correction(sandbox):
    reply = call(sandbox, fn("<create><CUSTOMER><CUSTOMERID>C-1001</CUSTOMERID><NAME>Again</NAME></CUSTOMER>"
                             "</create>"))
    errors = reply.result().findall("errormessage/error")
    assert [(e.findtext("errorno"), e.findtext("description2"), e.findtext("correction")) for e in errors] == [
        ("BL34000061", "Another Customer with the given value(s) C-1001  already exists",
         "Use a unique value instead."),
        ("BL01001973", "Could not create Customer record!", "")]


def test_repeating_a_completed_controlid_under_uniqueid_is_refused(sandbox):
    first = call(sandbox, fn(bill("B-1"), "bill-B-1"), uniqueid="true")
    assert first.result().findtext("status") == "success"
    repeat = call(sandbox, fn(bill("B-1"), "bill-B-1"), uniqueid="true")
    assert repeat.errors() == [("BL01001973", "A successful transaction has already been recorded with the control "
                                              "id bill-B-1")]
    # uniqueid defaults to true when absent; with false the controlid is not checked.
    assert call(sandbox, fn(bill("B-2"), "bill-B-1"), uniqueid=None).result().findtext("status") == "failure"
    assert call(sandbox, fn(bill("B-2"), "bill-B-1"), uniqueid="false").result().findtext("status") == "success"
    # A failed function does not record its controlid.
    call(sandbox, fn(bill("B-3", vendor="V-9"), "bill-B-3"), uniqueid="true")
    assert call(sandbox, fn(bill("B-3"), "bill-B-3"), uniqueid="true").result().findtext("status") == "success"


def test_generic_update_advances_when_modified_and_delete_has_no_data(sandbox):
    before = sandbox.admin.update_record("CLASS", "RETAIL", {"NAME": "Retail"})
    sandbox.admin.advance_clock(2)
    reply = call(sandbox, fn("<update><CLASS><CLASSID>RETAIL</CLASSID><NAME>Retail Stores</NAME></CLASS></update>"))
    data = reply.result().find("data")
    assert data.get("listtype") == "objects" and data.findtext("class/CLASSID") == "RETAIL"
    after = call(sandbox, fn("<readByName><object>CLASS</object><keys>RETAIL</keys><fields>NAME,WHENMODIFIED"
                             "</fields></readByName>")).result().find("data/CLASS")
    assert after.findtext("NAME") == "Retail Stores" and after.findtext("WHENMODIFIED") > before["WHENMODIFIED"]
    missing = call(sandbox, fn("<update><CLASS><CLASSID>UT99</CLASSID><NAME>x</NAME></CLASS></update>"))
    assert missing.errors()[0] == ("BL01001973", "Cannot update non-existing CLASS with CLASSID=UT99.")
    recordno = data.findtext("class/RECORDNO")
    deleted = call(sandbox, fn(f"<delete><object>CLASS</object><keys>{recordno}</keys></delete>")).result()
    assert [c.tag for c in deleted] == ["status", "function", "controlid"]
    again = call(sandbox, fn(f"<delete><object>CLASS</object><keys>{recordno}</keys></delete>"))
    assert again.errors() == [("BL01001973", f"Cannot find class with key '{recordno}' to delete.")]


def test_generic_functions_match_field_names_case_insensitively(sandbox):
    lines = ("<glentry><accountno>1000</accountno><tr_type>1</tr_type><amount>5</amount></glentry>"
             "<glentry><accountno>2100</accountno><tr_type>-1</tr_type><amount>5</amount></glentry>")
    body = (f"<create><glbatch><journal>GJ</journal><batch_date>{OPEN_DATE}</batch_date>"
            f"<batch_title>lower</batch_title><entries>{lines}</entries></glbatch></create>")
    assert call(sandbox, fn(body)).result().findtext("data/glbatch/RECORDNO")


def test_multi_entity_company_requires_a_location_on_every_line(sandbox):
    auth = login_xml("DEMO-ME")
    missing = call(sandbox, fn(bill()), auth=auth)
    assert missing.errors() == [("BL01001973", "Use of empty Location is invalid. A valid Multi-Entity Location "
                                               "must be specified."), BILL_FAILED]
    ok = call(sandbox, fn(bill(lines=_line(extra="<LOCATIONID>210</LOCATIONID>"))), auth=auth)
    assert ok.result().findtext("status") == "success"
    [posted] = sandbox.admin.posted("APBILL", company="DEMO-ME")
    assert posted["MEGAENTITYID"] == "E200"


def test_entity_level_session_posts_to_its_entity_and_refuses_other_entities_locations(sandbox):
    session_id, endpoint = session(sandbox, "DEMO-ME", entity="E100")
    auth = f"<sessionid>{session_id}</sessionid>"
    other = post(endpoint, envelope(fn(bill(lines=_line(extra="<LOCATIONID>200</LOCATIONID>"))), auth=auth))
    assert other.errors() == [("BL01001973", "The location '200' is invalid."), BILL_FAILED]
    own = post(endpoint, envelope(fn(bill(lines=_line(extra="<LOCATIONID>110</LOCATIONID>"))), auth=auth))
    recordno = own.result().findtext("data/apbill/RECORDNO")
    read = post(endpoint, envelope(fn(f"<read><object>APBILL</object><keys>{recordno}</keys>"
                                      "<fields>MEGAENTITYID</fields></read>"), auth=auth))
    assert read.result().findtext("data/APBILL/MEGAENTITYID") == "E100"
    # A session of the other entity does not see the record.
    e200, endpoint2 = session(sandbox, "DEMO-ME", entity="E200")
    hidden = post(endpoint2, envelope(fn(f"<read><object>APBILL</object><keys>{recordno}</keys></read>"),
                                      auth=f"<sessionid>{e200}</sessionid>"))
    assert hidden.result().find("data").get("count") == "0"


def test_api_transactions_count_documents_and_read_calls(sandbox):
    call(sandbox, fn(bill("B-1"), "a") + fn(bill("B-2"), "b") + fn(bill("B-1"), "dup")
         + fn("<readByQuery><object>CLASS</object><query></query></readByQuery>", "r"))
    counters = sandbox.admin.counters("DEMO")["DEMO"]
    assert counters == {"api_transactions": 3, "requests": 1, "most_in_flight": 1, "refused_over_limit": 0}


def test_document_lines_are_readable_as_their_own_objects_but_not_writable(sandbox):
    call(sandbox, fn(bill("B-1", lines=_line("6100", "1.00") + _line("6200", "2.50", "<DEPARTMENTID>OPS"
                                                                                     "</DEPARTMENTID>"))))
    recordno = sandbox.admin.posted("APBILL")[0]["RECORDNO"]
    body = ("<query><object>APBILLITEM</object><select><field>RECORDKEY</field><field>LINE_NO</field>"
            "<field>ACCOUNTNO</field><field>AMOUNT</field><field>DEPARTMENTID</field><field>ENTRY_DATE</field>"
            "</select><orderby><order><field>LINE_NO</field></order></orderby></query>")
    rows = call(sandbox, fn(body)).result().find("data")
    assert [[c.text or "" for c in r] for r in rows] == [
        [recordno, "1", "6100", "1.00", "", OPEN_DATE], [recordno, "2", "6200", "2.50", "OPS", OPEN_DATE]]
    refused = call(sandbox, fn("<create><APBILLITEM><ACCOUNTNO>6100</ACCOUNTNO></APBILLITEM></create>"))
    assert refused.errors()[0] == ("BL01001973", "APBILLITEM records are written through their APBILL.")
    call(sandbox, fn(journal(entry("1000", 1, "5") + entry("2100", -1, "5"))))
    gl = call(sandbox, fn("<readByQuery><object>GLENTRY</object><query>TR_TYPE = -1</query>"
                          "<fields>ACCOUNTNO,BATCHNO</fields></readByQuery>")).result().find("data")
    assert [g.findtext("ACCOUNTNO") for g in gl] == ["2100"]
