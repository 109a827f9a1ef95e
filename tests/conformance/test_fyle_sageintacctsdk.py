"""Fyle's open-source production client of the XML gateway (`sageintacctsdk` on PyPI,
https://github.com/fylein/sageintacct-sdk-py), run unchanged against the sandbox: its sign-in, its
listing of every object it supports (count, then pages of `query` by offset), the AR invoices,
AP bills and journal entries it posts with the payloads Fyle's integration builds, reading them
back, and Intacct's refusals as the SDK surfaces them.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest
from sageintacctsdk import InvalidTokenError, SageIntacctSDK, WrongParamsError
from sageintacctsdk.apis.constants import dimensions_fields_mapping
from sageintacctsdk.exceptions import DataIntegrityWarning

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import CLOSED_THROUGH, envelope, fn, post, session

TODAY = datetime.now(UTC).date()
# Fyle writes dates unpadded, M/D/YYYY (fyle-intacct-api apps/sage_intacct/utils.py).
OPEN_DAY = f"{TODAY.month}/{TODAY.day}/{TODAY.year}"
CLOSED_DAY = f"{CLOSED_THROUGH.month}/{CLOSED_THROUGH.day}/{CLOSED_THROUGH.year}"
GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
INACTIVE_VENDOR = demo.vendor(28)["vendor_id"]

# The SDK's list APIs whose object the sandbox serves, and how many records a fresh sandbox holds.
SERVED = {
    "accounts": "GLACCOUNT", "classes": "CLASS", "contacts": "CONTACT", "customers": "CUSTOMER",
    "departments": "DEPARTMENT", "employees": "EMPLOYEE", "items": "ITEM", "locations": "LOCATION",
    "location_entities": "LOCATIONENTITY", "projects": "PROJECT", "tasks": "TASK", "cost_types": "COSTTYPE",
    "tax_details": "TAXDETAIL", "vendors": "VENDOR", "checking_accounts": "CHECKINGACCOUNT",
    "savings_accounts": "SAVINGSACCOUNT", "charge_card_accounts": "CREDITCARD", "ap_payments": "APPYMT",
    "ar_payments": "ARPYMT", "bills": "APBILL", "ar_invoices": "ARINVOICE", "ar_invoice_items": "ARINVOICEITEM",
    "journal_entries": "GLBATCH", "gl_detail": "GLDETAIL",
}
EXPECTED_COUNTS = {
    "GLACCOUNT": len(demo.ACCOUNTS), "CLASS": len(demo.CLASSES), "CUSTOMER": demo.SEEDED_CUSTOMER_COUNT,
    "CONTACT": demo.SEEDED_CUSTOMER_COUNT + demo.SEEDED_VENDOR_COUNT, "DEPARTMENT": len(demo.DEPARTMENTS),
    "EMPLOYEE": len(demo.EMPLOYEES), "ITEM": demo.SEEDED_ITEM_COUNT, "LOCATION": len(demo.LOCATIONS),
    "LOCATIONENTITY": 0, "PROJECT": len(demo.PROJECTS), "TASK": 2 * len(demo.PROJECTS),
    "COSTTYPE": 4 * len(demo.PROJECTS), "TAXDETAIL": len(demo.TAX_DETAILS), "VENDOR": demo.SEEDED_VENDOR_COUNT,
    "CHECKINGACCOUNT": 2, "SAVINGSACCOUNT": 0, "CREDITCARD": 1, "APPYMT": 0, "ARPYMT": 0, "APBILL": 0,
    "ARINVOICE": 0, "ARINVOICEITEM": 0, "GLBATCH": 0, "GLDETAIL": 0,
}


@pytest.fixture
def sdk(intacct_transport, credentials) -> SageIntacctSDK:
    return SageIntacctSDK(**credentials)


def _errors(exc: WrongParamsError) -> list[tuple[str, str]]:
    """(errorno, description2) of every error the SDK attached, as it decoded them."""
    body = exc.response
    errors = body["error"] if isinstance(body["error"], list) else [body["error"]]
    return [(e.get("errorno"), e.get("description2")) for e in errors]


def _bill_payload(number: str, vendor: str = "V-2001", when: str = OPEN_DAY) -> dict:
    """An AP bill as Fyle's integration builds it (fyle-intacct-api apps/sage_intacct/utils.py __construct_bill)."""
    return {
        "WHENCREATED": when, "VENDORID": vendor, "RECORDID": number, "WHENDUE": when, "BASECURR": "USD",
        "CURRENCY": "USD", "DESCRIPTION": f"Expense report {number}",
        "APBILLITEMS": {"APBILLITEM": [
            {"ACCOUNTNO": "6220", "TRX_AMOUNT": 120.5, "ENTRYDESCRIPTION": "Printer paper", "LOCATIONID": "110"},
            {"ACCOUNTNO": "6300", "TRX_AMOUNT": 79.5, "ENTRYDESCRIPTION": "Taxi", "DEPARTMENTID": "SALES"},
        ]},
    }


