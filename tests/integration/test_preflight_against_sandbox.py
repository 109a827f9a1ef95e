"""``python -m include.intacct check`` against the real sandbox: a ready company, the seeded
unpermitted dimension, an unauthorized sender, a wrong password, entities, JSON and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from include.devtools.connections import intacct_connection_env
from include.intacct import IntacctConfig
from include.intacct.preflight import WRITTEN_OBJECTS, render_text, run_preflight
from include.masterdata.dimensions import int402_steps
from include.masterdata.streams import STREAMS

ROOT = Path(__file__).resolve().parents[2]


def preflight(sandbox, company="DEMO", **overrides):
    config = IntacctConfig(**{**sandbox.config_for(company), **overrides}, backoff_base=0.01, backoff_max=0.05)
    return run_preflight(config)


def assert_no_secret(sandbox, report):
    kwargs = sandbox.config_kwargs
    text = render_text(report) + json.dumps(report.to_json())
    for secret in (kwargs["sender_password"], kwargs["user_password"]):
        assert secret not in text


def by_name(report):
    return {c.name: c for c in report.checks}


def test_demo_company_passes_every_check_but_the_unpermitted_dimension_channel(sandbox):
    posted_before = sandbox.admin.posted()
    report = preflight(sandbox)

    checks = by_name(report)
    assert [c.name for c in report.failed] == ["read dimension CHANNEL"]
    assert report.exit_code() == 1 and not report.ready
    channel = checks["read dimension CHANNEL"]
    assert channel.error_class == "permission" and "INT402" in channel.detail and "CHANNEL" in channel.detail
    assert channel.fix == int402_steps("CHANNEL", "xml_gateway")
    assert checks["read dimension REGION"].status == "ok"
    assert checks["sign-in"].status == "ok"
    assert "base currency USD" in checks["financial setup"].detail
    assert "closed through" in checks["closed-books date"].detail
    assert "single-entity" in checks["entities"].detail
    assert all(checks[f"read {name}"].status == "ok" for name in STREAMS)
    for name in WRITTEN_OBJECTS:
        assert checks[f"write {name}"].status == "ok"
        assert "verified by the first posting" in checks[f"write {name}"].detail
    assert sandbox.admin.posted() == posted_before  # nothing was created
    # one sign-in, then one small call per check
    assert report.api_cost["logins"] == 1
    assert report.api_cost["http_requests"] == len(report.checks)
    text = render_text(report)
    assert "NOT READY: 1 check(s) failed: read dimension CHANNEL." in text
    assert f"API cost of this check: {report.api_cost['api_transactions']} API transaction(s)" in text
    assert_no_secret(sandbox, report)


def test_granting_channel_makes_the_company_ready_and_deactivating_region_fails_it(sandbox):
    sandbox.admin.grant_udd("CHANNEL")
    report = preflight(sandbox)
    assert report.ready and report.exit_code() == 0 and not report.failed
    assert "READY" in render_text(report)

    sandbox.admin.set_udd("REGION", status="inactive")
    report = preflight(sandbox)
    assert [c.name for c in report.failed] == ["read dimension REGION"]
    assert by_name(report)["read dimension REGION"].fix == int402_steps("REGION", "xml_gateway")


def test_sender_not_authorized_for_the_company_fails_sign_in_with_the_fix_and_stops(sandbox):
    report = preflight(sandbox, sender_id="other_sender")
    assert [c.name for c in report.checks] == ["sign-in"]  # no per-object noise
    sign_in = report.checks[0]
    assert sign_in.status == "failed" and sign_in.error_class == "auth"
    assert "not authorized" in sign_in.intacct_message
    assert "Company > Setup > Security" in sign_in.fix and "Web Services authorizations" in sign_in.fix
    assert "'other_sender'" in sign_in.fix and "'DEMO'" in sign_in.fix
    assert report.stopped_early and report.exit_code() == 1
    assert report.api_cost["http_requests"] == 1
    assert_no_secret(sandbox, report)


def test_wrong_user_password_fails_sign_in_naming_the_user_and_never_prints_the_password(sandbox):
    wrong = "wrong-Pw-4711!"
    report = preflight(sandbox, user_password=wrong)
    assert [c.name for c in report.checks] == ["sign-in"]
    sign_in = report.checks[0]
    assert sign_in.status == "failed" and "Sign-in information is incorrect" in sign_in.intacct_message
    assert "user 'xml_gateway'" in sign_in.fix and "user password" in sign_in.fix
    text = render_text(report) + json.dumps(report.to_json())
    assert wrong not in text
    assert_no_secret(sandbox, report)


def test_wrong_sender_password_says_to_fix_the_sender_credentials(sandbox):
    report = preflight(sandbox, sender_password="not-the-sender-pw")
    assert report.checks[0].status == "failed"
    assert "sender id or sender password is wrong" in report.checks[0].fix
    assert "not-the-sender-pw" not in render_text(report)


def test_multi_entity_company_lists_its_entities(sandbox):
    report = preflight(sandbox, company="DEMO-ME")
    entities = by_name(report)["entities"]
    assert entities.status == "ok"
    assert "E100 (Acme US, USD)" in entities.detail and "E200 (Acme Canada, CAD)" in entities.detail
    assert "multi-entity yes" in by_name(report)["financial setup"].detail
    assert [c.name for c in report.failed] == ["read dimension CHANNEL"]


def test_an_entity_of_the_company_signs_in_there(sandbox):
    report = preflight(sandbox, company="DEMO-ME", entity_id="E200")
    checks = by_name(report)
    assert checks["sign-in"].detail == "signed in at entity E200"
    assert checks["entities"].status == "ok" and "posting in entity 'E200'" in checks["entities"].detail
    assert [c.name for c in report.failed] == ["read dimension CHANNEL"]


@pytest.mark.parametrize(("company", "entity_id", "expected"), [
    ("DEMO-ME", "E999", "to one of E100, E200"),
    ("DEMO", "E100", "Leave entity_id empty"),
])
def test_an_entity_id_that_is_not_an_entity_fails_with_the_valid_ones(sandbox, company, entity_id, expected):
    report = preflight(sandbox, company=company, entity_id=entity_id)
    assert [c.name for c in report.checks] == ["sign-in", "entities"]
    sign_in, entities = report.checks
    assert sign_in.status == "ok" and f"entity '{entity_id}' was refused" in sign_in.detail
    assert entities.status == "failed" and expected in entities.fix and f"'{entity_id}'" in entities.detail
    assert report.exit_code() == 1


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-m", "include.intacct", "check", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def test_cli_json_from_environment_exits_1_and_from_a_connection_exits_0_when_ready(sandbox):
    result = run_cli("--json", env=sandbox.env)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ready"] is False and report["failed"] == ["read dimension CHANNEL"]
    assert report["api_cost"]["api_transactions"] > 0
    for secret in (sandbox.config_kwargs["sender_password"], sandbox.config_kwargs["user_password"]):
        assert secret not in result.stdout + result.stderr

    sandbox.admin.grant_udd("CHANNEL")
    connection = intacct_connection_env(sandbox.config_kwargs, conn_id="intacct_preflight")
    result = run_cli("--conn-id", "intacct_preflight", env=connection)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "READY: the company has everything the product needs" in result.stdout


def test_a_product_timezone_other_than_the_companys_is_a_warning_with_the_setting_to_change(sandbox):
    sandbox.admin.grant_udd("CHANNEL")
    config = IntacctConfig(**sandbox.config_kwargs)
    report = run_preflight(config, company_timezone="Europe/Berlin")
    setup = by_name(report)["financial setup"]
    assert setup.status == "warning" and "INTACCT_COMPANY_TIMEZONE=America/New_York" in setup.fix
    assert report.ready and report.exit_code() == 0  # a warning does not make the company unready
    assert "1 warning(s): financial setup" in render_text(report)
    assert by_name(run_preflight(config, company_timezone="America/New_York"))["financial setup"].status == "ok"


# -- the same check over the REST API (transport rest) ------------------------------------------------

def rest_preflight(sandbox, company="DEMO", **overrides):
    kwargs = {**sandbox.process.config_kwargs(company, transport="rest"), **overrides}
    return run_preflight(IntacctConfig(**kwargs, backoff_base=0.01, backoff_max=0.05))


def test_over_rest_the_demo_company_fails_only_the_unpermitted_dimension_and_creates_nothing(sandbox):
    posted_before = sandbox.admin.posted()
    report = rest_preflight(sandbox)
    checks = by_name(report)
    assert report.transport == "rest"
    assert [c.name for c in report.failed] == ["read dimension CHANNEL"]
    assert "INT402" in checks["read dimension CHANNEL"].detail
    assert checks["sign-in"].status == "ok" and checks["read dimension REGION"].status == "ok"
    assert all(checks[f"read {name}"].status == "ok" for name in STREAMS)
    # REST has no closed-books date: it comes through the XML session of the REST token, and says so
    assert "closed through" in checks["closed-books date"].detail
    assert "XML session of the REST token" in checks["closed-books date"].checked
    assert sandbox.admin.posted() == posted_before
    text = render_text(report) + json.dumps(report.to_json())
    for secret in (sandbox.process._client_secret, sandbox.config_kwargs["sender_password"]):
        assert secret not in text

    sandbox.admin.grant_udd("CHANNEL")
    assert rest_preflight(sandbox).exit_code() == 0


def test_over_rest_a_wrong_client_secret_fails_sign_in_with_the_credentials_to_fix_and_stops(sandbox):
    report = rest_preflight(sandbox, client_secret="not-the-client-secret")
    assert [c.name for c in report.checks] == ["sign-in"]
    sign_in = report.checks[0]
    assert sign_in.status == "failed" and sign_in.error_class == "auth"
    assert "client_id and client_secret" in sign_in.fix and "'demo_client'" in sign_in.fix
    assert "not-the-client-secret" not in render_text(report) + json.dumps(report.to_json())
    assert report.exit_code() == 1
