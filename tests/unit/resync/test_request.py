import pytest

from include.resync.request import ResyncRequestError, applicable_statuses, request_from_params


def _params(**overrides):
    return {"object_type": "ar_invoice", "action": "synchronize", "keys": [], "statuses": [], "error_class": None,
            "dry_run": False, **overrides}


def test_actions_apply_to_the_statuses_of_the_ledgers_transition_table():
    assert applicable_statuses("synchronize") == ("not_integrated", "desynchronized")
    assert applicable_statuses("force_synchronize") == ("error",)


def test_without_keys_or_statuses_the_action_selects_every_status_it_applies_to():
    assert request_from_params(_params(), "r").statuses == ("not_integrated", "desynchronized")
    assert request_from_params(_params(action="force_synchronize"), "r").statuses == ("error",)


def test_keys_are_trimmed_deduplicated_and_may_come_as_one_comma_separated_string():
    request = request_from_params(_params(keys=" INV-1, INV-2,INV-1 ,"), "r")
    assert request.keys == ("INV-1", "INV-2") and request.statuses == ()


def test_status_filter_with_pending_is_refused_because_pending_objects_are_already_synchronizing():
    with pytest.raises(ResyncRequestError, match="pending objects are already synchronizing"):
        request_from_params(_params(statuses=["pending"]), "r")


def test_status_the_action_does_not_apply_to_names_the_other_action():
    with pytest.raises(ResyncRequestError, match="use force_synchronize for error objects"):
        request_from_params(_params(statuses=["error"]), "r")


@pytest.mark.parametrize(("overrides", "named"), [
    ({"object_type": "invoice"}, "object_type"),
    ({"action": "resend"}, "action"),
    ({"statuses": ["posted"]}, "statuses"),
    ({"keys": ["INV-1"], "statuses": ["not_integrated"]}, "either keys or a status filter"),
    ({"action": "force_synchronize", "error_class": "nope"}, "error_class"),
    ({"error_class": "payment_term"}, "error_class"),
])
def test_a_wrong_param_fails_fast_naming_it(overrides, named):
    with pytest.raises(ResyncRequestError, match=named):
        request_from_params(_params(**overrides), "r")


def test_request_survives_xcom_json():
    request = request_from_params(_params(action="force_synchronize", error_class="closed_period"), "run-1")
    assert type(request).from_json(request.to_json()) == request
    assert request.describe() == "Force synchronize ar_invoice: every ar_invoice that is error with error class " \
                                 "closed_period"
