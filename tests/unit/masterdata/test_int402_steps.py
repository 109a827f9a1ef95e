"""The INT402 steps: one text, used whole in the dimension's ledger error and per held document."""

from include.masterdata.dimensions import INT402_STEPS, int402_message, int402_steps
from include.pipeline.outcomes import DIMENSION_ADMIN_STEPS


def test_the_dimension_error_names_the_dimension_and_the_user_in_every_step():
    message = int402_message("CHANNEL", "xml_gateway", cause="PL04000005 no permission")
    assert message.startswith("INT402: Sage Intacct couldn't return values for user-defined dimension 'CHANNEL'.")
    assert "Intacct said: PL04000005 no permission." in message
    assert "open 'CHANNEL': make sure it is fully configured and active" in message
    assert "Grant the integration user (xml_gateway) permission to view and read 'CHANNEL'" in message
    assert [f"{n}." in message for n in range(1, len(INT402_STEPS) + 1)] == [True] * len(INT402_STEPS)


def test_held_documents_carry_the_same_steps_without_a_name():
    assert DIMENSION_ADMIN_STEPS == "Administrator: " + int402_steps()
    assert "open the dimension: make sure" in DIMENSION_ADMIN_STEPS
    assert "intacct_master_data" in DIMENSION_ADMIN_STEPS and "{" not in DIMENSION_ADMIN_STEPS.split("--conf")[0]


def test_no_step_points_to_a_setting_the_product_does_not_have():
    assert "integration settings" not in int402_steps("CHANNEL")
