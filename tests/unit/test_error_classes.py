from include.error_classes import ERROR_CLASSES, ErrorClass


def test_every_error_class_has_a_route_and_an_action_for_a_person():
    assert set(ERROR_CLASSES) == set(ErrorClass)
    for error_class, info in ERROR_CLASSES.items():
        assert info.meaning and info.product_does and info.person_does, error_class


def test_only_credential_and_permission_failures_stop_a_run():
    stopping = {c for c, info in ERROR_CLASSES.items() if info.stops_run}
    assert stopping == {ErrorClass.AUTH, ErrorClass.PERMISSION}
