"""Every answer of the gateway catalogue ends as its named IntacctError, through the real client over
HTTP against the scripted local gateway; no secret reaches the message."""

import pytest

from include.intacct import IntacctClient, IntacctConfig
from include.intacct.classify import classify
from include.intacct.errors import IntacctError, raw_snippet
from tests.bad_input.gateway_answers import CASES
from tests.unit.intacct.local_gateway import SENDER_PASSWORD, USER_PASSWORD, LocalGateway


@pytest.fixture
def gateway():
    with LocalGateway() as local:
        yield local


def _client(gateway) -> IntacctClient:
    config = IntacctConfig(gateway_url=gateway.url, sender_id="sender", sender_password=SENDER_PASSWORD,
                           company_id="C", user_id="xml_gateway", user_password=USER_PASSWORD, backoff_base=0.001,
                           backoff_max=0.002, read_timeout=5.0, max_retries=3, max_response_bytes=2048)
    return IntacctClient(config, sleep=lambda seconds: None)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_gateway_answer_the_client_cannot_use_ends_as_its_named_error(gateway, case):
    case.arrange(gateway)
    with _client(gateway) as client, pytest.raises(IntacctError) as raised:
        case.call(client)
    error = raised.value
    assert type(error) is case.raises, (type(error).__name__, str(error))
    assert case.message in str(error)
    assert classify(error) is case.error_class
    if case.with_snippet:
        assert "the answer began: " in str(error)
    for secret in (SENDER_PASSWORD, USER_PASSWORD, "SESSION-SECRET", "fAkESesSiOn"):
        assert secret not in str(error) and secret not in repr(error)


def test_every_gateway_case_has_its_own_name():
    assert len({c.name for c in CASES}) == len(CASES)


def test_a_redirect_is_never_followed_so_credentials_never_reach_the_other_host(gateway):
    with LocalGateway() as other:
        from tests.unit.intacct.local_gateway import Fault

        gateway.login_faults.append(Fault(307, b"", {"Location": other.url}))
        with _client(gateway) as client, pytest.raises(IntacctError, match="refused"):
            client.session()
        assert other.requests == []


def test_a_snippet_redacts_session_ids_and_passwords_even_when_cut_inside_one():
    body = b"<response><sessionid>SECRET-ID..</sessionid><password>pw-1</password><sessionid>SECRET-CU"
    shown = raw_snippet(body)
    assert "SECRET" not in shown and "pw-1" not in shown
    assert shown.count("***") == 3
    assert raw_snippet(b"x" * 1000).endswith("…(1,000 characters)")
    assert raw_snippet(b"a\x00b") == "'a\\x00b'"


@pytest.mark.parametrize("inner", ["<closedbooksdate/>", "<closedbooksdate><year/><month/><day/></closedbooksdate>",
                                   "<closedbooksdate></closedbooksdate>"])
def test_an_empty_closed_books_date_means_no_period_is_closed(gateway, inner):
    from tests.unit.intacct.local_gateway import result

    gateway.handlers["get_closedbooksdate"] = lambda call, cid: result("success", "get_closedbooksdate", cid,
                                                                      f"<data>{inner}</data>")
    with _client(gateway) as client:
        assert client.get_closed_books_date() is None
