"""One notification for a night that needs a person, none for a clean night: the notifier the DAGs
use as callbacks, over a real SMTP server (a local sink) and a webhook, after real nights."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest

from include.alerts import IntegrationAlert
from include.masterdata import run as masterdata
from include.masterdata.streams import DIMENSIONS_STREAM
from tests.fixtures.airflow import intacct_connection_env


def _context(dag_id: str, run_id: str, state: str = "success", reason: str | None = None) -> dict:
    return {"run_id": run_id, "reason": reason,
            "dag_run": SimpleNamespace(dag_id=dag_id, run_id=run_id, state=state)}


@pytest.fixture
def alerting(night, smtp_sink, monkeypatch):
    for name, value in {**night.env, **smtp_sink.connection_env(), "INTEGRATION_ALERT_EMAIL_TO": "finance@example.test",
                        "INTEGRATION_STATUS_PAGE_URL": "https://airflow.example.test/plugin/integration-status",
                        **intacct_connection_env(night.sandbox.config_kwargs)}.items():
        monkeypatch.setenv(name, value)
    return smtp_sink


def test_a_green_night_that_leaves_documents_for_a_person_sends_one_email_with_counts_and_the_link(
        night, alerting):
    night.generate(lines=150, seed=7, defect_rate=0.3)
    run_id = night.run()["plan"]["run_id"]
    IntegrationAlert()(_context("intacct_post_transactions", run_id))
    [mail] = alerting.messages
    body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else \
        "".join(part.get_payload(decode=True).decode() for part in mail.walk() if part.get_content_type() == "text/html")
    assert mail["To"] == "finance@example.test" and "need a person" in mail["Subject"] and run_id in mail["Subject"]
    assert "quarantined:" in body and "Most frequent messages" in body
    assert "https://airflow.example.test/plugin/integration-status" in body
    for secret in (night.sandbox.config_kwargs["user_password"], night.sandbox.config_kwargs["sender_password"]):
        assert secret not in body


def test_a_clean_night_sends_nothing(night, alerting):
    night.generate(lines=60, seed=7, defect_rate=0.0)
    run_id = night.run()["plan"]["run_id"]
    IntegrationAlert()(_context("intacct_post_transactions", run_id))
    assert alerting.messages == []


def test_a_failed_run_always_sends_one_email_saying_so(night, alerting):
    IntegrationAlert()(_context("intacct_post_transactions", "scheduled__failed", state="failed",
                                reason="task failure"))
    [mail] = alerting.messages
    assert "FAILED" in mail["Subject"] and "scheduled__failed" in mail["Subject"]


def test_a_master_data_night_with_an_unavailable_dimension_alerts_through_the_webhook(night, alerting, monkeypatch):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append((self.headers.get("Authorization"),
                             json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_ALERT_HOOK", json.dumps({
            "conn_type": "http", "host": f"http://127.0.0.1:{server.server_address[1]}/hooks/T0/B0",
            "password": "webhook-token-zz"}))
        monkeypatch.setenv("INTEGRATION_ALERT_WEBHOOK_CONN_ID", "alert_hook")
        masterdata.extract(DIMENSIONS_STREAM, run_id="md-night", settings=night.settings, client=night.client())
        IntegrationAlert()(_context("intacct_master_data", "md-night"))
    finally:
        server.shutdown()
    [(authorization, payload)] = received
    assert authorization == "Bearer webhook-token-zz"
    assert "CHANNEL" in payload["text"] and "INT402" in payload["text"]
    assert "webhook-token-zz" not in payload["text"]
    [mail] = alerting.messages  # the e-mail goes too
    assert "intacct_master_data" in mail["Subject"]
