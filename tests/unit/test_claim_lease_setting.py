import pytest

from include.settings import SettingsError, load_settings


def test_the_claim_lease_is_one_setting_of_fifteen_minutes_by_default():
    assert load_settings({}).claim_lease_seconds == 900
    assert load_settings({"INTEGRATION_CLAIM_LEASE_SECONDS": "120"}).claim_lease_seconds == 120


def test_a_lease_under_one_second_is_refused_naming_the_variable():
    with pytest.raises(SettingsError, match="INTEGRATION_CLAIM_LEASE_SECONDS='0' must be at least 1"):
        load_settings({"INTEGRATION_CLAIM_LEASE_SECONDS": "0"})
