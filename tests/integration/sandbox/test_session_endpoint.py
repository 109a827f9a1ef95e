"""Where a session works. By default getAPISession returns the login URL and the session id works
there, as on Intacct (its SDK fixtures answer https://api.intacct.com/ia/xml/xmlgw.phtml).
`serve --session-endpoint-path` gives sessions a distinct endpoint instead, like a tenant that is
given another one: the session id then works only there, and a client that posts to the endpoint
it was given (ours does) works either way."""

import pytest

from include import demo_company as demo
from include.intacct import IntacctClient, IntacctConfig
from include.intacct_sandbox.process import start_sandbox
from tests.integration.sandbox.raw_gateway import envelope, fn, login_xml, post

SESSION_PATH = "/ia/xml/session/xmlgw.phtml"


@pytest.fixture(scope="module")
def distinct_session_sandbox(tmp_path_factory):
    with start_sandbox(tmp_path_factory.mktemp("sandbox-session-path"), session_endpoint_path=SESSION_PATH) as server:
        yield server


def _sign_in(url: str) -> tuple[str, str]:
    reply = post(url, envelope(fn("<getAPISession/>"), auth=login_xml()))
    api = reply.result().find("data/api")
    return api.findtext("sessionid"), api.findtext("endpoint")


def test_by_default_the_session_endpoint_is_the_login_url_and_the_session_works_there(sandbox):
    session_id, endpoint = _sign_in(sandbox.url)
    assert endpoint == sandbox.url
    reply = post(sandbox.url, envelope(fn("<getFinancialSetup/>"), auth=f"<sessionid>{session_id}</sessionid>"))
    assert reply.result().findtext("status") == "success"
    assert post(sandbox.base_url + SESSION_PATH, envelope(fn("<getFinancialSetup/>"))).status_code == 404


def test_a_distinct_session_endpoint_accepts_the_session_only_there(distinct_session_sandbox):
    server = distinct_session_sandbox
    session_id, endpoint = _sign_in(server.url)
    assert endpoint == server.base_url + SESSION_PATH
    auth = f"<sessionid>{session_id}</sessionid>"
    assert post(endpoint, envelope(fn("<getFinancialSetup/>"), auth=auth)).result().findtext("status") == "success"
    refused = post(server.url, envelope(fn("<getFinancialSetup/>"), auth=auth)).root
    assert refused.findtext("operation/authentication/status") == "failure"
    assert refused.findtext("operation/errormessage/error/description2") == "Invalid session"


@pytest.mark.parametrize("distinct", [False, True], ids=["login-url-endpoint", "distinct-endpoint"])
def test_our_client_works_with_either_endpoint(sandbox, distinct_session_sandbox, distinct):
    server = distinct_session_sandbox if distinct else sandbox.process
    with IntacctClient(IntacctConfig(**server.config_kwargs())) as client:
        assert client.session().endpoint == (server.base_url + SESSION_PATH if distinct else server.url)
        assert client.read_by_name("VENDOR", ["V-2001"], ["VENDORID", "NAME"]) == [
            {"VENDORID": "V-2001", "NAME": demo.vendor(0)["name"]}]
