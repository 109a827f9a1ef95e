"""The Airflow hook: connection -> config -> client, with secrets registered with Airflow's masker."""

import json

import pytest

from include.intacct.config import ConfigError
from tests.unit.intacct.local_gateway import SENDER_PASSWORD, USER_PASSWORD, LocalGateway


def set_connection(monkeypatch, conn_id, **fields):
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "intacct", **fields}))


def test_hook_builds_client_from_connection_and_masks_every_secret(monkeypatch):
    from airflow.sdk._shared.secrets_masker import redact

    from include.intacct.hook import IntacctHook

    with LocalGateway() as gateway:
        set_connection(monkeypatch, "intacct_default", host=gateway.url, login="xml_gateway", password=USER_PASSWORD,
                       extra={"sender_id": "sender", "sender_password": SENDER_PASSWORD, "company_id": "C",
                              "functions_per_request": "10", "max_concurrency": "1"})
        hook = IntacctHook()
        client = hook.get_conn()
        assert hook.get_conn() is client
        assert (client.config.functions_per_request, client.config.max_concurrency) == (10, 1)
        session = client.session()
        hook.close()
    text = redact(f"user {USER_PASSWORD} sender {SENDER_PASSWORD} session {session.session_id}")
    for secret in (USER_PASSWORD, SENDER_PASSWORD, session.session_id):
        assert secret not in text


def test_hook_names_the_connection_and_missing_extra(monkeypatch):
    from include.intacct.hook import IntacctHook

    set_connection(monkeypatch, "intacct_broken", host="127.0.0.1", login="u", password="p",
                   extra={"sender_id": "s", "company_id": "C"})
    with pytest.raises(ConfigError, match="'intacct_broken' is missing sender_password \\(extra\\)"):
        IntacctHook("intacct_broken").get_config()


def test_client_package_import_does_not_import_airflow_or_pandas():
    import subprocess
    import sys

    code = "import sys, include.intacct; print('airflow' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
