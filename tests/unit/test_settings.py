import pytest

from include.settings import SettingsError, load_settings


def test_defaults_put_everything_under_the_data_folder(tmp_path):
    settings = load_settings({"INTEGRATION_DATA_DIR": str(tmp_path)})
    assert settings.integration_db_url == f"sqlite:///{tmp_path / 'integration.db'}"
    assert settings.erp_source == f"sqlite:///{tmp_path / 'erp.db'}"
    assert settings.closed_period_policy == {"ar_invoice": "hold", "ap_bill": "hold", "journal_entry": "hold"}


def test_closed_period_policy_is_set_per_document_type():
    settings = load_settings({"INTEGRATION_CLOSED_PERIOD_POLICY": "ap_bill=next_open_period, journal_entry=manual"})
    assert settings.closed_period_policy == {
        "ar_invoice": "hold", "ap_bill": "next_open_period", "journal_entry": "manual"}


@pytest.mark.parametrize("raw", ["ap_bill=redate", "bills=hold", "hold"])
def test_a_malformed_closed_period_policy_names_the_bad_entry(raw):
    with pytest.raises(SettingsError, match="INTEGRATION_CLOSED_PERIOD_POLICY entry"):
        load_settings({"INTEGRATION_CLOSED_PERIOD_POLICY": raw})


def test_a_non_numeric_chunk_size_names_the_variable():
    with pytest.raises(SettingsError, match="INTEGRATION_CHUNK_SIZE='lots' is not a whole number"):
        load_settings({"INTEGRATION_CHUNK_SIZE": "lots"})
