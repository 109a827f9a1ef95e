"""The overview's charts: inline SVG from the ledger, each bar a link with its number, every text escaped;
the runs chart counts each document once per run, by its last outcome."""

from xml.etree import ElementTree

import pytest

from include.ledger import Ledger
from include.settings import load_settings
from include.status import Filters, counts_by_type, render_page, status_summary, to_json
from include.status.charts import errors_chart, runs_chart, status_chart
from include.status.trend import recent_outcomes

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def settings(integration_data_dir):
    return load_settings({"INTEGRATION_DATA_DIR": str(integration_data_dir)})


@pytest.fixture
def ledger(settings):
    with Ledger(settings.integration_db_url) as ledger:
        yield ledger


def _outcome(ledger, run_id, key, ok, object_type="ar_invoice"):
    ledger.claim(object_type, [key], run_id=run_id, worker="test", strict=True,
                 action="synchronize" if ledger.get(object_type, key).status == "not_integrated" else "force_synchronize")
    if ok:
        ledger.record_success(object_type, key, run_id=run_id, record_no=f"R-{key}")
    else:
        ledger.record_error(object_type, key, run_id=run_id, error_class="payment_term", message="<term?>")


def _two_runs(ledger):
    for key in ("A", "B", "C"):
        ledger.observe("ar_invoice", key, "v1", amount="1.00")
    ledger.observe("customer", "<C&1>", "v1")
    _outcome(ledger, "night-<1>", "A", ok=True)
    _outcome(ledger, "night-<1>", "B", ok=False)
    _outcome(ledger, "night-<1>", "C", ok=False)
    _outcome(ledger, "night-<1>", "<C&1>", ok=False, object_type="customer")  # master data: not a document
    _outcome(ledger, "resync-2", "B", ok=False)
    _outcome(ledger, "resync-2", "B", ok=True)  # failed, then posted in the same run: posted


def test_runs_are_counted_by_each_documents_last_outcome_oldest_run_first(ledger):
    _two_runs(ledger)

    runs = recent_outcomes(ledger)

    assert [(r.run_id, r.posted, r.in_error) for r in runs] == [("night-<1>", 1, 2), ("resync-2", 1, 0)]
    assert [r.run_id for r in recent_outcomes(ledger, limit=1)] == ["resync-2"]


def test_the_charts_are_well_formed_svg_with_escaped_text_links_and_numbers(ledger):
    _two_runs(ledger)
    counts = counts_by_type(ledger)

    charts = [status_chart(counts), errors_chart(counts), runs_chart(recent_outcomes(ledger))]

    for svg in charts:
        root = ElementTree.fromstring(svg)  # parses: every text escaped
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    status, errors, runs = charts
    assert "<a href='objects?object_type=ar_invoice&amp;status=error'>" in status
    assert "<title>ar_invoice: 1 error</title>" in status and "<title>customer: 1 error</title>" in status
    assert "<a href='?error_class=payment_term'>" in errors and "<title>payment_term: 2</title>" in errors
    assert "<title>night-&lt;1&gt;: 2 in error</title>" in runs and "<title>resync-2: 1 posted</title>" in runs


def test_the_overview_shows_the_three_charts_and_its_json_the_trend(ledger, settings):
    _two_runs(ledger)

    summary = status_summary(Filters(), settings)
    html = render_page(summary)

    assert html.count("<svg ") == 3 and "Documents posted / in error, last 2 runs" in html
    assert [(r["run_id"], r["posted"], r["in_error"]) for r in to_json(summary)["trend"]] == [
        ("night-<1>", 1, 2), ("resync-2", 1, 0)]


def test_without_any_object_or_run_the_charts_say_so(ledger):
    counts = counts_by_type(ledger)

    assert "No object is in error." in errors_chart(counts)
    assert "No run has recorded a document outcome yet." in runs_chart([])
    ElementTree.fromstring(status_chart(counts))
