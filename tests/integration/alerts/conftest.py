from tests.integration.pipeline.conftest import master_data_db, night  # noqa: F401 (fixtures)
