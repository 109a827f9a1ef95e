"""The fixture other test suites rely on: a server that is up, reset and reachable."""

import requests

from include import demo_company as demo


def test_sandbox_fixture_exposes_gateway_url_admin_and_client_settings(sandbox):
    assert sandbox.url.endswith("/ia/xml/xmlgw.phtml")
    assert sandbox.admin.health() == {"status": "ok"}
    assert sandbox.config_kwargs["company_id"] == demo.COMPANY_ID
    assert sandbox.config_kwargs["sender_id"] == demo.SANDBOX_SENDER_ID
    assert sandbox.config_kwargs["user_id"] == demo.SANDBOX_USER_ID
    assert sandbox.env["INTACCT_GATEWAY_URL"] == sandbox.url
    assert set(sandbox.env) == {"INTACCT_GATEWAY_URL", "INTACCT_SENDER_ID", "INTACCT_SENDER_PASSWORD",
                                "INTACCT_COMPANY_ID", "INTACCT_USER_ID", "INTACCT_USER_PASSWORD"}


def test_sandbox_fixture_resets_the_company_before_each_test_part_one(sandbox):
    sandbox.admin.deactivate("ARTERM", "N30")
    assert requests.get(sandbox.base_url + "/admin/closed-books", timeout=5).status_code == 200


def test_sandbox_fixture_resets_the_company_before_each_test_part_two(sandbox):
    # The previous test deactivated N30; the reset brought it back.
    record = sandbox.admin.update_record("ARTERM", "N30", {"DESCRIPTION": "Net 30 days"})
    assert record["STATUS"] == "active"


def test_secrets_do_not_appear_in_the_handle_repr(sandbox):
    text = repr(sandbox)
    assert sandbox.config_kwargs["sender_password"] not in text
    assert sandbox.config_kwargs["user_password"] not in text
