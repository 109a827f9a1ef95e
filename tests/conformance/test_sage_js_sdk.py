"""Sage's official JavaScript SDK (`@intacct/intacct-sdk` on npm, pinned in
tests/conformance/sage_js_sdk/package-lock.json), run unchanged against the sandbox: sign-in with
sender and user credentials from the SDK's own environment variables, listing objects page by page
(readByQuery, then readMore), a session from its SessionProvider used on the main gateway URL, the new
`query` with standard fields, a filter and an order, an AR invoice, an AP bill and a journal entry
created and read back, and Intacct's refusals as the SDK raises them.

The SDK accepts only *.intacct.com endpoints, so it is pointed at http://api.intacct.com:<port> and
`route_to_sandbox.js`, preloaded with `node -r`, resolves that one name to 127.0.0.1 (DNS only).
`make test-tools` installs Node's packages (`npm ci`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import CLOSED_THROUGH as CLOSED_DAY
from tests.integration.sandbox.raw_gateway import TODAY

SDK_DIR = Path(__file__).parent / "sage_js_sdk"
PAGE_SIZE = 25

EXPECTED_COUNTS = {
    "CUSTOMER": demo.SEEDED_CUSTOMER_COUNT, "VENDOR": demo.SEEDED_VENDOR_COUNT, "GLACCOUNT": len(demo.ACCOUNTS),
    "DEPARTMENT": len(demo.DEPARTMENTS), "LOCATION": len(demo.LOCATIONS), "CLASS": len(demo.CLASSES),
    "PROJECT": len(demo.PROJECTS), "EMPLOYEE": len(demo.EMPLOYEES), "ARTERM": len(demo.TERMS),
    "ITEM": demo.SEEDED_ITEM_COUNT, "CONTACT": demo.SEEDED_CUSTOMER_COUNT + demo.SEEDED_VENDOR_COUNT,
}


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("Node.js is not installed: `make test-tools` installs it (Debian packages nodejs and npm)")
    if not (SDK_DIR / "node_modules" / "@intacct" / "intacct-sdk").is_dir():
        pytest.fail(f"Sage's JavaScript SDK is not installed in {SDK_DIR}: run `make test-tools` (npm ci)")
    return path


@pytest.fixture
def js_sdk(node, sandbox):
    """Runs one flow of flows.js against the sandbox; returns its answer, {"result": ...} or {"error": ...}.
    The SDK reads the sandbox's credentials from the same INTACCT_* variables the product does."""
    port = urlsplit(sandbox.base_url).port
    environment = {name: value for name, value in os.environ.items() if not name.startswith("INTACCT_")}
    environment.update(sandbox.env, INTACCT_ENDPOINT_URL=f"http://api.intacct.com:{port}/ia/xml/xmlgw.phtml")

    def run(flow: str, *arguments: object, **overrides: str) -> dict:
        finished = subprocess.run(
            [node, "-r", "./route_to_sandbox.js", "flows.js", flow, *map(str, arguments)],
            cwd=SDK_DIR, env={**environment, **overrides}, capture_output=True, text=True, timeout=120,
        )
        assert finished.returncode == 0, finished.stderr
        return json.loads(finished.stdout.strip().splitlines()[-1])

    run.endpoint_url = environment["INTACCT_ENDPOINT_URL"]
    return run


def _result(answer: dict) -> dict:
    assert "error" not in answer, answer["error"]
    return answer["result"]


@pytest.mark.parametrize("object_name", sorted(EXPECTED_COUNTS))
def test_lists_every_record_page_by_page(js_sdk, object_name):
    listed = _result(js_sdk("list", object_name, PAGE_SIZE))
    expected = EXPECTED_COUNTS[object_name]
    assert listed["totalCount"] == listed["read"] == expected
    assert listed["pages"] == max(1, math.ceil(expected / PAGE_SIZE))
    assert "RECORDNO" in listed["fields"]


def test_readbyquery_returns_standard_fields_unset_ones_empty(js_sdk):
    fields = set(_result(js_sdk("list", "CUSTOMER", 1))["fields"])
    assert {"CUSTOMERID", "NAME", "ENTITY", "PARENTID", "PARENTNAME", "CUSTREPNAME", "TOTALDUE", "GLGROUP",
            "ONETIME", "OBJECTRESTRICTION"} <= fields


def test_session_from_the_session_provider_works_on_the_main_gateway_url(js_sdk):
    session = _result(js_sdk("session"))
    # Real Intacct answers getAPISession with the login URL as the endpoint (Sage's SDK fixtures).
    assert session == {"endpointUrl": js_sdk.endpoint_url, "companyId": demo.COMPANY_ID,
                       "vendors": demo.SEEDED_VENDOR_COUNT}


def test_query_selects_standard_fields_with_filter_order_and_page_size(js_sdk):
    queried = _result(js_sdk("query", "C-100%"))
    expected_ids = [demo.customer(n)["customer_id"] for n in range(9)]  # C-1001 .. C-1009 match C-100%
    assert queried["totalCount"] == len(expected_ids)
    assert queried["numRemaining"] == len(expected_ids) - 3
    assert [row["CUSTOMERID"] for row in queried["rows"]] == sorted(expected_ids, reverse=True)[:3]
    first = queried["rows"][0]
    assert first["NAME"] == demo.customer(8)["name"] and first["TERMNAME"] == demo.customer(8)["term_name"]
    assert first["ENTITY"] == "" and first["PARENTID"] == "" and first["TOTALDUE"] == "0.00"


def test_creates_and_reads_back_an_invoice_a_bill_and_a_journal_entry(js_sdk):
    invoice = _result(js_sdk("invoice", "JS-INV-1", TODAY.isoformat()))
    assert invoice["RECORDID"] == "JS-INV-1" and invoice["CUSTOMERID"] == "C-1001"
    assert invoice["TOTALENTERED"] == "125.50" and invoice["key"]

    bill = _result(js_sdk("bill", "JS-BILL-1", TODAY.isoformat()))
    assert bill["RECORDID"] == "JS-BILL-1" and bill["VENDORID"] == "V-2001" and bill["TOTALENTERED"] == "80.00"

    entry = _result(js_sdk("journal", TODAY.isoformat()))
    assert entry["RECORDNO"] and entry["JOURNAL"] == "GJ" and entry["BATCH_TITLE"] == "Sage JS SDK conformance"
    assert len({invoice["key"], bill["key"], entry["RECORDNO"]}) == 3

    # The invoice's amount reached the customer's balance, which a standard field reports.
    assert [row["TOTALDUE"] for row in _result(js_sdk("query", "C-1001"))["rows"]] == ["125.50"]


def test_refusals_carry_intacct_texts(js_sdk):
    unknown = js_sdk("unknownField")["error"]
    assert unknown["errors"] == ["XL03000006 The following fields cannot be queried: [ customer: [NOSUCHFIELD] ]"]

    twice = js_sdk("invoiceTwice", "JS-INV-2", TODAY.isoformat())["error"]
    assert twice["errors"][0].startswith("BL03002185 A transaction with that number already exists")

    closed = js_sdk("invoice", "JS-INV-3", CLOSED_DAY.isoformat())["error"]
    assert closed["errors"][0].startswith(
        f"BL01001973 Periods are closed. Your transaction date ({CLOSED_DAY:%m/%d/%Y}) is within a period")

    signed_out = js_sdk("list", "VENDOR", PAGE_SIZE, INTACCT_USER_PASSWORD="not-the-password")["error"]
    assert signed_out["errors"] == [
        "XL03000006 Sign-in information is incorrect Check the user ID, company ID and password, then try again."]
