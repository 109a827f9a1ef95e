"""docs/reference/bad-inputs.md lists exactly the catalogues the tests run, and there are at least 50."""

from tests.bad_input.catalogue import PAGE, render
from tests.bad_input.erp_rows import CASES as ERP_CASES
from tests.bad_input.gateway_answers import CASES as GATEWAY_CASES


def test_the_bad_input_page_is_written_from_the_current_catalogues():
    assert PAGE.read_text(encoding="utf-8") == render(), "run: .venv/bin/python -m tests.bad_input.catalogue"


def test_the_catalogues_hold_at_least_fifty_distinct_bad_inputs():
    names = {c.name for c in ERP_CASES} | {c.name for c in GATEWAY_CASES}
    assert len(names) == len(ERP_CASES) + len(GATEWAY_CASES) >= 50
