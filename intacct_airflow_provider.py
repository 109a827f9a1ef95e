"""Provider metadata: registers the ``intacct`` connection type with Airflow, so the UI's connection
form shows its fields. Airflow finds it through the ``apache_airflow_provider`` entry point that
pyproject.toml declares (`make` installs it into the environment; so does the Docker image).

It lives at the top of the project, outside ``include``, because it is installed as a module of its
own: Airflow loads every provider's entry point in every command, and must find this one even where
the project folder is not on PYTHONPATH. It imports nothing of the project: the hook is named, and
imported only when a task uses it.
"""

from __future__ import annotations

from typing import Any


def _text(label: str, description: str, default: str | None = None) -> dict[str, Any]:
    return {"label": label, "description": description,
            "schema": {"type": ["string", "null"], **({"default": default} if default is not None else {})}}


def _secret(label: str, description: str) -> dict[str, Any]:
    return {"label": label, "description": description, "schema": {"type": ["string", "null"], "format": "password"}}


def _number(label: str, description: str, default: int, minimum: int, maximum: int) -> dict[str, Any]:
    return {"label": label, "description": description,
            "schema": {"type": ["integer", "null"], "default": default, "minimum": minimum, "maximum": maximum}}


CONNECTION_FIELDS: dict[str, dict[str, Any]] = {
    "sender_id": _text("Web Services sender ID", "The sender ID Intacct issued for Web Services (XML API)."),
    "sender_password": _secret("Sender password", "The Web Services sender's password."),
    "company_id": _text("Company ID", "The Intacct company ID, as you type it to sign in."),
    "entity_id": _text("Entity ID", "Optional: sign in to this entity (location ID) of a multi-entity company."),
    "transport": {"label": "Transport", "description": "xml: the XML gateway (Web Services). rest: the REST API "
                  "(OAuth 2.0 client credentials).",
                  "schema": {"type": ["string", "null"], "enum": ["xml", "rest", None], "default": "xml"}},
    "client_id": _text("REST client ID", "REST only: the client ID of the application registered in Intacct."),
    "client_secret": _secret("REST client secret", "REST only: that application's client secret."),
    "max_concurrency": _number("Concurrent requests", "The tenant's entitlement: requests in flight at once, all "
                               "workers together (your Intacct performance tier).", 2, 1, 64),
    "partitions": _number("Load partitions", "Worker processes that share the entitlement: the Intacct pool's "
                          "size (python -m include.intacct pool); each keeps concurrent requests / partitions "
                          "in flight.", 1, 1, 64),
    "functions_per_request": _number("Writes per request", "Documents sent in one request.", 100, 1, 1000),
    "max_retries": _number("Retries", "Retries of a transient failure, with backoff.", 5, 0, 100),
    "read_timeout": _number("Read timeout (s)", "How long to wait for Intacct's answer.", 300, 1, 3600),
}


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "intacct-airflow",
        "name": "Sage Intacct integration",
        "description": "ERP to Sage Intacct: master data, validated postings, remediation, reconciliation.",
        "versions": ["0.1.0"],
        "connection-types": [{
            "connection-type": "intacct",
            "hook-class-name": "include.intacct.hook.IntacctHook",
            "hook-name": "Sage Intacct",
            "conn-fields": CONNECTION_FIELDS,
            "ui-field-behaviour": {
                "hidden-fields": ["schema", "port"],
                "relabeling": {"host": "Gateway URL", "login": "User ID", "password": "User password"},
                "placeholders": {"host": "https://api.intacct.com/ia/xml/xmlgw.phtml", "login": "xml_gateway"},
            },
        }],
        "notifications": ["include.alerts.notifier.IntegrationAlert"],
    }
