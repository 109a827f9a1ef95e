"""The Intacct connection in the form Airflow reads from the environment."""

import json

CONNECTION_EXTRA_FIELDS = ("sender_id", "sender_password", "company_id", "entity_id", "transport", "client_id",
                           "client_secret")


def intacct_connection_env(config_kwargs: dict, conn_id: str = "intacct_default",
                           extra: dict | None = None) -> dict[str, str]:
    """``AIRFLOW_CONN_<ID>`` (JSON form) for a gateway described by IntacctConfig kwargs; ``extra``
    adds tuning fields (e.g. ``{"max_concurrency": 2, "partitions": 2}``)."""
    connection = {
        "conn_type": "intacct",
        # transport rest: the host is the REST API's base URL (the client secret is an extra)
        "host": config_kwargs["rest_url"] if config_kwargs.get("transport") == "rest" else config_kwargs["gateway_url"],
        "login": config_kwargs["user_id"],
        "password": config_kwargs.get("user_password") or "",
        "extra": {**{key: config_kwargs[key] for key in CONNECTION_EXTRA_FIELDS if config_kwargs.get(key)},
                  **(extra or {})},
    }
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(connection)}
