"""The client over real HTTP against a local scripted gateway: sessions, retries, resends,
batching, concurrency, size cap, counters and logs."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from include.error_classes import ErrorClass
from include.intacct import IntacctClient, IntacctConfig
from include.intacct.classify import classify
from include.intacct.errors import AuthenticationError, FunctionError, SessionRejected, TransportError
from include.intacct.functions import Create, CreateInvoice, DocumentLookup, Update
from include.intacct.query_filter import Filter
from tests.unit.intacct.local_gateway import (
    SENDER_PASSWORD,
    USER_PASSWORD,
    Fault,
    LocalGateway,
    error_xml,
    result,
)


@pytest.fixture
def gateway():
    with LocalGateway() as local:
        yield local


def make_client(gateway, **overrides):
    settings = dict(
        gateway_url=gateway.url, sender_id="sender", sender_password=SENDER_PASSWORD, company_id="C",
        user_id="xml_gateway", user_password=USER_PASSWORD, backoff_base=0.01, backoff_max=0.05,
        read_timeout=5.0, max_retries=3,
    )
    settings.update(overrides)
    return IntacctClient(IntacctConfig(**settings))


def records_result(controlid, function, tag, rows, **attributes):
    attrs = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    body = "".join(f"<{tag}>" + "".join(f"<{k}>{v}</{k}>" for k, v in row.items()) + f"</{tag}>" for row in rows)
    return result("success", function, controlid, f"<data {attrs}>{body}</data>")


def add_glaccount_pages(gateway, total=5, page=2):
    rows = [{"RECORDNO": n, "ACCOUNTNO": 1000 + n} for n in range(1, total + 1)]
    state = {"served": 0}

    def serve(controlid, function):
        chunk = rows[state["served"] : state["served"] + page]
        state["served"] += len(chunk)
        return records_result(controlid, function, "glaccount", chunk, listtype="glaccount", count=len(chunk),
                              totalcount=total, numremaining=total - state["served"], resultId="RID-1")

    gateway.handlers["readByQuery"] = lambda call, cid: serve(cid, "readByQuery")
    gateway.handlers["readMore"] = lambda call, cid: serve(cid, "readMore")


def test_login_is_its_own_request_then_calls_use_the_returned_endpoint_and_session(gateway):
    gateway.handlers["lookup"] = lambda call, cid: result("success", "lookup", cid, "<data/>")
    add_glaccount_pages(gateway, total=1)
    with make_client(gateway) as client:
        assert len(list(client.read_by_query("GLACCOUNT"))) == 1
        assert client.lookup("GLACCOUNT") == {}
    login, *calls = gateway.requests
    assert login.is_login and [f[0].tag for f in login.functions] == ["getAPISession"]
    assert login.path == "/ia/xml/xmlgw.phtml"
    assert all(c.path == "/session/xmlgw.phtml" and c.session_id == "SESSION-SECRET-1" for c in calls)
    assert client.metrics.snapshot()["logins"] == 1


def test_read_by_query_follows_read_more_until_nothing_remains(gateway):
    add_glaccount_pages(gateway, total=5, page=2)
    with make_client(gateway) as client:
        records = list(client.read_by_query("GLACCOUNT", "STATUS = 'T'", ["RECORDNO", "ACCOUNTNO"], page_size=2))
    assert [r["RECORDNO"] for r in records] == ["1", "2", "3", "4", "5"]
    names = [r.functions[0][0].tag for r in gateway.requests[1:]]
    assert names == ["readByQuery", "readMore", "readMore"]
    assert gateway.requests[2].functions[0].findtext("readMore/resultId") == "RID-1"
    assert client.metrics.snapshot()["api_transactions"] == 3


def test_query_keyset_asks_for_recordno_after_the_last_one_in_recordno_order(gateway):
    rows = [{"RECORDNO": n, "NAME": f"V{n}"} for n in (3, 8, 9, 15, 20)]

    def query(call, controlid):
        after = call.findtext(".//greaterthan/value")
        remaining = [r for r in rows if after is None or r["RECORDNO"] > int(after)]
        size = int(call.findtext("pagesize"))
        page = remaining[:size]
        return records_result(controlid, "query", "VENDOR", page, listtype="VENDOR", count=len(page),
                              totalcount=len(remaining), offset=0, numremaining=len(remaining) - len(page))

    gateway.handlers["query"] = query
    with make_client(gateway) as client:
        pages = list(client.query_keyset("VENDOR", ["NAME"], Filter.equalto("STATUS", "active"), page_size=2))
    assert [[r["RECORDNO"] for r in p] for p in pages] == [["3", "8"], ["9", "15"], ["20"]]
    second = gateway.requests[2].functions[0].find("query")
    assert [c.tag for c in second.find("filter/and")] == ["equalto", "greaterthan"]
    assert second.findtext("filter/and/greaterthan/value") == "8"
    assert second.findtext("orderby/order/field") == "RECORDNO"
    assert [f.text for f in second.findall("select/field")] == ["RECORDNO", "NAME"]


def test_read_batches_100_keys_per_call_in_one_request(gateway):
    def read(call, controlid):
        keys = call.findtext("keys").split(",")
        return records_result(controlid, "read", "VENDOR", [{"RECORDNO": k} for k in keys], listtype="VENDOR")

    gateway.handlers["read"] = read
    with make_client(gateway) as client:
        records = client.read("VENDOR", range(1, 251))
    assert [r["RECORDNO"] for r in records] == [str(n) for n in range(1, 251)]
    [request] = gateway.requests[1:]
    assert [len(f.findtext("read/keys").split(",")) for f in request.functions] == [100, 100, 50]
    assert client.metrics.snapshot()["api_transactions"] == 3


def test_gateway_rejecting_the_session_causes_exactly_one_new_login(gateway):
    add_glaccount_pages(gateway, total=1)
    with make_client(gateway) as client:
        client.session()
        gateway.sessions.clear()  # the gateway forgets the session (expired server-side)
        assert len(list(client.read_by_query("GLACCOUNT"))) == 1
    assert [r.is_login for r in gateway.requests] == [True, False, True, False]


def test_session_refused_after_every_renewal_is_transient_with_one_login_per_refusal(gateway):
    with make_client(gateway, max_retries=3) as client:
        client.session()
        gateway.reject_sessions = True
        with pytest.raises(SessionRejected, match="Invalid session") as raised:
            list(client.read_by_query("GLACCOUNT"))
    assert classify(raised.value) is ErrorClass.TRANSIENT
    assert sum(r.is_login for r in gateway.requests) == 1 + 3
    assert client.metrics.snapshot()["session_renewals"] == 3


def test_threads_meeting_one_session_expiry_share_one_new_login(gateway):
    add_glaccount_pages(gateway, total=1)
    gateway.response_delay = 0.05
    with make_client(gateway, max_concurrency=4) as client:
        client.session()
        gateway.sessions.clear()  # the session expires while four requests are on their way
        with ThreadPoolExecutor(4) as pool:  # the first read gets the one page, the others an empty one
            results = list(pool.map(lambda _: list(client.read_by_query("GLACCOUNT")), range(4)))
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert sum(r.is_login for r in gateway.requests) == 2
    assert client.metrics.snapshot()["session_renewals"] == 1


def test_expired_session_is_renewed_before_the_call(gateway):
    gateway.session_seconds = 30  # inside the client's 60 s refresh margin: treat as expiring
    add_glaccount_pages(gateway, total=1)
    with make_client(gateway) as client:
        client.session()
        list(client.read_by_query("GLACCOUNT"))
    assert [r.is_login for r in gateway.requests] == [True, True, False]


def test_wrong_user_password_fails_fast_as_auth_without_retries(gateway):
    with make_client(gateway, user_password="wrong-password") as client:
        with pytest.raises(AuthenticationError) as raised:
            client.session()
    assert classify(raised.value) is ErrorClass.AUTH
    assert len(gateway.requests) == 1 and client.metrics.snapshot()["retries"] == 0


def test_rate_limit_429_is_retried_honouring_retry_after(gateway):
    add_glaccount_pages(gateway, total=1)
    gateway.faults.append(Fault(429, b"<response><control><status>failure</status></control><errormessage><error>"
                                     b"<errorno>GW-0010</errorno><description>Too Many Requests</description></error>"
                                     b"</errormessage></response>", {"Retry-After": "0"}))
    slept = []
    client = IntacctClient(make_client(gateway).config, sleep=slept.append)
    assert len(list(client.read_by_query("GLACCOUNT"))) == 1
    assert slept == [0.0]
    snapshot = client.metrics.snapshot()
    assert (snapshot["retries"], snapshot["http_requests"]) == (1, 3)


def test_html_error_page_becomes_transient_error_with_http_status(gateway):
    gateway.faults.extend([Fault(502), Fault(502)])
    with make_client(gateway, max_retries=1) as client:
        client.session()
        with pytest.raises(TransportError) as raised:
            list(client.read_by_query("GLACCOUNT"))
    assert raised.value.http_status == 502 and classify(raised.value) is ErrorClass.TRANSIENT
    assert client.metrics.snapshot()["retries"] == 1


def test_function_failure_raises_with_every_error_line(gateway):
    gateway.handlers["readByQuery"] = lambda call, cid: result("failure", "readByQuery", cid, error_xml(
        "Query Failed", "Object definition BADOBJECT not found"))
    with make_client(gateway) as client:
        with pytest.raises(FunctionError, match="Object definition BADOBJECT not found") as raised:
            list(client.read_by_query("BADOBJECT"))
    assert raised.value.function == "readByQuery" and raised.value.errors[0].errorno == "Query Failed"


def bills(count, prefix="bill"):
    return [Create({"APBILL": {"VENDORID": "V1", "RECORDID": f"B{n}"}}, controlid=f"{prefix}-{n}-v1",
                   lookup=DocumentLookup("APBILL", "RECORDID", f"B{n}")) for n in range(count)]


def test_writes_are_split_into_requests_and_matched_back_by_controlid(gateway):
    gateway.shuffle_results = True
    functions = bills(5)
    functions[3] = Create({"APBILL": {"FAIL": "Invalid Project '10064' specified."}}, controlid="bill-3-v1")
    with make_client(gateway, functions_per_request=2) as client:
        outcomes = client.execute_writes(functions)
    assert [o.controlid for o in outcomes] == [f.controlid for f in functions]
    assert [o.status for o in outcomes] == ["success", "success", "success", "failure", "success"]
    assert outcomes[3].error_class is ErrorClass.INVALID_REFERENCE and outcomes[3].resolution == "rejected"
    assert all(o.record_no for o in outcomes if o.ok)
    writes = [r for r in gateway.requests if not r.is_login]
    assert sorted(len(r.functions) for r in writes) == [1, 2, 2]  # requests run in parallel: any order
    assert all(r.root.findtext("control/uniqueid") == "true" for r in writes)
    snapshot = client.metrics.snapshot()
    assert (snapshot["api_transactions"], snapshot["write_failures"]) == (4, 1)


def test_transaction_true_marks_the_operation_and_reports_aborted_functions(gateway):
    def create(call, controlid):
        rollback = error_xml("XL03000009", "The entire transaction in this operation has been rolled back due to an error.")
        return result("aborted", "create", controlid, rollback)

    gateway.handlers["create"] = create
    with make_client(gateway) as client:
        outcomes = client.execute_writes(bills(2), transaction=True)
    assert gateway.requests[-1].root.find("operation").get("transaction") == "true"
    assert [(o.status, o.resolution) for o in outcomes] == [("aborted", "rolled_back")] * 2


def test_write_answered_524_is_resent_with_same_controlid_and_found_already_recorded(gateway):
    gateway.handlers["query"] = lambda call, cid: records_result(cid, "query", "APBILL", [{"RECORDNO": 77}],
                                                                 listtype="APBILL", count=1, numremaining=0)
    with make_client(gateway) as client:
        client.session()
        gateway.faults.append(Fault(524, after_processing=True))
        [outcome] = client.execute_writes(bills(1))
    first, second = [r for r in gateway.requests if not r.is_login][:2]
    assert first.controlids == second.controlids == ["bill-0-v1"]
    assert second.root.findtext("control/uniqueid") == "true"
    assert (outcome.status, outcome.resolution, outcome.record_no) == ("success", "already_recorded_on_resend", "77")
    assert outcome.error_class is ErrorClass.DUPLICATE
    assert gateway.requests[-1].functions[0].findtext("query/filter/equalto/value") == "B0"
    assert client.metrics.snapshot()["resends"] == 1


def test_write_read_timeout_is_resent_and_recognised_as_landed(gateway):
    with make_client(gateway, read_timeout=0.3) as client:
        client.session()
        gateway.faults.append(Fault(200, after_processing=True, delay=0.6))
        [outcome] = client.execute_writes([Create({"CLASS": {"CLASSID": "C1"}}, controlid="class-C1-v1")])
    assert (outcome.status, outcome.resolution) == ("success", "already_recorded_on_resend")
    assert outcome.record_no is None  # no lookup given: landed, RECORDNO unknown


def test_write_not_processed_before_a_timeout_lands_once_on_resend(gateway):
    with make_client(gateway) as client:
        client.session()
        gateway.faults.append(Fault(524))  # CDN cut the connection before the gateway ran it
        [outcome] = client.execute_writes(bills(1))
    assert (outcome.status, outcome.resolution) == ("success", "resent_after_unknown_outcome")
    assert outcome.record_no is not None


def test_write_outcome_unknown_after_all_retries_is_looked_up_by_document_number(gateway):
    gateway.handlers["query"] = lambda call, cid: records_result(cid, "query", "APBILL", [{"RECORDNO": 91}],
                                                                 listtype="APBILL", count=1, numremaining=0)
    with make_client(gateway, max_retries=1) as client:
        client.session()
        gateway.faults.extend([Fault(524, after_processing=True), Fault(524)])
        [outcome] = client.execute_writes(bills(1))
    assert (outcome.status, outcome.resolution, outcome.record_no) == ("success", "found_by_lookup", "91")


def test_write_outcome_unknown_without_lookup_is_reported_not_guessed(gateway):
    with make_client(gateway, max_retries=0) as client:
        client.session()
        gateway.faults.append(Fault(524))
        [outcome] = client.execute_writes([Create({"CLASS": {"CLASSID": "C1"}}, controlid="class-C1-v1")])
    assert (outcome.status, outcome.resolution, outcome.error_class) == ("failure", "outcome_unknown",
                                                                         ErrorClass.TRANSIENT)


def _failing_query(call, cid):
    return result("failure", "query", cid, error_xml("BL01001973", "Query failed", "Please Try Again Later"))


def test_already_recorded_write_whose_record_no_lookup_fails_is_unresolved_never_a_bare_success(gateway):
    gateway.recorded_controlids.add("bill-0-v1")  # landed in an earlier attempt
    gateway.handlers["query"] = _failing_query
    with make_client(gateway, max_retries=1) as client:
        [outcome] = client.execute_writes(bills(1))
    assert (outcome.status, outcome.resolution, outcome.error_class) == ("unresolved", "lookup_failed",
                                                                         ErrorClass.TRANSIENT)
    assert not outcome.ok and outcome.record_no is None
    assert "already recorded controlid bill-0-v1" in outcome.errors[0].description2
    assert client.metrics.snapshot()["unresolved"] == 1


def test_already_recorded_write_found_by_number_is_a_success_with_its_record_no(gateway):
    gateway.recorded_controlids.add("bill-0-v1")
    gateway.handlers["query"] = lambda call, cid: records_result(cid, "query", "APBILL", [{"RECORDNO": 77}],
                                                                 listtype="APBILL", count=1, numremaining=0)
    with make_client(gateway) as client:
        [outcome] = client.execute_writes(bills(1))
    assert (outcome.status, outcome.resolution, outcome.record_no) == ("success", "already_recorded", "77")


def test_already_recorded_write_missing_in_intacct_is_an_error_that_says_so(gateway):
    gateway.recorded_controlids.add("bill-0-v1")
    gateway.handlers["query"] = lambda call, cid: records_result(cid, "query", "APBILL", [], listtype="APBILL",
                                                                 count=0, numremaining=0)
    with make_client(gateway) as client:
        [outcome] = client.execute_writes(bills(1))
    assert (outcome.status, outcome.resolution, outcome.error_class) == ("failure", "already_recorded_not_found",
                                                                         ErrorClass.UNKNOWN)
    assert "APBILL RECORDID = 'B0'" in outcome.errors[-1].description2


def test_already_recorded_update_carries_the_record_no_it_names_without_a_lookup(gateway):
    gateway.recorded_controlids.add("upd-1")
    update = Update({"APBILL": {"RECORDNO": "501", "DESCRIPTION": "x"}}, controlid="upd-1")
    with make_client(gateway) as client:
        [outcome] = client.execute_writes([update])
    assert (outcome.status, outcome.record_no) == ("success", "501")
    assert not any(r.functions and r.functions[0][0].tag == "query" for r in gateway.requests)


def test_outcome_unknown_and_lookup_failing_is_unresolved(gateway):
    gateway.handlers["query"] = _failing_query
    with make_client(gateway, max_retries=0) as client:
        client.session()
        gateway.faults.append(Fault(524, after_processing=True))
        [outcome] = client.execute_writes(bills(1))
    assert outcome.status == "unresolved" and "outcome is unknown" in outcome.errors[0].description2


def test_requests_in_flight_never_exceed_max_concurrency(gateway):
    gateway.response_delay = 0.1
    with make_client(gateway, functions_per_request=1, max_concurrency=2) as client:
        client.session()
        outcomes = client.execute_writes(bills(6))
    assert all(o.ok for o in outcomes)
    assert gateway.max_in_flight == 2


def test_concurrency_limit_is_shared_by_clients_of_one_company_in_a_process(gateway):
    gateway.response_delay = 0.1
    clients = [make_client(gateway, company_id="SHARED", functions_per_request=1, max_concurrency=2) for _ in range(2)]
    threads = [threading.Thread(target=c.execute_writes, args=(bills(3, prefix=f"c{i}"),)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gateway.max_in_flight <= 2


def test_response_over_the_size_cap_is_refused_while_streaming(gateway):
    big = "x" * 4000
    gateway.handlers["readByQuery"] = lambda call, cid: records_result(cid, "readByQuery", "glaccount",
                                                                       [{"TITLE": big}], numremaining=0)
    with make_client(gateway, max_response_bytes=2048) as client:
        client.session()
        with pytest.raises(TransportError, match="over the 2048-byte cap|exceeded the 2048-byte cap") as raised:
            list(client.read_by_query("GLACCOUNT"))
    assert raised.value.transient is False


def test_duplicate_controlids_in_one_call_fail_fast(gateway):
    with make_client(gateway) as client:
        with pytest.raises(ValueError, match="controlid 'bill-0-v1' appears twice"):
            client.execute_writes(bills(1) + bills(1))
    assert gateway.requests == []


def test_legacy_create_invoice_key_is_returned(gateway):
    gateway.handlers["create_invoice"] = lambda call, cid: result("success", "create_invoice", cid, "<key>C1234</key>")
    invoice = CreateInvoice({"customerid": "C1", "datecreated": "05/01/2024", "termname": "N30",
                             "invoiceitems": {"lineitem": {"glaccountno": "4000", "amount": 1}}}, controlid="inv-1-v1")
    with make_client(gateway) as client:
        [outcome] = client.execute_writes([invoice])
    assert (outcome.status, outcome.key) == ("success", "C1234")


def test_metadata_reads_return_plain_shapes(gateway):
    gateway.handlers["get_closedbooksdate"] = lambda call, cid: result(
        "success", "get_closedbooksdate", cid,
        "<data><closedbooksdate><year>2024</year><month>03</month><day>31</day></closedbooksdate></data>")
    gateway.handlers["getDimensions"] = lambda call, cid: result(
        "success", "getDimensions", cid, "<data><dimensions><dimension><objectName>DEPARTMENT</objectName></dimension>"
        "</dimensions></data>")
    gateway.handlers["lookup"] = lambda call, cid: result(
        "success", "lookup", cid, '<data><Type Name="GLBATCH"><Fields><Field><ID>JOURNAL</ID></Field></Fields></Type></data>')
    with make_client(gateway) as client:
        assert client.get_closed_books_date() == date(2024, 3, 31)
        assert client.get_dimensions() == [{"objectName": "DEPARTMENT"}]
        assert client.lookup("GLBATCH") == {"@Name": "GLBATCH", "Fields": {"Field": {"ID": "JOURNAL"}}}


def test_empty_closed_books_date_is_none(gateway):
    gateway.handlers["get_closedbooksdate"] = lambda call, cid: result(
        "success", "get_closedbooksdate", cid, "<data><closedbooksdate><year></year><month></month><day></day>"
        "</closedbooksdate></data>")
    with make_client(gateway) as client:
        assert client.get_closed_books_date() is None


def test_logs_and_errors_never_contain_passwords_or_session_ids(gateway, caplog):
    caplog.set_level(logging.DEBUG, logger="include.intacct")
    add_glaccount_pages(gateway, total=1)
    gateway.faults.append(Fault(502))
    with make_client(gateway) as client:
        list(client.read_by_query("GLACCOUNT"))
        gateway.reject_sessions = True
        with pytest.raises(SessionRejected) as raised:
            list(client.read_by_query("GLACCOUNT"))
    text = caplog.text + str(raised.value) + repr(raised.value) + repr(client) + repr(client.sessions)
    for secret in (SENDER_PASSWORD, USER_PASSWORD, "SESSION-SECRET"):
        assert secret not in text
    assert "retry 1 of 3" in caplog.text


def test_bad_input_fails_fast_before_any_request(gateway):
    with make_client(gateway) as client:
        with pytest.raises(ValueError, match="page size must be an integer from 1 to 1000, got 5000"):
            client.read_by_query("VENDOR", page_size=5000)
        with pytest.raises(ValueError, match="page size must be an integer from 1 to 2000, got 2001"):
            client.query_keyset("VENDOR", ["NAME"], page_size=2001)
        with pytest.raises(TypeError, match="object name must be a string"):
            client.read(None, [1])
        with pytest.raises(TypeError, match="execute_writes takes write functions"):
            client.execute_writes(["not a function"])
    with pytest.raises(TypeError, match="needs an IntacctConfig"):
        IntacctClient({"gateway_url": gateway.url})
    assert gateway.requests == []


def test_metrics_reset_returns_the_run_and_starts_from_zero(gateway):
    add_glaccount_pages(gateway, total=1)
    with make_client(gateway) as client:
        list(client.read_by_query("GLACCOUNT"))
        run = client.metrics.reset()
        assert (run["http_requests"], run["api_transactions"]) == (2, 1)
        assert client.metrics.snapshot()["http_requests"] == 0
