"""The pipeline's night (sandbox + fresh master data + a generated ERP) for backfill tests."""

from tests.integration.pipeline.conftest import master_data_db, night  # noqa: F401 (fixtures)