def test_sdk_signs_in_and_sends_its_session_to_the_main_gateway_url(intacct_transport, credentials):
    sdk = SageIntacctSDK(**credentials)
    vendors = sdk.vendors.get_all(fields=["VENDORID", "NAME"])
    assert len(vendors) == demo.SEEDED_VENDOR_COUNT
    # One sign-in, then every API object sends the session id to the URL it was built with.
    assert intacct_transport.sent and set(intacct_transport.sent) == {GATEWAY_PATH}


@pytest.mark.parametrize(("api", "obj"), sorted(SERVED.items()))
def test_every_object_the_sdk_lists_comes_back_whole_with_the_fields_it_selects(sdk, api, obj):
    pages = list(getattr(sdk, api).get_all_generator())
    records = [record for page in pages for record in page]
    assert len(records) == EXPECTED_COUNTS[obj]
    assert len({r.get("RECORDNO") for r in records}) == len(records) or "RECORDNO" not in \
        dimensions_fields_mapping[obj]
    for record in records:  # every field the SDK selects is answered, empty where the sandbox holds no value
        assert set(dimensions_fields_mapping[obj]) <= set(record)


def test_sdk_pages_past_two_thousand_records_with_nothing_missed(sdk, sandbox):
    session_id, endpoint = session(sandbox)
    auth = f"<sessionid>{session_id}</sessionid>"
    today = TODAY.strftime("%m/%d/%Y")
    for batch in range(21):  # 2,100 bills of one line: two pages of the SDK's 2,000
        functions = "".join(fn(
            f"<create><APBILL><WHENCREATED>{today}</WHENCREATED><VENDORID>V-2001</VENDORID>"
            f"<RECORDID>PAGE-{batch}-{n}</RECORDID><TERMNAME>N30</TERMNAME><APBILLITEMS><APBILLITEM>"
            "<ACCOUNTNO>6220</ACCOUNTNO><TRX_AMOUNT>10.00</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></create>",
            f"page-{batch}-{n}") for n in range(100))
        reply = post(endpoint, envelope(functions, auth=auth))
        assert {r.findtext("status") for r in reply.results()} == {"success"}
    bills = [b for page in sdk.bills.get_all_generator() for b in page]
    assert len(bills) == 2100 and len({b["RECORDNO"] for b in bills}) == 2100
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataIntegrityWarning)  # the SDK warns when a page went missing
        ap_lines = sdk.gl_detail.get_by_query(and_filter=[("equalto", "MODULEKEY", "3.AP")])
    assert len(ap_lines) == 4200  # each bill's expense line and its AP control line


