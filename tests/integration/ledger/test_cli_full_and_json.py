"""``failed``, ``show`` and ``events`` print every character with --full (and show always), and JSON with
--json: long messages such as the INT402 steps and term suggestions are readable in a terminal."""

import io
import json

import pytest

from include.ledger import Ledger
from include.ledger.cli import main
from include.masterdata.dimensions import int402_message

STEPS = int402_message("CHANNEL", "integration-user", cause="the dimension is inactive")
SUGGESTION = "Could not retrieve the Sequence record!\nDid you mean 'Net 30 days'? (ERP term 'NET30')"


@pytest.fixture
def url(integration_data_dir):
    url = f"sqlite:///{integration_data_dir / 'integration.db'}"
    with Ledger(url) as ledger:
        for key, error_class, message in (("INV-402", "dimension_unavailable", STEPS),
                                          ("INV-TERM", "payment_term", SUGGESTION)):
            ledger.observe("ar_invoice", key, "v1", amount="12.50")
            ledger.claim("ar_invoice", [key], run_id="night-1", worker="test", strict=True)
            ledger.record_error("ar_invoice", key, run_id="night-1", error_class=error_class, message=message)
    return url


def run(url, *args):
    out = io.StringIO()
    return main(["--url", url, *args], out=out), out.getvalue()


def test_the_short_table_cuts_and_full_prints_every_character(url):
    _, table = run(url, "failed")
    code, full = run(url, "failed", "--full")

    assert "…" in table and STEPS not in table
    assert code == 0 and "…" not in full
    for line in STEPS.splitlines() + SUGGESTION.splitlines():
        assert line in full
    assert "    Did you mean 'Net 30 days'? (ERP term 'NET30')" in full  # a message's lines stay lines


def test_failed_show_and_events_as_json(url):
    _, failed = run(url, "failed", "--json")
    _, shown = run(url, "show", "INV-402", "--json")
    _, events = run(url, "events", "INV-TERM", "--json")

    groups = {g["error_class"]: g for g in json.loads(failed)}
    assert groups["dimension_unavailable"]["objects"][0]["last_message"] == STEPS
    assert groups["payment_term"]["count"] == 1 and groups["payment_term"]["amount"] == "12.5000"
    (row,) = json.loads(shown)
    assert (row["key"], row["status"], row["last_message"]) == ("INV-402", "error", STEPS)
    assert [e["kind"] for e in json.loads(events)] == ["observed", "claimed", "failed"]
    assert json.loads(events)[-1]["details"]["message"] == SUGGESTION


def test_show_prints_the_whole_row_and_events_full_prints_reasons_and_details(url):
    code, shown = run(url, "show", "INV-402")
    _, events = run(url, "events", "INV-TERM", "--full")
    missing, _ = run(url, "show", "NOPE")

    assert code == 0 and shown.startswith("ar_invoice INV-402\n") and "  status: error" in shown
    assert all(line in shown for line in STEPS.splitlines())
    assert "failed  pending -> error" in events and "details.message:" in events
    assert "    Did you mean 'Net 30 days'? (ERP term 'NET30')" in events
    assert missing == 1
