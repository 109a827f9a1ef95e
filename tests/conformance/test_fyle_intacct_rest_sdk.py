"""Fyle's open-source production client of the REST API (``sageintacctrestsdk`` on PyPI, imported as
``intacctsdk``; https://github.com/fylein/intacct-rest-sdk-py), run unchanged against the sandbox: its
client-credentials token, its paged query-service listing and counts, reads by key, the bills and
journal entries it posts (payloads shaped like Sage's OpenAPI examples, reference §3.6/§3.8), updates,
deletes, the dimension list and the XML session bridge, and Intacct's refusals as it surfaces them.
Its requests to https://api.intacct.com/ia/api/v1 reach the sandbox through the transport adapter of
``conftest.py``; the SDK itself is never patched.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from intacctsdk import IntacctRESTSDK
from intacctsdk.exceptions import BadRequestError

from include import demo_company as demo
from include.intacct_sandbox.options import DEFAULT_CLIENT_SECRET

TODAY = datetime.now(UTC).date()  # the sandbox's closed period is relative to today: so is every date here
CLOSED_THROUGH = demo.default_closed_books_date(TODAY)
VENDOR = demo.vendor(1)["vendor_id"]
REST_PREFIX = "/ia/api/v1"


@pytest.fixture
def rest_sdk(intacct_transport) -> IntacctRESTSDK:
    return IntacctRESTSDK(username=f"{demo.SANDBOX_USER_ID}@{demo.COMPANY_ID}", client_id="demo_client",
                          client_secret=DEFAULT_CLIENT_SECRET)


def _bill(number: str, when=TODAY) -> dict:
    return {"billNumber": number, "vendor": {"id": VENDOR}, "referenceNumber": "Ref-123", "description": "Paper",
            "createdDate": when.isoformat(), "postingDate": when.isoformat(), "dueDate": when.isoformat(),
            "currency": {"baseCurrency": "USD", "txnCurrency": "USD"}, "isTaxInclusive": False,
            "lines": [{"glAccount": {"id": "6220"}, "txnAmount": "125.50", "memo": "Paper",
                       "dimensions": {"department": {"id": demo.DEPARTMENTS[0].id}}, "hasForm1099": "false"}]}


def test_the_sdk_mints_its_token_with_client_credentials_at_the_sandbox(rest_sdk, intacct_transport):
    assert rest_sdk.access_token and rest_sdk.refresh_token and rest_sdk.access_token_expires_in > 0
    assert intacct_transport.sent[0] == f"{REST_PREFIX}/oauth2/token"


@pytest.mark.parametrize("api, expected", [
    ("vendors", demo.SEEDED_VENDOR_COUNT), ("customers", demo.SEEDED_CUSTOMER_COUNT),
    ("accounts", len(demo.ACCOUNTS)), ("departments", len(demo.DEPARTMENTS)), ("classes", len(demo.CLASSES)),
    ("items", demo.SEEDED_ITEM_COUNT), ("journals", len(demo.JOURNALS)), ("projects", len(demo.PROJECTS)),
    ("employees", len(demo.EMPLOYEES)), ("locations", len(demo.LOCATIONS)), ("location_entities", 0),
])
def test_the_sdk_lists_every_object_it_syncs_page_by_page_and_counts_it(rest_sdk, api, expected):
    endpoint = getattr(rest_sdk, api)
    rows = [row for page in endpoint.get_all_generator(fields=["key", "id", "name", "status"],
                                                        order_by=[{"id": "asc"}]) for row in page]
    assert len(rows) == expected == endpoint.count()
    assert all(set(row) == {"key", "id", "name", "status"} for row in rows)


def test_the_sdk_filters_on_the_modified_watermark_and_status(rest_sdk):
    active = [row for page in rest_sdk.vendors.get_all_generator(
        fields=["id", "audit.modifiedDateTime"],
        filters=[{"$eq": {"status": "active"}}, {"$gte": {"audit.modifiedDateTime": "2000-01-01T00:00:00Z"}}])
        for row in page]
    assert active and all(row["audit.modifiedDateTime"].endswith("Z") for row in active)
    assert len(active) == rest_sdk.vendors.count(filters=[{"$eq": {"status": "active"}}])


def test_the_sdk_posts_reads_updates_and_deletes_a_bill(rest_sdk, sandbox):
    created = rest_sdk.bills.post(_bill("B-FY1"), idempotent_key="fyle-bill-B-FY1")["ia::result"]
    again = rest_sdk.bills.post(_bill("B-FY1"), idempotent_key="fyle-bill-B-FY1")["ia::result"]
    assert again == created  # answered from the idempotency cache: one bill
    assert [r["RECORDID"] for r in sandbox.admin.posted("APBILL")] == ["B-FY1"]
    read = rest_sdk.bills.get_by_key(created["key"])["ia::result"]
    assert (read["billNumber"], read["vendor"]["id"], read["totalTxnAmount"]) == ("B-FY1", VENDOR, "125.50")
    assert read["lines"][0]["glAccount"]["id"] == "6220"
    rest_sdk.bills.update(created["key"], {"description": "Paper, corrected"})
    assert sandbox.admin.posted("APBILL")[0]["DESCRIPTION"] == "Paper, corrected"
    assert rest_sdk.bills.delete(created["key"]) is None
    assert sandbox.admin.posted("APBILL") == []


def test_the_sdk_posts_a_journal_entry_as_sages_example_writes_it(rest_sdk, sandbox):
    entry = {"glJournal": {"id": "GJ"}, "postingDate": TODAY.isoformat(), "description": "October revenue posting",
             "lines": [{"txnType": "credit", "txnAmount": "200", "glAccount": {"id": "4000"},
                        "documentId": "credit_transactions"},
                       {"txnType": "debit", "txnAmount": "200", "glAccount": {"id": "1200"},
                        "documentId": "debit_transactions"}]}
    created = rest_sdk.journal_entries.post(entry)["ia::result"]
    [stored] = sandbox.admin.posted("GLBATCH")
    assert str(stored["RECORDNO"]) == created["key"] and stored["BATCH_TITLE"] == "October revenue posting"
    assert [(line["TR_TYPE"], line["AMOUNT"]) for line in stored["LINES"]] == [("-1", "200.00"), ("1", "200.00")]


def test_the_sdk_sees_intacct_refusals_with_their_texts(rest_sdk):
    with pytest.raises(BadRequestError) as closed:
        rest_sdk.bills.post(_bill("B-FY2", when=CLOSED_THROUGH))
    error = json.loads(closed.value.response)["ia::result"]["ia::error"]
    assert error["errorId"] == "REST-7001"
    assert any("Periods are closed" in d["message"] for d in error["details"])
    unbalanced = {"glJournal": {"id": "GJ"}, "postingDate": TODAY.isoformat(), "lines": [
        {"txnType": "debit", "txnAmount": "10", "glAccount": {"id": "6100"}},
        {"txnType": "credit", "txnAmount": "9", "glAccount": {"id": "2100"}}]}
    with pytest.raises(BadRequestError, match="Transactions do not balance"):
        rest_sdk.journal_entries.post(unbalanced)


def test_the_sdk_lists_dimensions_and_reads_a_user_defined_one(rest_sdk):
    names = [d["dimensionName"] for d in rest_sdk.dimensions.list()]
    assert names[-2:] == ["REGION", "CHANNEL"]
    values = [row for page in rest_sdk.dimensions.get_all_generator(fields=["id", "name"], dimension_name="region")
              for row in page]
    assert [v["id"] for v in values] == [v[0] for v in demo.UDDS[0].values]


def test_the_sdk_gets_an_xml_session_and_an_object_model(rest_sdk):
    session = rest_sdk.sessions.get_session_id()
    assert session["sessionId"] and session["expiresIn"] > 0
    model = rest_sdk.bills.get_model()["ia::result"]
    assert model["idempotenceSupported"] is True and "billNumber" in model["fields"]