def test_ar_invoice_posted_with_create_invoice_reads_back_with_its_lines_and_gl(sdk):
    created = sdk.ar_invoices.post({
        "customerid": "C-1001",
        "datecreated": {"year": TODAY.year, "month": TODAY.month, "day": TODAY.day},
        "termname": "N30",
        "invoiceno": "INV-CONF-1",
        "description": "Conformance invoice",
        "invoiceitems": {"lineitem": [
            {"glaccountno": "4000", "amount": 1500, "memo": "Valves", "locationid": "100"},
            {"glaccountno": "4200", "amount": 75.25, "memo": "Freight"},
        ]},
    })
    assert created["status"] == "success"
    key = created["key"]
    invoice = sdk.ar_invoices.get(field="RECORDNO", value=key)["arinvoice"]
    assert (invoice["CUSTOMERID"], invoice["RECORDID"], invoice["TOTALENTERED"]) == ("C-1001", "INV-CONF-1",
                                                                                      "1575.25")
    assert invoice["TOTALPAID"] == "0.00" and invoice["STATE"] == "Posted"
    lines = sdk.ar_invoice_items.get_all(field="RECORDKEY", value=key)
    assert sorted((line["ACCOUNTNO"], line["AMOUNT"]) for line in lines) == [("4000", "1500.00"),
                                                                             ("4200", "75.25")]
    assert {line["ACCOUNTTITLE"] for line in lines} == {"Product Revenue", "Freight Revenue"}
    gl = sdk.gl_detail.get_all(field="BATCHKEY", value=key)
    debits = sum(float(g["DEBITAMOUNT"]) for g in gl)
    credits = sum(float(g["CREDITAMOUNT"]) for g in gl)
    assert debits == credits == 1575.25
    assert {g["ACCOUNTNO"] for g in gl if g["TR_TYPE"] == "1"} == {"1200"}  # the AR control account


def test_ap_bill_posted_and_attached_reads_back_with_related_vendor_fields(sdk):
    created = sdk.bills.post(_bill_payload("BILL-CONF-1"))
    recordno = created["data"]["apbill"]["RECORDNO"]
    assert created["data"]["apbill"]["RECORD_URL"].startswith("https://www.intacct.com/ia/acct/ur.phtml?.r=")
    attached = sdk.bills.update_attachment(recordno, "ATT-CONF-1")
    assert attached["status"] == "success"
    [bill] = sdk.bills.get_by_query(
        fields=["RECORDNO", "RECORDID", "SUPDOCID", "TOTALENTERED", "TOTALPAID", "VENDOR.NAME", "VENDOR.TERM.NAME"],
        and_filter=[("equalto", "RECORDNO", recordno)])
    assert bill == {"RECORDNO": recordno, "RECORDID": "BILL-CONF-1", "SUPDOCID": "ATT-CONF-1",
                    "TOTALENTERED": "200.00", "TOTALPAID": "0.00", "VENDOR.NAME": demo.vendor(0)["name"],
                    "VENDOR.TERM.NAME": demo.vendor(0)["term_name"]}
    read_back = sdk.bills.get(field="RECORDID", value="BILL-CONF-1")["apbill"]
    assert read_back["VENDORID"] == "V-2001" and read_back["WHENDUE"] == TODAY.strftime("%m/%d/%Y")


def test_journal_entry_posted_with_lowercase_fields_reads_back_balanced(sdk):
    created = sdk.journal_entries.post({
        "journal": "GJ", "batch_date": OPEN_DAY, "batch_title": "Payroll accrual (conformance)",
        "entries": [{"glentry": [
            {"accountno": "6000", "amount": 1450.8, "tr_type": 1, "currency": "USD", "description": "Salaries",
             "department": "ADMIN", "location": "100"},
            {"accountno": "2100", "amount": 1450.8, "tr_type": -1, "currency": "USD",
             "description": "Accrued salaries"},
        ]}],
    })
    recordno = created["data"]["glbatch"]["RECORDNO"]
    batch = sdk.journal_entries.get(field="RECORDNO", value=recordno)["glbatch"]
    assert (batch["JOURNAL"], batch["BATCH_TITLE"], batch["STATE"]) == ("GJ", "Payroll accrual (conformance)",
                                                                        "Posted")
    lines = sdk.gl_detail.get_all(field="BATCHKEY", value=recordno)
    assert sorted((g["ACCOUNTNO"], g["TR_TYPE"], g["AMOUNT"]) for g in lines) == [
        ("2100", "-1", "1450.80"), ("6000", "1", "1450.80")]
    assert {g["SYMBOL"] for g in lines} == {"GJ"} and {g["MODULEKEY"] for g in lines} == {"2.GL"}


