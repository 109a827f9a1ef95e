import pytest

from include import demo_company as demo
from include.intacct import IntacctClient, IntacctConfig
from include.settings import load_settings
from tests.integration.pipeline.night import Night, refresh_master_data


@pytest.fixture(scope="session")
def master_data_db(sandbox_server, tmp_path_factory):
    """An integration database holding fresh master data of the seeded sandbox (read once: ~15 s)."""
    folder = tmp_path_factory.mktemp("master-data")
    sandbox_server.admin.reset()
    settings = load_settings({"INTEGRATION_DATA_DIR": str(folder), "INTEGRATION_DB_URL": f"sqlite:///{folder / 'db'}"})
    refresh_master_data(settings, IntacctClient(IntacctConfig(**sandbox_server.config_kwargs(demo.COMPANY_ID))))
    return folder / "db"


@pytest.fixture
def night(tmp_path, sandbox, master_data_db):
    night = Night(tmp_path, sandbox)
    night.use_integration_db(master_data_db)
    return night
