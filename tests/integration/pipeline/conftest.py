import os

import pytest

from include import demo_company as demo
from include.intacct import IntacctClient, IntacctConfig
from include.settings import load_settings
from tests.integration.pipeline.night import Night, refresh_master_data

# The pipeline's main nights run on both of Intacct's APIs: the same steps, ledger and reports over the XML
# gateway and over the REST API. INTACCT_TEST_TRANSPORTS narrows that (e.g. "rest"); a night elsewhere runs on
# INTACCT_TEST_TRANSPORT (default xml).
TRANSPORT_NEUTRAL_MODULES = {"test_transactions_pipeline", "test_changed_posted_document"}


def _transports() -> list[str]:
    wanted = [t.strip() for t in os.environ.get("INTACCT_TEST_TRANSPORTS", "xml,rest").split(",") if t.strip()]
    unknown = sorted(set(wanted) - {"xml", "rest"})
    if unknown:
        raise pytest.UsageError(f"INTACCT_TEST_TRANSPORTS: unknown transport(s) {unknown}; use xml and/or rest")
    return wanted


def pytest_generate_tests(metafunc):
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "night" in metafunc.fixturenames and module in TRANSPORT_NEUTRAL_MODULES:
        metafunc.parametrize("night", _transports(), indirect=True)


def _master_data(sandbox_server, tmp_path_factory, transport: str):
    """An integration database holding fresh master data of the seeded sandbox, read over ``transport``
    (~15 s)."""
    folder = tmp_path_factory.mktemp(f"master-data-{transport}")
    sandbox_server.admin.reset()
    settings = load_settings({"INTEGRATION_DATA_DIR": str(folder), "INTEGRATION_DB_URL": f"sqlite:///{folder / 'db'}"})
    with IntacctClient(IntacctConfig(**sandbox_server.config_kwargs(demo.COMPANY_ID, transport))) as client:
        refresh_master_data(settings, client)
    return folder / "db"


@pytest.fixture(scope="session")
def master_data_db(sandbox_server, tmp_path_factory):
    """Master data read over the XML gateway (once per session)."""
    return _master_data(sandbox_server, tmp_path_factory, "xml")


# Master data read over the REST API's query service, once per sandbox server (a session's): kept here rather
# than in a fixture so modules that import only `night` and `master_data_db` (tests/dags) can run on REST too.
_REST_MASTER_DATA: dict[int, object] = {}


def _rest_master_data(request, sandbox_server):
    if id(sandbox_server) not in _REST_MASTER_DATA:
        tmp_path_factory = request.getfixturevalue("tmp_path_factory")
        _REST_MASTER_DATA[id(sandbox_server)] = _master_data(sandbox_server, tmp_path_factory, "rest")
    return _REST_MASTER_DATA[id(sandbox_server)]


@pytest.fixture
def night(request, tmp_path, sandbox, master_data_db):
    """A night over the transport the test is parametrized with (``night[rest]``), else INTACCT_TEST_TRANSPORT."""
    transport = getattr(request, "param", None) or os.environ.get("INTACCT_TEST_TRANSPORT", "xml")
    night = Night(tmp_path, sandbox, transport=transport)
    if transport == "xml":
        night.use_integration_db(master_data_db)
    else:
        night.use_integration_db(_rest_master_data(request, sandbox.process))
        sandbox.admin.reset()  # reading master data used the sandbox: the test starts from the seeded company
    return night
