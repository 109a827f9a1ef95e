"""Airflow hook: turns the ``intacct_default`` connection into a configured IntacctClient.

Connection fields: host (+ schema/port) -> gateway URL (with extra transport "rest": the REST API's
base URL), login -> user id, password -> user password (XML); extras: sender_id, sender_password,
company_id, entity_id (optional), transport (xml | rest), client_id and client_secret (REST),
rest_url / gateway_url (optional overrides), company_timezone (optional), connect_timeout, read_timeout,
functions_per_request, max_concurrency (the tenant's entitlement), partitions (workers sharing it: the
Intacct pool's size), max_retries.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from include.intacct.client import IntacctClient
from include.intacct.config import DEFAULT_CONN_ID, IntacctConfig
from include.intacct.masking import mask_secret


class IntacctHook(BaseHook):
    conn_name_attr = "intacct_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "intacct"
    hook_name = "Sage Intacct"

    def __init__(self, intacct_conn_id: str = default_conn_name, **kwargs: Any):
        super().__init__(**kwargs)
        self.intacct_conn_id = intacct_conn_id
        self._client: IntacctClient | None = None

    def get_config(self) -> IntacctConfig:
        conn = self.get_connection(self.intacct_conn_id)
        extra = dict(conn.extra_dejson or {})
        mask_secret(conn.password)
        mask_secret(extra.get("sender_password"))
        mask_secret(extra.get("client_secret"))
        return IntacctConfig.from_connection_fields(
            conn_id=self.intacct_conn_id,
            host=conn.host,
            schema=conn.schema,
            login=conn.login,
            password=conn.password,
            port=conn.port,
            extra=extra,
        )

    def get_conn(self) -> IntacctClient:
        """The hook's client (created once per hook, reused by every call of the task)."""
        if self._client is None:
            self._client = IntacctClient(self.get_config())
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