def test_refused_bills_reach_the_sdk_with_intacct_error_texts(sdk):
    with pytest.raises(WrongParamsError) as inactive:
        sdk.bills.post(_bill_payload("BILL-CONF-2", vendor=INACTIVE_VENDOR))
    assert _errors(inactive.value) == [("BL01001973", f"Vendor '{INACTIVE_VENDOR}' specified is not valid."),
                                      ("BL01001973", "Could not create Bill record!")]
    with pytest.raises(WrongParamsError) as closed:
        sdk.bills.post(_bill_payload("BILL-CONF-3", when=CLOSED_DAY))
    assert _errors(closed.value)[0][1].startswith(
        f"Periods are closed. Your transaction date ({CLOSED_THROUGH.strftime('%m/%d/%Y')}) is within a period "
        "that's been closed.")
    with pytest.raises(WrongParamsError) as duplicate:
        sdk.bills.post(_bill_payload("BILL-CONF-4"))
        sdk.bills.post(_bill_payload("BILL-CONF-4"))
    assert _errors(duplicate.value)[0] == ("BL03002185", "A transaction with that number already exists")


def test_an_unknown_field_is_refused_with_intacct_error_text(sdk):
    with pytest.raises(WrongParamsError) as unknown:
        sdk.customers.get_all(fields=["CUSTOMERID", "NOT_A_FIELD"])
    assert _errors(unknown.value) == [("XL03000006", "The following fields cannot be queried: [ customer: "
                                                     "[NOT_A_FIELD] ]")]


def test_wrong_credentials_are_refused_at_sign_in_as_intacct_refuses_them(intacct_transport, credentials):
    with pytest.raises(WrongParamsError) as sender:
        SageIntacctSDK(**{**credentials, "sender_password": "wrong"})
    assert _errors(sender.value) == [("XL03000006", "Incorrect Intacct XML Partner ID or password.")]
    with pytest.raises(InvalidTokenError) as user:
        SageIntacctSDK(**{**credentials, "user_password": "wrong"})
    assert user.value.response["error"]["description"] == "Sign-in information is incorrect"


def test_dimensions_and_user_defined_dimension_values_list_as_the_sdk_reads_them(sdk):
    dimensions = {d["objectName"]: d for d in sdk.dimensions.get_all()}
    assert dimensions["REGION"]["userDefinedDimension"] == "true"
    regions = sdk.dimension_values.get_all("REGION")
    assert sorted(r["id"] for r in regions) == ["10001", "10002", "10003", "10004", "10005"]
    assert {"name", "id", "createdBy", "updatedBy"} <= set(regions[0])


def test_lookup_describes_the_standard_fields_the_sdk_selects(sdk):
    fields = {f["ID"]: f for f in sdk.customers.get_lookup()["Type"]["Fields"]["Field"]}
    assert set(dimensions_fields_mapping["CUSTOMER"]) <= set(fields)
    assert fields["TOTALDUE"]["DATATYPE"] == "DECIMAL" and fields["RECORDNO"]["READONLY"] == "true"
    accounts = {f["ID"]: f for f in sdk.accounts.get_lookup()["Type"]["Fields"]["Field"]}
    # GLACCOUNT's metadata comes from a real tenant's lookup: ACCOUNTTYPE is TEXT with two valid values.
    assert accounts["ACCOUNTTYPE"]["DATATYPE"] == "TEXT"
    assert accounts["ACCOUNTTYPE"]["VALIDVALUES"]["VALIDVALUE"] == ["balancesheet", "incomestatement"]


def test_entity_session_lists_and_posts_within_its_entity(intacct_transport, credentials):
    sdk = SageIntacctSDK(**{**credentials, "company_id": demo.MULTI_ENTITY_COMPANY_ID, "entity_id": "E100"})
    entities = [e for page in sdk.location_entities.get_all_generator() for e in page]
    assert sorted(e["LOCATIONID"] for e in entities) == ["E100", "E200"]
    payload = _bill_payload("BILL-CONF-ME")
    for line in payload["APBILLITEMS"]["APBILLITEM"]:
        line["LOCATIONID"] = "110"
    recordno = sdk.bills.post(payload)["data"]["apbill"]["RECORDNO"]
    [bill] = sdk.bills.get_by_query(fields=["RECORDNO", "MEGAENTITYID"], and_filter=[("equalto", "RECORDNO",
                                                                                       recordno)])
    assert bill["MEGAENTITYID"] == "E100"
