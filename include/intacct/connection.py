"""Which Intacct configuration the product's tasks and commands use: the Airflow connection, else the
INTACCT_* environment variables.

It stands above the hook: Airflow is imported only when the connection is asked for (it may be absent,
and it sets up its logging on import, which the commands keep off their standard output).
"""

from __future__ import annotations

import logging
import os

from include.intacct.config import DEFAULT_CONN_ID, ConfigError, IntacctConfig

log = logging.getLogger(__name__)


def resolve_config(conn_id: str | None = None) -> IntacctConfig:
    """The configuration the product's tasks and commands use: the Airflow connection
    (``conn_id``, default intacct_default); without an explicit ``conn_id``, the INTACCT_*
    variables when that connection cannot be resolved (or Airflow is not installed) and
    INTACCT_GATEWAY_URL is set."""
    try:
        from include.intacct.hook import IntacctHook

        return IntacctHook(conn_id or DEFAULT_CONN_ID).get_config()
    except ConfigError:
        raise
    except Exception as exc:  # no such Airflow connection (or no Airflow): the environment, if it is set
        if conn_id is not None or not (os.environ.get("INTACCT_GATEWAY_URL") or os.environ.get("INTACCT_REST_URL")):
            raise ConfigError(f"No usable Airflow connection {conn_id or DEFAULT_CONN_ID!r} "
                              f"({type(exc).__name__}: {exc}); set it, or the INTACCT_* environment variables "
                              "(INTACCT_GATEWAY_URL or INTACCT_REST_URL, INTACCT_SENDER_ID, ...)") from None
        log.info("Airflow connection %s unavailable (%s); using the INTACCT_* environment",
                 conn_id or DEFAULT_CONN_ID, type(exc).__name__)
    return IntacctConfig.from_env()
