"""Objects common clients read (contacts, tasks, cost types, bank and card accounts, payments, GL
detail), the legacy get_list, and readMore by object."""

import pytest

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import bill, call, entry, envelope, fn, journal, post, session

NEW_OBJECTS = ("CONTACT", "TASK", "COSTTYPE", "CHECKINGACCOUNT", "SAVINGSACCOUNT", "CREDITCARD", "ARPYMT", "APPYMT",
               "GLDETAIL", "GLENTRY")


def _rows(reply):
    return list(reply.result().find("data"))


@pytest.mark.parametrize("obj", NEW_OBJECTS)
def test_objects_clients_read_are_known_to_every_read(sandbox, obj):
    by_query = call(sandbox, fn(f"<readByQuery><object>{obj}</object><fields>*</fields><query></query>"
                                "</readByQuery>"))
    assert by_query.result().findtext("status") == "success"
    query = call(sandbox, fn(f"<query><object>{obj}</object><select><field>RECORDNO</field></select></query>"))
    assert query.result().findtext("status") == "success"
    lookup = call(sandbox, fn(f"<lookup><object>{obj}</object></lookup>"))
    assert lookup.result().find("data/Type").get("Name") == obj


def test_every_customer_and_vendor_display_contact_is_a_contact(sandbox):
    contacts = _rows(call(sandbox, fn("<readByQuery><object>CONTACT</object><fields>CONTACTNAME,EMAIL1</fields>"
                                      "<query></query><pagesize>1000</pagesize></readByQuery>")))
    by_name = {c.findtext("CONTACTNAME"): c.findtext("EMAIL1") for c in contacts}
    customer = call(sandbox, fn("<readByName><object>CUSTOMER</object><keys>C-1001</keys>"
                                "<fields>DISPLAYCONTACT.CONTACTNAME,DISPLAYCONTACT.EMAIL1,DISPLAYCONTACTKEY</fields>"
                                "</readByName>")).result().find("data/CUSTOMER")
    name = customer.findtext("DISPLAYCONTACT/CONTACTNAME")
    assert by_name[name] == customer.findtext("DISPLAYCONTACT/EMAIL1") == demo.customer(0)["email"]
    assert len(by_name) == demo.SEEDED_CUSTOMER_COUNT + demo.SEEDED_VENDOR_COUNT
    contact = call(sandbox, fn(f"<readByName><object>CONTACT</object><keys>{name}</keys><fields>RECORDNO</fields>"
                               "</readByName>")).result()
    assert contact.findtext("data/CONTACT/RECORDNO") == customer.findtext("DISPLAYCONTACTKEY")


def test_tasks_and_cost_types_belong_to_the_demo_projects(sandbox):
    reply = call(sandbox, fn("<query><object>COSTTYPE</object><select><field>COSTTYPEID</field>"
                             "<field>TASK.NAME</field><field>PROJECT.NAME</field><field>PROJECTKEY</field></select>"
                             "<filter><equalto><field>PROJECTID</field><value>P-1001</value></equalto></filter>"
                             "</query>"))
    rows = [(r.findtext("COSTTYPEID"), r.findtext("TASK.NAME"), r.findtext("PROJECT.NAME")) for r in _rows(reply)]
    assert rows == [("P-1001-T1-LAB", "Planning", "Warehouse Automation"),
                    ("P-1001-T1-MAT", "Planning", "Warehouse Automation"),
                    ("P-1001-T2-LAB", "Execution", "Warehouse Automation"),
                    ("P-1001-T2-MAT", "Execution", "Warehouse Automation")]
    assert len({r.findtext("PROJECTKEY") for r in _rows(reply)}) == 1


