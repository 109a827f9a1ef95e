"""The readiness check's fix texts, verdict, output and command-line usage."""

import json

import pytest

from include.intacct.__main__ import main
from include.intacct.config import IntacctConfig
from include.intacct.errors import (
    AuthenticationError,
    ControlError,
    ErrorDetail,
    FunctionError,
    TransportError,
)
from include.intacct.preflight import (
    WRITE_NOTE,
    Check,
    PreflightReport,
    read_fix,
    render_text,
    sign_in_fix,
)

CONFIG = IntacctConfig(gateway_url="https://gw.example/ia/xml/xmlgw.phtml", sender_id="acme_sender",
                       sender_password="s3nder-Secret", company_id="ACME", user_id="ws_user",
                       user_password="us3r-Secret")


def auth_error(*lines: tuple[str, str, str]) -> AuthenticationError:
    return AuthenticationError("refused", errors=[ErrorDetail("XL03000006", *line, "") for line in lines])


def test_sign_in_fix_names_the_sender_authorization_menu_for_an_unauthorized_sender():
    exc = auth_error(("Invalid Web Services Authorization",
                      "The sender ID 'acme_sender' is not authorized to make Web Services requests to company ID "
                      "'ACME'."))
    fix = sign_in_fix(exc, CONFIG)
    assert "Company > Setup > Security > Edit > Web Services authorizations" in fix
    assert "'acme_sender'" in fix and "'ACME'" in fix


def test_sign_in_fix_for_wrong_sender_and_wrong_user_credentials():
    sender = ControlError("refused", errors=[ErrorDetail("XL03000006", "Incorrect Intacct XML Partner ID or password.")])
    assert "sender id or sender password is wrong" in sign_in_fix(sender, CONFIG)
    user = auth_error(("Sign-in information is incorrect", "Check the user ID, company ID and password"))
    fix = sign_in_fix(user, CONFIG)
    assert "user 'ws_user'" in fix and "Web Services users" in fix and "Secret" not in fix


def test_sign_in_fix_for_an_unreachable_gateway_points_at_the_url():
    exc = TransportError("connection refused", outcome_unknown=False, transient=False)
    assert "https://gw.example/ia/xml/xmlgw.phtml" in sign_in_fix(exc, CONFIG)


def test_read_fix_for_a_missing_permission_names_the_object_and_the_role_menu():
    exc = FunctionError("failed", errors=[ErrorDetail(
        "PL04000005", "You do not have permission for API operation QUERY on objects of type project")])
    fix = read_fix("PROJECT", exc)
    assert "read permission (List, View) on PROJECT" in fix and "Company > Admin > Roles" in fix


def report_with(*statuses: str) -> PreflightReport:
    report = PreflightReport(gateway_url=CONFIG.gateway_url, company_id="ACME", sender_id="acme_sender",
                             user_id="ws_user", entity_id=None,
                             api_cost={"api_transactions": 3, "http_requests": 4, "logins": 1})
    for n, status in enumerate(statuses):
        report.checks.append(Check("read", f"read OBJ{n}", status, f"query OBJ{n}", detail="found",
                                   fix="do this" if status != "ok" else ""))
    return report


@pytest.mark.parametrize(("statuses", "ready", "code"), [
    (("ok", "ok"), True, 0),
    (("ok", "warning"), True, 0),
    (("ok", "failed", "warning"), False, 1),
    ((), False, 1),
])
def test_the_company_is_ready_when_no_check_failed(statuses, ready, code):
    report = report_with(*statuses)
    assert report.ready is ready and report.exit_code() == code


def test_text_output_shows_fixes_of_failures_the_api_cost_and_the_verdict():
    report = report_with("ok", "failed")
    report.checks.append(Check("write", "write APBILL", "ok", "lookup APBILL", detail="visible"))
    text = render_text(report)
    assert "[ FAILED] read OBJ1: found" in text and "fix: do this" in text
    assert "API cost of this check: 3 API transaction(s), 4 HTTP request(s), 1 sign-in(s)." in text
    assert WRITE_NOTE in text
    assert text.rstrip().endswith("NOT READY: 1 check(s) failed: read OBJ1.")


def test_stopped_early_is_never_ready_and_json_says_why():
    report = report_with("ok")
    report.stopped_early = "sign-in failed"
    data = json.loads(json.dumps(report.to_json()))
    assert data["ready"] is False and data["stopped_early"] == "sign-in failed"
    assert data["checks"][0]["name"] == "read OBJ0" and data["api_cost"]["logins"] == 1


@pytest.mark.parametrize("argv", [[], ["check", "--no-such-option"], ["verify"]])
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2


def test_an_unknown_connection_without_environment_exits_2_naming_it(monkeypatch, capsys):
    monkeypatch.delenv("INTACCT_GATEWAY_URL", raising=False)
    assert main(["check", "--conn-id", "intacct_missing_here"]) == 2
    assert "intacct_missing_here" in capsys.readouterr().err


def test_an_incomplete_connection_exits_2_naming_the_missing_field(monkeypatch, capsys):
    monkeypatch.setenv("AIRFLOW_CONN_INTACCT_HALF", json.dumps(
        {"conn_type": "intacct", "host": "127.0.0.1", "login": "u", "password": "p",
         "extra": {"sender_id": "s", "company_id": "C"}}))
    assert main(["check", "--conn-id", "intacct_half"]) == 2
    assert "sender_password" in capsys.readouterr().err


def test_fix_for_a_posted_object_asks_for_add_and_edit_too():
    exc = FunctionError("failed", errors=[ErrorDetail(
        "PL04000005", "You do not have permission for API operation LOOKUP on objects of type apbill")])
    assert "List, View, Add and Edit permission on APBILL" in read_fix("APBILL", exc, "List, View, Add and Edit permission")
