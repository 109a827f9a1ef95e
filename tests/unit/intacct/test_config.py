"""Configuration from the environment or an Airflow connection; secrets never shown."""

import pytest

from include.intacct.config import DEFAULT_GATEWAY_URL, ConfigError, IntacctConfig

ENV = {
    "INTACCT_GATEWAY_URL": "http://127.0.0.1:8099/ia/xml/xmlgw.phtml",
    "INTACCT_SENDER_ID": "sender",
    "INTACCT_SENDER_PASSWORD": "sender-secret-pw",
    "INTACCT_COMPANY_ID": "DEMO",
    "INTACCT_USER_ID": "xml_gateway",
    "INTACCT_USER_PASSWORD": "user-secret-pw",
}


def test_from_env_reads_credentials_and_converts_tuning_numbers():
    config = IntacctConfig.from_env({**ENV, "INTACCT_FUNCTIONS_PER_REQUEST": "50", "INTACCT_MAX_CONCURRENCY": "4",
                                     "INTACCT_ENTITY_ID": "E100", "INTACCT_READ_TIMEOUT": "12.5"})
    assert (config.functions_per_request, config.max_concurrency, config.entity_id) == (50, 4, "E100")
    assert config.read_timeout == 12.5


def test_from_env_defaults():
    config = IntacctConfig.from_env(ENV)
    assert (config.functions_per_request, config.max_concurrency) == (100, 2)
    assert config.max_response_bytes == 50 * 1024 * 1024


@pytest.mark.parametrize("missing", ["INTACCT_SENDER_PASSWORD", "INTACCT_USER_ID", "INTACCT_COMPANY_ID"])
def test_missing_environment_credential_is_named(missing):
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=f"missing environment variable.*{missing}"):
        IntacctConfig.from_env(env)


def test_secrets_never_appear_in_repr_or_str():
    config = IntacctConfig.from_env(ENV)
    for text in (repr(config), str(config)):
        assert "sender-secret-pw" not in text and "user-secret-pw" not in text
        assert "sender_password" not in text


def test_constructor_names_empty_credential():
    kwargs = {k.removeprefix("INTACCT_").lower(): v for k, v in ENV.items()}
    with pytest.raises(ConfigError, match="missing user_password"):
        IntacctConfig(**{**kwargs, "user_password": " "})


def test_non_numeric_tuning_value_is_named():
    with pytest.raises(ConfigError, match="max_concurrency must be a number, got 'two'"):
        IntacctConfig.from_env({**ENV, "INTACCT_MAX_CONCURRENCY": "two"})


def test_functions_per_request_out_of_range_is_rejected():
    with pytest.raises(ConfigError, match="functions_per_request must be an integer between 1 and 1000"):
        IntacctConfig.from_env({**ENV, "INTACCT_FUNCTIONS_PER_REQUEST": "0"})


def test_connection_fields_map_to_config():
    config = IntacctConfig.from_connection_fields(
        conn_id="intacct_default", host="127.0.0.1", schema="ia/xml/xmlgw.phtml", port=8099,
        login="xml_gateway", password="user-secret-pw",
        extra={"sender_id": "sender", "sender_password": "sender-secret-pw", "company_id": "DEMO",
               "entity_id": "E100", "functions_per_request": "25", "max_concurrency": 3, "max_retries": "1"},
    )
    assert config.gateway_url == "https://127.0.0.1:8099/ia/xml/xmlgw.phtml"
    assert (config.user_id, config.company_id, config.entity_id) == ("xml_gateway", "DEMO", "E100")
    assert (config.functions_per_request, config.max_concurrency, config.max_retries) == (25, 3, 1)


def test_connection_with_full_url_host_and_no_host():
    common = dict(conn_id="c", schema=None, login="u", password="p",
                  extra={"sender_id": "s", "sender_password": "sp", "company_id": "C"})
    assert IntacctConfig.from_connection_fields(host="http://127.0.0.1:1/x", **common).gateway_url == "http://127.0.0.1:1/x"
    assert IntacctConfig.from_connection_fields(host=None, **common).gateway_url == DEFAULT_GATEWAY_URL


def test_connection_missing_extras_names_field_and_connection():
    with pytest.raises(ConfigError, match="'intacct_default' is missing sender_password \\(extra\\), company_id"):
        IntacctConfig.from_connection_fields(conn_id="intacct_default", host="h", schema=None, login="u",
                                             password="p", extra={"sender_id": "s"})


def test_connection_missing_login_names_connection_field():
    with pytest.raises(ConfigError, match="user_id \\(connection login\\)"):
        IntacctConfig.from_connection_fields(conn_id="x", host="h", schema=None, login=None, password="p",
                                             extra={"sender_id": "s", "sender_password": "sp", "company_id": "C"})


def test_unknown_extra_is_rejected():
    with pytest.raises(ConfigError, match="Unknown Intacct configuration field\\(s\\): sender"):
        IntacctConfig.from_connection_fields(conn_id="x", host="h", schema=None, login="u", password="p",
                                             extra={"sender": "s", "sender_id": "s", "sender_password": "sp",
                                                    "company_id": "C"})
