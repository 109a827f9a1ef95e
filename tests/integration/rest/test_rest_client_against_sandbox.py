"""The client's REST transport against the sandbox: tokens, every read the product makes, every write it
makes, idempotent resends, faults, and one record seen through both APIs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from include import demo_company as demo
from include.error_classes import ErrorClass
from include.intacct import IntacctClient
from include.intacct.classify import classify
from include.intacct.errors import AuthenticationError, IntacctError
from include.intacct.functions import (
    Create,
    CreateApTerm,
    CreateArTerm,
    CreateInvoice,
    Delete,
    DocumentLookup,
    Update,
)
from include.intacct.query_filter import Filter
from include.masterdata.streams import STREAMS
from tests.integration.rest.conftest import rest_config

TODAY = datetime.now(UTC).date()  # the sandbox's closed period is relative to today: so is every date here
CLOSED_THROUGH = demo.default_closed_books_date(TODAY)
VENDOR, CUSTOMER = demo.vendor(1)["vendor_id"], demo.customer(1)["customer_id"]


def bill(number: str, *, vendor: str = VENDOR, when=TODAY, term: str | None = "N30", amount: str = "125.50",
         controlid: str | None = None, **line) -> Create:
    item = {"ACCOUNTNO": "6220", "TRX_AMOUNT": Decimal(amount), "ENTRYDESCRIPTION": "Paper", **line}
    return Create({"APBILL": {"RECORDID": number, "VENDORID": vendor, "WHENCREATED": when, "TERMNAME": term,
                              "APBILLITEMS": {"APBILLITEM": [item]}}},
                  controlid or f"ap_bill:{number}:v1", DocumentLookup("APBILL", "RECORDID", number))


def journal(number: str, debit: str = "50", credit: str = "50") -> Create:
    return Create({"GLBATCH": {"JOURNAL": "GJ", "BATCH_DATE": TODAY, "BATCH_TITLE": f"Entry {number}",
                               "REFERENCENO": number, "ENTRIES": {"GLENTRY": [
                                   {"ACCOUNTNO": "6100", "TR_TYPE": 1, "TRX_AMOUNT": Decimal(debit)},
                                   {"ACCOUNTNO": "2100", "TR_TYPE": -1, "TRX_AMOUNT": Decimal(credit)}]}}},
                  f"journal_entry:{number}:v1", DocumentLookup("GLBATCH", "REFERENCENO", number))


def posted(sandbox, object_name: str, number: str) -> list[dict]:
    field = "REFERENCENO" if object_name == "GLBATCH" else "RECORDID"
    return [r for r in sandbox.admin.posted(object_name) if r.get(field) == number]


# ------------------------------------------------------------------------------------------ tokens


def test_many_threads_share_one_token_minted_with_client_credentials(rest_client):
    threads = [threading.Thread(target=rest_client.query, args=("CLASS", ["CLASSID"])) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rest_client.metrics.snapshot()["logins"] == 1
    assert rest_client.tokens.mints == 1


def test_a_token_the_api_no_longer_accepts_is_minted_again_once_and_the_call_resent(sandbox, rest_client):
    rest_client.query("CLASS", ["CLASSID"])
    lifetime = sandbox.admin.settings()["token_lifetime_seconds"]
    sandbox.admin.advance_clock(seconds=lifetime + 60)  # the token expired by the API's clock, not the client's
    page = rest_client.query("CLASS", ["CLASSID"])
    assert page.records
    snapshot = rest_client.metrics.snapshot()
    assert (snapshot["logins"], snapshot["token_renewals"]) == (2, 1)


def test_threads_meeting_a_revoked_token_share_one_new_token(sandbox, rest_client):
    rest_client.query("CLASS", ["CLASSID"])
    sandbox.admin.expire_sessions()
    threads = [threading.Thread(target=rest_client.query, args=("DEPARTMENT", ["DEPARTMENTID"])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rest_client.metrics.snapshot()["logins"] == 2


def test_refused_client_credentials_are_an_auth_failure_that_never_shows_the_secret(sandbox):
    with IntacctClient(rest_config(sandbox, client_secret="not-the-secret")) as client:
        with pytest.raises(AuthenticationError) as refused:
            client.sign_in()
    assert classify(refused.value) is ErrorClass.AUTH
    assert "GW-0011" in str(refused.value) and "not-the-secret" not in str(refused.value)


def test_a_sender_the_company_has_not_authorized_is_refused_at_sign_in(sandbox):
    with IntacctClient(rest_config(sandbox, client_id="other_client")) as client:
        with pytest.raises(AuthenticationError, match="not authorized to make Web Services requests"):
            client.sign_in()


# ------------------------------------------------------------------------------------------ reads


def _without_timestamps(records: list[dict]) -> list[dict]:
    # The timestamps' notation differs by design: XML answers the company's wall clock, REST UTC.
    return [{k: v for k, v in r.items() if k not in ("WHENMODIFIED", "WHENCREATED")} for r in records]


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_every_master_data_stream_reads_the_same_records_over_rest_as_over_xml(rest_client, xml_client, name):
    stream = STREAMS[name]
    over_rest = [r for page in rest_client.query_keyset(stream.object_name, list(stream.select), page_size=50)
                 for r in page]
    over_xml = [r for page in xml_client.query_keyset(stream.object_name, list(stream.select), page_size=50)
                for r in page]
    assert _without_timestamps(over_rest) == _without_timestamps(over_xml)


def test_the_modified_watermark_filters_and_orders_on_audit_modified_date_time(sandbox, rest_client):
    before = rest_client.query("VENDOR", ["RECORDNO", "VENDORID", "WHENMODIFIED"], order_by=["WHENMODIFIED"])
    sandbox.admin.advance_clock(seconds=120)
    sandbox.admin.update_record("VENDOR", VENDOR, {"NAME": "Renamed over the admin API"})
    newest = before.records[-1]["WHENMODIFIED"]
    changed = rest_client.query("VENDOR", ["RECORDNO", "VENDORID", "NAME", "WHENMODIFIED"],
                                Filter.greaterthan("WHENMODIFIED", newest), order_by=[("WHENMODIFIED", "ascending")])
    assert [r["VENDORID"] for r in changed.records] == [VENDOR]
    assert changed.records[0]["NAME"] == "Renamed over the admin API"


def test_offset_pages_report_what_remains(rest_client):
    first = rest_client.query("CUSTOMER", ["RECORDNO"], page_size=50)
    last = rest_client.query("CUSTOMER", ["RECORDNO"], page_size=50, offset=100)
    assert (first.total_count, first.num_remaining, len(first.records)) == (demo.SEEDED_CUSTOMER_COUNT, 70, 50)
    assert (last.num_remaining, len(last.records)) == (0, 20)


def test_user_defined_dimensions_are_listed_and_read_and_an_unpermitted_one_is_refused(rest_client, xml_client):
    assert rest_client.get_dimensions() == xml_client.get_dimensions()
    region = rest_client.query("REGION", ["id", "name", "status"], order_by=["id"])
    assert [r["id"] for r in region.records] == [v[0] for v in demo.UDDS[0].values]
    with pytest.raises(IntacctError) as refused:
        rest_client.query("CHANNEL", ["id"])
    assert classify(refused.value) is ErrorClass.PERMISSION


def test_entities_are_read_at_the_top_level_of_a_multi_entity_company(sandbox):
    with IntacctClient(rest_config(sandbox, demo.MULTI_ENTITY_COMPANY_ID)) as client:
        entities = [r for page in client.query_keyset("LOCATIONENTITY", ["LOCATIONID", "NAME", "STATUS"])
                    for r in page]
    assert [e["LOCATIONID"] for e in entities] == [e.id for e in demo.ENTITIES]


def test_the_closed_books_date_comes_through_the_xml_session_of_the_rest_token(rest_client, xml_client):
    assert rest_client.get_closed_books_date() == xml_client.get_closed_books_date() == CLOSED_THROUGH
    assert rest_client.get_financial_setup() == xml_client.get_financial_setup()
    assert rest_client.metrics.snapshot()["session_bridges"] == 1


def test_read_read_by_name_and_read_by_query_answer_xml_shaped_records(rest_client, xml_client):
    by_name = rest_client.read_by_name("CUSTOMER", [CUSTOMER], ["RECORDNO", "CUSTOMERID", "NAME", "DISPLAYCONTACT.EMAIL1"])
    assert by_name == xml_client.read_by_name("CUSTOMER", [CUSTOMER],
                                              ["RECORDNO", "CUSTOMERID", "NAME", "DISPLAYCONTACT.EMAIL1"])
    assert rest_client.read("CUSTOMER", [by_name[0]["RECORDNO"]], ["CUSTOMERID"]) == [{"CUSTOMERID": CUSTOMER}]
    active = list(rest_client.read_by_query("VENDOR", "STATUS = 'T'", ["VENDORID"], page_size=25))
    assert len(active) == len(list(xml_client.read_by_query("VENDOR", "STATUS = 'T'", ["VENDORID"], page_size=25)))
    assert rest_client.lookup("APBILL")["@Name"] == "APBILL"


# ------------------------------------------------------------------------------------------ writes


def test_documents_masters_and_terms_are_created_in_batches_and_seen_over_xml(sandbox, rest_client, xml_client):
    invoice = CreateInvoice({"customerid": CUSTOMER, "datecreated": TODAY, "termname": "N30", "invoiceno": "INV-R1",
                             "invoiceitems": {"lineitem": [{"glaccountno": "4000", "amount": Decimal("99.90"),
                                                            "GLDIMREGION": "10001"}]}},
                            "ar_invoice:INV-R1:v1", DocumentLookup("ARINVOICE", "RECORDID", "INV-R1"))
    writes = [invoice, bill("B-R1"), bill("B-R2"), journal("JE-R1"),
              Create({"CUSTOMER": {"CUSTOMERID": "C-R1", "NAME": "Rest Customer", "STATUS": "active",
                                   "DISPLAYCONTACT": {"PRINTAS": "Rest Customer", "EMAIL1": "r@example.com"}}},
                     "customer-C-R1-1"),
              Create({"VENDOR": {"VENDORID": "V-R1", "NAME": "Rest Vendor", "TERMNAME": "N30"}}, "vendor-V-R1-1"),
              Create({"ITEM": {"ITEMID": "I-R1", "NAME": "Rest Item", "ITEMTYPE": "Non-Inventory"}}, "item-I-R1-1"),
              CreateArTerm({"name": "Net 17", "due": {"dueday": 17, "duefrom": "from invoice date"}}, "arterm-17"),
              CreateApTerm({"name": "Net 19", "due": {"dueday": 19, "duefrom": "from bill date"}}, "apterm-19")]
    outcomes = rest_client.execute_writes(writes)
    assert [o.status for o in outcomes] == ["success"] * len(writes), [o.errors for o in outcomes]
    assert all(o.record_no for o in outcomes)
    # Two bills went in one request: a batch of two records.
    assert [r["RECORDID"] for r in sandbox.admin.posted("APBILL")] == ["B-R1", "B-R2"]
    [stored] = posted(sandbox, "ARINVOICE", "INV-R1")
    assert stored["LINES"][0]["GLDIMREGION"] == "10001" and stored["TOTALENTERED"] == "99.90"
    assert xml_client.read_by_name("CUSTOMER", ["C-R1"], ["NAME", "DISPLAYCONTACT.EMAIL1"]) == [
        {"NAME": "Rest Customer", "DISPLAYCONTACT": {"EMAIL1": "r@example.com"}}]
    assert xml_client.read_by_name("ITEM", ["I-R1"], ["ITEMTYPE"]) == [{"ITEMTYPE": "Non-Inventory"}]
    assert xml_client.read_by_name("ARTERM", ["Net 17"], ["DUEDATE", "DUEFROM"]) == [
        {"DUEDATE": "17", "DUEFROM": "from invoice date"}]
    assert rest_client.metrics.snapshot()["api_transactions"] >= len(writes)


def test_what_xml_created_rest_updates_and_what_rest_created_xml_reads(sandbox, rest_client, xml_client):
    [created] = xml_client.execute_writes([bill("B-X1")])
    update = Update({"APBILL": {"RECORDNO": created.record_no, "DESCRIPTION": "Changed over REST",
                                "APBILLITEMS": {"APBILLITEM": [
                                    {"ACCOUNTNO": "6220", "TRX_AMOUNT": Decimal("10")},
                                    {"ACCOUNTNO": "6100", "TRX_AMOUNT": Decimal("5")}]}}}, "ap_bill:B-X1:v2")
    [updated] = rest_client.execute_writes([update])
    assert updated.ok and updated.record_no == created.record_no
    [stored] = posted(sandbox, "APBILL", "B-X1")
    assert stored["DESCRIPTION"] == "Changed over REST" and stored["TOTALENTERED"] == "15.00"
    assert [line["ACCOUNTNO"] for line in stored["LINES"]] == ["6220", "6100"]  # the lines were replaced
    customer = Update({"CUSTOMER": {"CUSTOMERID": CUSTOMER, "NAME": "Renamed over REST"}}, "customer-upd-1")
    assert rest_client.execute_writes([customer])[0].ok
    assert xml_client.read_by_name("CUSTOMER", [CUSTOMER], ["NAME"]) == [{"NAME": "Renamed over REST"}]
    gone = rest_client.execute_writes([Delete("APBILL", [created.record_no], "delete-B-X1")])[0]
    assert gone.ok and not posted(sandbox, "APBILL", "B-X1")


def test_entity_writes_land_in_their_entity(sandbox):
    with IntacctClient(rest_config(sandbox, demo.MULTI_ENTITY_COMPANY_ID)) as client:
        location = demo.ENTITY_LOCATIONS["E200"][0]
        outcomes = client.execute_writes_by_entity({"E200": [bill("B-E2", LOCATIONID=location)]})
    assert outcomes[0].ok, outcomes[0].errors
    [stored] = [r for r in sandbox.admin.posted("APBILL", company=demo.MULTI_ENTITY_COMPANY_ID)
                if r["RECORDID"] == "B-E2"]
    assert stored["MEGAENTITYID"] == "E200"


# ------------------------------------------------------------------------------------------ resends


@pytest.mark.parametrize("fault", ["timeout_after_commit", "drop_connection", "rate_limit", "unavailable"])
def test_a_write_resent_after_a_fault_lands_once(sandbox, rest_client, sleep, fault):
    sandbox.admin.set_faults(next_faults=[fault], target="writes")
    [outcome] = rest_client.execute_writes([bill("B-F1")])
    assert outcome.ok and len(posted(sandbox, "APBILL", "B-F1")) == 1
    if fault == "timeout_after_commit":  # it ran: the resend was answered from the idempotency cache
        assert outcome.resolution == "idempotent_replay"
    if fault == "rate_limit":  # the throttle's Retry-After was honoured
        assert sleep.delays[0] == 1.0


def test_a_resend_in_another_run_is_answered_from_the_cache_never_posted_twice(sandbox, rest_client):
    first = rest_client.execute_writes([bill("B-C1"), bill("B-C2")])
    again = rest_client.execute_writes([bill("B-C1"), bill("B-C2")])
    assert [o.record_no for o in again] == [o.record_no for o in first]
    assert {o.resolution for o in again} == {"idempotent_replay"}
    assert len(sandbox.admin.posted("APBILL")) == 2


def test_the_same_controlid_with_another_body_is_refused_409_and_settled_by_its_number(sandbox, rest_client):
    [first] = rest_client.execute_writes([bill("B-K1")])
    [second] = rest_client.execute_writes([bill("B-K1", amount="999.00")])
    assert second.ok and second.resolution == "found_by_lookup" and second.record_no == first.record_no
    assert len(posted(sandbox, "APBILL", "B-K1")) == 1


def test_a_cached_refusal_is_not_replayed_once_its_cause_is_fixed(sandbox, rest_client):
    [refused] = rest_client.execute_writes([bill("B-V1", vendor="V-NEW")])
    assert refused.error_class is ErrorClass.INVALID_REFERENCE
    sandbox.admin.create_record("VENDOR", {"VENDORID": "V-NEW", "NAME": "Pushed vendor"})
    [posted_now] = rest_client.execute_writes([bill("B-V1", vendor="V-NEW")])
    assert posted_now.ok and len(posted(sandbox, "APBILL", "B-V1")) == 1


def test_an_unknown_outcome_after_the_last_retry_is_settled_by_the_document_number(sandbox, rest_client):
    rest_client.retry_policy.max_retries = 0
    sandbox.admin.set_faults(next_faults=["timeout_after_commit"], target="writes")
    [outcome] = rest_client.execute_writes([bill("B-U1")])
    assert outcome.ok and outcome.resolution == "found_by_lookup"
    assert len(posted(sandbox, "APBILL", "B-U1")) == 1


# ------------------------------------------------------------------------------------------ error classes


def _class_of(client, write) -> ErrorClass:
    [outcome] = client.execute_writes([write])
    assert not outcome.ok
    return outcome.error_class


def test_each_business_refusal_lands_in_its_error_class(sandbox, rest_client):
    assert _class_of(rest_client, bill("B-E1", when=CLOSED_THROUGH)) is ErrorClass.CLOSED_PERIOD
    assert _class_of(rest_client, bill("B-E2", vendor="V-NOPE")) is ErrorClass.INVALID_REFERENCE
    assert _class_of(rest_client, bill("B-E3", term="Net 90")) is ErrorClass.PAYMENT_TERM
    assert _class_of(rest_client, journal("JE-E4", debit="50", credit="40")) is ErrorClass.VALIDATION
    assert _class_of(rest_client, bill("B-E5", GLDIMCHANNEL="20001")) is ErrorClass.DIMENSION_UNAVAILABLE
    assert rest_client.execute_writes([bill("B-E6")])[0].ok
    assert _class_of(rest_client, bill("B-E6", controlid="entered-again")) is ErrorClass.DUPLICATE
    missing = Update({"APBILL": {"RECORDNO": "999999", "DESCRIPTION": "x"}}, "update-missing")
    assert _class_of(rest_client, missing) is ErrorClass.INVALID_REFERENCE
    unbalanced = journal("JE-E7", debit="50", credit="40")
    [outcome] = rest_client.execute_writes([unbalanced])
    assert any("Transactions do not balance" in e.description2 for e in outcome.errors)


def test_transient_answers_are_retried_honouring_retry_after(sandbox, rest_client, sleep):
    sandbox.admin.set_faults(next_faults=["rate_limit", "unavailable"], target="reads")
    assert rest_client.query("CLASS", ["CLASSID"]).records
    assert sleep.delays[:2] == [1.0, 1.0]
    assert rest_client.metrics.snapshot()["retries"] == 2


def test_the_tenants_concurrency_limit_answers_429_with_throttle_headers(sandbox, raw):
    import requests

    sandbox.admin.update_settings(concurrency_limit=1, latency_ms=300)
    results = []

    def call():
        results.append(raw.call("POST", "/services/core/query", {"object": "company-config/class", "fields": ["id"]}))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [r for r in results if r.status_code == 429]
    assert refused and all(isinstance(r, requests.Response) for r in refused)
    assert refused[0].headers["X-IA-Throttle-Limit-RetryAfter"] == "1" and refused[0].headers["Retry-After"] == "1"
    assert refused[0].json()["ia::error"]["code"] == "GW-0010"

