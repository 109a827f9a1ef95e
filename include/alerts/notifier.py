"""The integration's Airflow notifier: attached to the DAGs as their success and failure callbacks,
it sends one notification for a failed run, and one for a green run that left work for a person
(nothing for a clean night). Channels, each optional, configured by environment and connections:

* e-mail through the SMTP provider's hook: ``INTEGRATION_ALERT_EMAIL_TO`` (comma-separated),
  ``INTEGRATION_ALERT_EMAIL_FROM``, ``INTEGRATION_ALERT_SMTP_CONN_ID`` (default ``smtp_default``);
* a webhook that takes Slack's ``{"text": ...}`` JSON (Slack, Teams workflows, Mattermost, ...):
  ``INTEGRATION_ALERT_WEBHOOK_CONN_ID``, a connection whose host is the URL (its password, if set,
  goes as a bearer token).

The message gives the counts by what waits, the most frequent messages and a link to the status
page (``INTEGRATION_STATUS_PAGE_URL``, default the API server's base URL + the page's path). It is
built from the ledger, never from secrets; the webhook URL and the token are never logged.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseNotifier

from include.alerts.summary import NightSummary

log = logging.getLogger(__name__)

STATUS_PAGE_PATH = "/plugin/integration-status"


def _setting(name: str, default: str = "") -> str:
    return (os.environ.get(name) or default).strip()


def status_page_url() -> str:
    explicit = _setting("INTEGRATION_STATUS_PAGE_URL")
    if explicit:
        return explicit
    base = _setting("AIRFLOW__API__BASE_URL", "http://localhost:8080").rstrip("/")
    return base + STATUS_PAGE_PATH


class IntegrationAlert(BaseNotifier):
    """``on_failure_callback`` / ``on_success_callback`` of the integration's DAGs."""

    template_fields = ()  # the content comes from the ledger: never rendered as a template

    def notify(self, context: Mapping[str, Any]) -> None:
        summary = self.summarize(context)
        if not summary.needs_person:
            log.info("Run %s of %s: nothing needs a person; no alert", summary.run_id, summary.dag_id)
            return
        sent = [channel for channel, send in (("e-mail", self._send_email), ("webhook", self._send_webhook))
                if send(summary)]
        log.warning("Run %s of %s needs a person (%s); alert sent by %s", summary.run_id, summary.dag_id,
                    dict(summary.counts) or "failed", ", ".join(sent) or "no channel (none configured)")

    # -- what happened -------------------------------------------------------------------------------
    def summarize(self, context: Mapping[str, Any]) -> NightSummary:
        from include.settings import load_settings

        dag_run = context.get("dag_run")
        dag_id = getattr(context.get("dag"), "dag_id", None) or getattr(dag_run, "dag_id", "")
        run_id = context.get("run_id") or getattr(dag_run, "run_id", "")
        settings = load_settings()
        if dag_id == "intacct_master_data":
            from include.alerts.summary import master_data_summary
            from include.reference_store import ReferenceStore

            store = ReferenceStore(settings.integration_db_url)
            try:
                summary = master_data_summary(store, run_id, dag_id=dag_id)
            finally:
                store.close()
        else:
            from include.alerts.summary import transactions_summary
            from include.ledger import Ledger

            ledger = Ledger(settings.integration_db_url)
            try:
                summary = transactions_summary(ledger, run_id, dag_id=dag_id)
            finally:
                ledger.close()
        state = str(getattr(dag_run, "state", "") or "").lower().rsplit(".", 1)[-1]
        summary.failed = state == "failed" or bool(context.get("exception"))
        summary.reason = str(context.get("reason") or context.get("exception") or "")[:500]
        return summary

    # -- channels ------------------------------------------------------------------------------------
    def _send_email(self, summary: NightSummary) -> bool:
        to = [address.strip() for address in _setting("INTEGRATION_ALERT_EMAIL_TO").split(",") if address.strip()]
        if not to:
            return False
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        body = "".join(f"<p>{html.escape(line)}</p>" for line in summary.lines())
        link = status_page_url()
        body += f'<p><a href="{html.escape(link)}">Integration status page</a>: {html.escape(link)}</p>'
        with SmtpHook(smtp_conn_id=_setting("INTEGRATION_ALERT_SMTP_CONN_ID", "smtp_default")) as smtp:
            smtp.send_email_smtp(to=to, subject=summary.subject(), html_content=body,
                                 from_email=_setting("INTEGRATION_ALERT_EMAIL_FROM") or None)
        return True

    def _send_webhook(self, summary: NightSummary) -> bool:
        conn_id = _setting("INTEGRATION_ALERT_WEBHOOK_CONN_ID")
        if not conn_id:
            return False
        import requests
        from airflow.sdk import BaseHook

        connection = BaseHook.get_connection(conn_id)
        url = connection.host if "://" in (connection.host or "") else connection.get_uri()
        headers = {"Authorization": f"Bearer {connection.password}"} if connection.password else {}
        text = "\n".join([summary.subject(), *summary.lines(), f"Integration status page: {status_page_url()}"])
        response = requests.post(url, json={"text": text}, headers=headers, timeout=30, allow_redirects=False)
        if response.status_code >= 400:  # the URL itself may hold a secret: never shown
            raise RuntimeError(f"the alert webhook (connection {conn_id}) answered HTTP {response.status_code}")
        return True