def test_gl_detail_holds_the_gl_lines_of_what_was_posted_and_nothing_of_drafts(sandbox):
    je = call(sandbox, fn(journal(entry("6000", 1, "500.00", "<DEPARTMENT>ADMIN</DEPARTMENT>")
                                  + entry("2100", -1, "500.00"))))
    je_no = je.result().findtext("data/glbatch/RECORDNO")
    ap = call(sandbox, fn(bill("GL-1")))
    bill_no = ap.result().findtext("data/apbill/RECORDNO")
    call(sandbox, fn(bill("GL-DRAFT", extra="<ACTION>Draft</ACTION>")))
    rows = _rows(call(sandbox, fn("<query><object>GLDETAIL</object><select><field>RECORDNO</field>"
                                  "<field>BATCHKEY</field><field>MODULEKEY</field><field>SYMBOL</field>"
                                  "<field>ACCOUNTNO</field><field>TR_TYPE</field><field>DEBITAMOUNT</field>"
                                  "<field>CREDITAMOUNT</field><field>DEPARTMENTID</field></select></query>")))
    lines = {(r.findtext("BATCHKEY"), r.findtext("MODULEKEY"), r.findtext("SYMBOL"), r.findtext("ACCOUNTNO"),
              r.findtext("DEBITAMOUNT"), r.findtext("CREDITAMOUNT")) for r in rows}
    assert lines == {(je_no, "2.GL", "GJ", "6000", "500.00", "0.00"), (je_no, "2.GL", "GJ", "2100", "0.00", "500.00"),
                     (bill_no, "3.AP", "APJ", "6220", "100.00", "0.00"),
                     (bill_no, "3.AP", "APJ", "2000", "0.00", "100.00")}
    # A journal entry's GL lines are its GLENTRY lines, with the same RECORDNO.
    entries = _rows(call(sandbox, fn(f"<readByQuery><object>GLENTRY</object><fields>RECORDNO</fields>"
                                     f"<query>BATCHNO = {je_no}</query></readByQuery>")))
    assert {e.findtext("RECORDNO") for e in entries} == {r.findtext("RECORDNO") for r in rows
                                                         if r.findtext("BATCHKEY") == je_no}


def test_payments_are_readable_and_empty_and_read_only_objects_refuse_writes(sandbox):
    for obj in ("APPYMT", "ARPYMT", "SAVINGSACCOUNT"):
        data = call(sandbox, fn(f"<query><object>{obj}</object><select><field>RECORDNO</field></select></query>"))
        assert data.result().find("data").get("totalcount") == "0"
    refused = call(sandbox, fn("<create><GLDETAIL><ACCOUNTNO>1000</ACCOUNTNO></GLDETAIL></create>"))
    assert refused.errors() == [("BL01001973", "The sandbox does not write GLDETAIL records; they are read-only in "
                                               "the sandbox."), ("BL01001973", "Could not create GL Detail record!")]


def test_get_list_answers_the_legacy_envelope_with_lowercase_fields(sandbox):
    reply = call(sandbox, fn('<get_list object="class" start="1" maxitems="2"><sorts>'
                             '<sortfield order="desc">name</sortfield></sorts></get_list>'))
    result = reply.result()
    listtype = result.find("listtype")
    assert (listtype.text, dict(listtype.attrib)) == ("class", {"start": "1", "end": "2", "total": "4"})
    classes = list(result.find("data"))
    assert [c.tag for c in classes] == ["class", "class"]
    assert [c.tag for c in classes[0]] == ["key", "name", "description", "parentid", "whenmodified", "status"]
    assert [c.findtext("name") for c in classes] == ["Retail", "Government"]


def test_get_list_filters_with_expressions_and_logical_blocks_and_returns_asked_fields(sandbox):
    reply = call(sandbox, fn(
        '<get_list object="vendor"><filter><logical logical_operator="and">'
        "<expression><field>status</field><operator>=</operator><value>active</value></expression>"
        "<expression><field>vendorid</field><operator>like</operator><value>V-200%</value></expression>"
        "</logical></filter><fields><field>vendorid</field><field>name</field></fields></get_list>"))
    vendors = list(reply.result().find("data"))
    assert [v.findtext("vendorid") for v in vendors] == [f"V-{2001 + n}" for n in range(9)]
    assert [c.tag for c in vendors[0]] == ["vendorid", "name"]
    unknown = call(sandbox, fn('<get_list object="supdoc"/>'))
    assert unknown.result().findtext("status") == "failure"


def test_read_more_by_object_continues_the_sessions_latest_read_by_query(sandbox):
    session_id, endpoint = session(sandbox)
    auth = f"<sessionid>{session_id}</sessionid>"
    first = post(endpoint, envelope(fn("<readByQuery><object>CUSTOMER</object><fields>CUSTOMERID</fields>"
                                       "<query></query><pagesize>50</pagesize></readByQuery>"), auth=auth))
    seen = [c.findtext("CUSTOMERID") for c in first.result().find("data")]
    while True:
        more = post(endpoint, envelope(fn("<readMore><object>CUSTOMER</object></readMore>"), auth=auth))
        data = more.result().find("data")
        assert more.result().findtext("status") == "success"
        seen += [c.findtext("CUSTOMERID") for c in data]
        if data.get("numremaining") == "0":
            break
    assert seen == [f"C-{1001 + n}" for n in range(demo.SEEDED_CUSTOMER_COUNT)]
    done = post(endpoint, envelope(fn("<readMore><object>CUSTOMER</object></readMore>"), auth=auth))
    assert done.errors()[0][0] == "readMore failed"
    view = post(endpoint, envelope(fn("<readMore><view>x</view></readMore>"), auth=auth))
    assert view.errors()[0][0] == "PL03000006"
