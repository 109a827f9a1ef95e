# The pipeline's night (settings, ERP, integration database with fresh master data) for remediation tests.
from tests.integration.pipeline.conftest import master_data_db, night  # noqa: F401
