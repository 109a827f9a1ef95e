"""One live console for the browser tests of this folder: the Intacct sandbox, an integration database
after a night whose invoices Intacct refused (books closed, then reopened), and a real Airflow
(api-server, scheduler, dag-processor on SQLite) with login required and the status page plugin."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from include import demo_company as demo
from include.devtools.airflow_local import LocalAirflow
from include.erp.source import open_source
from include.intacct import IntacctConfig
from include.ledger import Ledger
from tests.browser.airflow_users import COMPONENTS, SignedInApi, login_env
from tests.browser.chromium import missing, start_chromium
from tests.fixtures.airflow import intacct_connection_env
from tests.fixtures.sandbox import SandboxHandle
from tests.integration.pipeline.conftest import master_data_db  # noqa: F401 (fixture)
from tests.integration.pipeline.night import Night

RESYNC_DAG_ID = "intacct_resync"
PENDING_KEY = "INV-ELSEWHERE"  # claimed by another run: already synchronizing


@dataclass
class Console:
    airflow: LocalAirflow
    night: Night
    in_error: list[str]  # ar_invoice keys held in error (closed period, since reopened)
    pending: str

    def ledger(self) -> Ledger:
        return Ledger(self.night.settings.integration_db_url)


def _handle(server) -> SandboxHandle:
    return SandboxHandle(url=server.url, base_url=server.base_url, admin=server.admin,
                         config_kwargs=server.config_kwargs(demo.COMPANY_ID), env=server.env(demo.COMPANY_ID),
                         process=server)


def _invoices_refused_for_a_closed_period(night: Night) -> list[str]:
    night.generate(lines=30, seed=21)
    source = open_source(night.settings.erp_source)
    try:
        invoices = sorted(d.key for page in source.iter_documents("ar_invoice") for d in page)
    finally:
        source.close()
    closed = night.sandbox.admin.closed_books()
    night.sandbox.admin.close_books(through=night.as_of)  # Intacct refuses every posting date up to today
    night.run()
    night.sandbox.admin.reopen(to=min(closed.values()))  # fixed in Intacct: Force synchronize will post them
    with Ledger(night.settings.integration_db_url) as ledger:
        in_error = [k for k in invoices if (row := ledger.get("ar_invoice", k)) and row.status == "error"]
        ledger.observe("ar_invoice", PENDING_KEY, "v1", amount="42.00")
        ledger.claim("ar_invoice", [PENDING_KEY], run_id="scheduled__elsewhere", worker="night-worker")
    assert len(in_error) >= 3, in_error
    return in_error


@pytest.fixture(scope="module")
def console(sandbox_server, master_data_db, tmp_path_factory):  # noqa: F811 (the master_data_db fixture)
    reason = missing()
    if reason:
        pytest.fail(reason, pytrace=False)
    tmp = tmp_path_factory.mktemp("console")
    sandbox_server.admin.reset()
    night = Night(tmp, _handle(sandbox_server))
    night.use_integration_db(master_data_db)
    in_error = _invoices_refused_for_a_closed_period(night)
    env = {**night.env, **intacct_connection_env(night.sandbox.config_kwargs), **login_env(tmp / "airflow"),
           "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0"}
    airflow = LocalAirflow(tmp / "airflow", env=env)
    airflow.start(components=COMPONENTS)
    try:
        airflow.ensure_intacct_pool(IntacctConfig(**night.sandbox.config_kwargs), night.settings.intacct_pool)
        operator = SignedInApi(airflow, "operator")
        operator.wait_for_dag(RESYNC_DAG_ID)
        operator.unpause(RESYNC_DAG_ID)
        yield Console(airflow, night, in_error, PENDING_KEY)
    except BaseException:
        for component in COMPONENTS:
            print(f"== {component}\n{airflow.component_log(component)}")
        raise
    finally:
        airflow.stop()


@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the tests save their screenshots: STATUS_PAGE_SCREENSHOTS (docs/images to refresh the documentation's),
    else the test's temporary folder."""
    return Path(os.environ.get("STATUS_PAGE_SCREENSHOTS") or tmp_path / "screenshots")
