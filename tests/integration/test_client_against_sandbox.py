"""The client against the real sandbox server over HTTP: sessions, paging, batched idempotent
writes, fault injection (429, 524, dropped connections) and session expiry."""

import time
from datetime import date

import pytest

from include.error_classes import ErrorClass
from include.intacct import IntacctClient, IntacctConfig
from include.intacct.classify import classify
from include.intacct.errors import SessionRejected
from include.intacct.functions import Create, CreateArTerm, DocumentLookup
from include.intacct.query_filter import Filter


class RecordingSleep:
    """Records the delays the client asks for and sleeps only briefly, so tests stay fast."""

    def __init__(self):
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        time.sleep(min(seconds, 0.05))


@pytest.fixture
def sleep():
    return RecordingSleep()


@pytest.fixture
def client(sandbox, sleep):
    config = IntacctConfig(**sandbox.config_kwargs, backoff_base=0.01, backoff_max=0.05, read_timeout=10.0)
    with IntacctClient(config, sleep=sleep) as intacct:
        yield intacct


def bill(number: str, **line_overrides) -> Create:
    today = date.today()
    line = {"ACCOUNTNO": "6220", "TRX_AMOUNT": "125.50", "DEPARTMENTID": "ADMIN", "LOCATIONID": "100",
            "ENTRYDESCRIPTION": "Fittings & <valves> für Lager", **line_overrides}
    return Create(
        {"APBILL": {"VENDORID": "V-2001", "RECORDID": number, "WHENCREATED": today, "WHENPOSTED": today,
                    "TERMNAME": "N30", "APBILLITEMS": {"APBILLITEM": [line]}}},
        controlid=f"apbill-{number}-v1",
        lookup=DocumentLookup("APBILL", "RECORDID", number),
    )


def posted_bills(sandbox, number: str) -> list[dict]:
    return [b for b in sandbox.admin.posted("APBILL") if b["RECORDID"] == number]


def test_client_from_environment_signs_in_and_uses_the_endpoint_intacct_returns(sandbox):
    with IntacctClient(IntacctConfig.from_env(sandbox.env)) as client:
        session = client.session()
        assert session.endpoint == sandbox.url  # the login URL, as real Intacct answers by default
        assert client.read_by_name("VENDOR", ["V-2001"], ["VENDORID", "NAME"]) == [
            {"VENDORID": "V-2001", "NAME": "Apex Supply Co"}
        ]
        assert client.metrics.snapshot()["logins"] == 1


def test_read_by_query_and_read_more_return_every_vendor_once(client):
    vendors = list(client.read_by_query("VENDOR", "", ["RECORDNO", "VENDORID"], page_size=25))
    assert len(vendors) == 60
    assert len({v["RECORDNO"] for v in vendors}) == 60
    assert client.metrics.snapshot()["api_transactions"] == 3  # readByQuery + 2 readMore


def test_keyset_paging_over_several_pages_is_complete_and_ordered(client):
    active = Filter.equalto("STATUS", "active")
    expected = client.query("CUSTOMER", ["RECORDNO"], active, page_size=1).total_count
    pages = list(client.query_keyset("CUSTOMER", ["CUSTOMERID"], active, page_size=50))
    record_nos = [int(r["RECORDNO"]) for page in pages for r in page]
    assert len(pages) > 1 and all(len(p) <= 50 for p in pages)
    assert len(record_nos) == expected and record_nos == sorted(set(record_nos))


def test_batched_creates_report_one_outcome_per_controlid(sandbox, client):
    functions = [
        bill("B-100"),
        bill("B-101", PROJECTID="NOPE-1"),
        bill("B-102"),
        Create({"APBILL": {**bill("B-103").records["APBILL"], "WHENCREATED": date(2020, 1, 15),
                           "WHENPOSTED": date(2020, 1, 15)}}, controlid="apbill-B-103-v1"),
        bill("B-104", GLDIMCHANNEL="20001"),
    ]
    config = IntacctConfig(**{**sandbox.config_kwargs, "functions_per_request": 2})
    with IntacctClient(config) as batched:
        outcomes = batched.execute_writes(functions)
        snapshot = batched.metrics.snapshot()
    assert [o.controlid for o in outcomes] == [f.controlid for f in functions]
    assert [(o.status, o.error_class) for o in outcomes] == [
        ("success", None),
        ("failure", ErrorClass.INVALID_REFERENCE),
        ("success", None),
        ("failure", ErrorClass.CLOSED_PERIOD),
        ("failure", ErrorClass.DIMENSION_UNAVAILABLE),
    ]
    assert outcomes[0].record_no and outcomes[0].record_no != outcomes[2].record_no
    assert snapshot["http_requests"] == 1 + 3  # login + 3 batches of at most 2
    [posted] = posted_bills(sandbox, "B-100")
    assert posted["LINES"][0]["ENTRYDESCRIPTION"] == "Fittings & <valves> für Lager"
    assert snapshot["api_transactions"] == sandbox.admin.counters("DEMO")["DEMO"]["api_transactions"]


