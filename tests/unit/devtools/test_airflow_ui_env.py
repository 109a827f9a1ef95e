"""`make airflow` on a real machine: busy ports are replaced, the user's ERP and ledger win."""

import socket

from include.devtools.airflow_local import port_or_free
from include.devtools.demo import airflow_ui_env

SANDBOX = {"sender_id": "s", "sender_password": "p", "company_id": "DEMO", "user_id": "u",
           "user_password": "x", "gateway_url": "http://127.0.0.1:8790/ia/xml/xmlgw.phtml"}


def test_a_busy_port_is_replaced_by_a_free_one():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        chosen = port_or_free(taken)
        assert chosen != taken
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", chosen))  # really free
    assert port_or_free(taken) == taken  # released: the preferred port is kept


def test_the_users_erp_and_ledger_urls_win_over_the_embedded_ones(tmp_path):
    env = airflow_ui_env(tmp_path, SANDBOX, environ={"ERP_SOURCE_URL": "postgresql+psycopg2://erp/db",
                                                      "INTEGRATION_DB_URL": ""})
    assert env["ERP_SOURCE_URL"] == "postgresql+psycopg2://erp/db"
    assert env["INTEGRATION_DB_URL"] == f"sqlite:///{tmp_path / 'integration.db'}"  # empty: the default


def test_without_overrides_the_embedded_default_is_used(tmp_path):
    env = airflow_ui_env(tmp_path, SANDBOX, environ={})
    assert env["ERP_SOURCE_URL"] == f"sqlite:///{tmp_path / 'erp.db'}"
