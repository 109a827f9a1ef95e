"""The intacct connection type is registered with Airflow (the project's provider entry point), so
the UI's connection form shows its fields; its secrets are password fields."""

from include.intacct.config import IntacctConfig
from intacct_airflow_provider import CONNECTION_FIELDS, get_provider_info


def test_airflow_finds_the_intacct_connection_type_with_its_hook_and_fields(airflow_db):
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert manager.hooks["intacct"].hook_class_name == "include.intacct.hook.IntacctHook"
    widgets = {name.removeprefix("extra__intacct__"): info for name, info in manager.connection_form_widgets.items()
               if name.startswith("extra__intacct__")}
    assert set(widgets) == set(CONNECTION_FIELDS)
    assert {name for name, info in widgets.items() if info.is_sensitive} == {"sender_password", "client_secret"}
    assert manager.field_behaviours["intacct"]["relabeling"]["login"] == "User ID"


def test_every_form_field_is_a_setting_of_the_connection():
    settings = set(IntacctConfig.__dataclass_fields__)
    assert set(CONNECTION_FIELDS) <= settings
    assert get_provider_info()["connection-types"][0]["connection-type"] == "intacct"