def test_resending_the_same_controlid_is_refused_as_already_recorded_and_linked(sandbox, client):
    [first] = client.execute_writes([bill("B-200")])
    [again] = client.execute_writes([bill("B-200")])
    assert (again.status, again.resolution, again.error_class) == ("success", "already_recorded", ErrorClass.DUPLICATE)
    assert again.record_no == first.record_no
    assert len(posted_bills(sandbox, "B-200")) == 1


def test_rate_limit_429_is_retried_after_the_retry_after_delay(sandbox, client, sleep):
    client.session()
    sandbox.admin.set_faults(next_faults=["rate_limit"])
    assert len(client.read_by_name("VENDOR", ["V-2001", "V-2002"])) == 2
    assert sleep.delays == [1.0]  # the sandbox's Retry-After
    assert client.metrics.snapshot()["retries"] == 1


def test_write_answered_524_after_commit_is_resent_and_found_already_recorded(sandbox, client):
    client.session()
    sandbox.admin.set_faults(next_faults=["timeout_after_commit"])
    [outcome] = client.execute_writes([bill("B-300")])
    [posted] = posted_bills(sandbox, "B-300")
    assert (outcome.status, outcome.resolution) == ("success", "already_recorded_on_resend")
    assert outcome.record_no == posted["RECORDNO"]


def test_write_whose_connection_dropped_is_resent_and_posted_once(sandbox, client):
    client.session()
    sandbox.admin.set_faults(next_faults=["drop_connection"])
    [outcome] = client.execute_writes([bill("B-400")])
    assert outcome.status == "success"
    assert outcome.resolution in ("resent_after_unknown_outcome", "already_recorded_on_resend")
    assert len(posted_bills(sandbox, "B-400")) == 1
    assert client.metrics.snapshot()["resends"] == 1


def test_html_error_pages_are_retried_as_transient(sandbox, client):
    client.session()
    sandbox.admin.set_faults(next_faults=["bad_gateway", "html_page"])
    assert client.lookup("APBILL")["@Name"] == "APBILL"
    assert client.metrics.snapshot()["retries"] == 2


def test_expired_session_leads_to_exactly_one_new_login(sandbox, client):
    client.session()
    sandbox.admin.expire_sessions("DEMO")
    assert client.get_closed_books_date() is not None
    assert client.metrics.snapshot()["logins"] == 2


def test_sessions_that_expire_again_and_again_are_renewed_each_time_and_the_call_succeeds(sandbox, client):
    client.session()
    # Call (expired), sign-in (expiry before it: nothing to expire yet), call (expired), sign-in, call.
    sandbox.admin.set_faults(next_faults=["session_expiry"] * 3)
    assert client.get_dimensions()
    metrics = client.metrics.snapshot()
    assert (metrics["logins"], metrics["session_renewals"]) == (3, 2)


def test_a_session_refused_on_every_try_is_a_transient_failure_not_an_authentication_error(sandbox, client):
    client.session()
    sandbox.admin.set_faults(next_faults=["session_expiry"] * 50)
    with pytest.raises(SessionRejected, match="refused the API session") as raised:
        client.get_dimensions()
    assert classify(raised.value) is ErrorClass.TRANSIENT
    assert client.metrics.snapshot()["session_renewals"] == client.retry_policy.max_retries


def test_closed_books_date_follows_the_company_setting(sandbox, client):
    sandbox.admin.close_books(through="2025-12-31")
    assert client.get_closed_books_date() == date(2025, 12, 31)


def test_parallel_batches_stay_within_the_tenant_concurrency_limit(sandbox):
    sandbox.admin.update_settings(function_latency_ms=40)
    config = IntacctConfig(**{**sandbox.config_kwargs, "functions_per_request": 1, "max_concurrency": 2})
    with IntacctClient(config) as client:
        outcomes = client.execute_writes([bill(f"B-5{n:02d}") for n in range(6)])
        snapshot = client.metrics.snapshot()
    assert all(o.ok for o in outcomes)
    assert snapshot["retries"] == 0  # the sandbox answers 429 past 2 requests in flight; none happened


def test_a_term_created_through_the_legacy_function_can_be_read_back(client):
    [outcome] = client.execute_writes([
        CreateArTerm({"name": "Net 17", "description": "Net 17 days",
                      "due": {"dueday": 17, "duefrom": "from invoice date"}}, controlid="arterm-Net 17-v1"),
    ])
    assert (outcome.status, outcome.key) == ("success", "Net 17")
    [term] = client.read_by_name("ARTERM", ["Net 17"], ["NAME", "DUEDATE"])
    assert term == {"NAME": "Net 17", "DUEDATE": "17"}


def test_a_resent_batch_answered_already_recorded_finds_every_record_no_in_one_query(sandbox, client):
    first = client.execute_writes([bill(f"B-9{n:02d}") for n in range(30)])
    before = client.metrics.snapshot()["http_requests"]
    again = client.execute_writes([bill(f"B-9{n:02d}") for n in range(30)])
    assert [o.resolution for o in again] == ["already_recorded"] * 30
    assert [o.record_no for o in again] == [o.record_no for o in first] and all(o.record_no for o in again)
    assert client.metrics.snapshot()["http_requests"] - before == 2  # the resent batch, one lookup
