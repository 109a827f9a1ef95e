"""The Intacct connection in the form Airflow reads from the environment."""

import json

CONNECTION_EXTRA_FIELDS = ("sender_id", "sender_password", "company_id", "entity_id")


def intacct_connection_env(config_kwargs: dict, conn_id: str = "intacct_default") -> dict[str, str]:
    """``AIRFLOW_CONN_<ID>`` (JSON form) for a gateway described by IntacctConfig kwargs."""
    connection = {
        "conn_type": "http",
        "host": config_kwargs["gateway_url"],
        "login": config_kwargs["user_id"],
        "password": config_kwargs["user_password"],
        "extra": {key: config_kwargs[key] for key in CONNECTION_EXTRA_FIELDS if config_kwargs.get(key)},
    }
    return {f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(connection)}
