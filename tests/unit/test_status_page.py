"""The status page's content (include.status) against a real SQLite ledger filled through the Ledger API."""

import json
from datetime import UTC, datetime

import pytest

from include.error_classes import ERROR_CLASSES, ErrorClass
from include.ledger import Ledger
from include.pipeline.reconcile import Reconciliation, write_report
from include.pipeline.run_store import RunStore
from include.pipeline.selection import RunPlan
from include.settings import load_settings
from include.status import (
    Filters,
    StatusFilterError,
    counts_by_type,
    failed_records,
    parse_filters,
    recent_runs,
    remediation,
    render_page,
    report_paths,
    status_summary,
    to_json,
)

HOSTILE = "<script>alert('x')</script> & \"quoted\""


@pytest.fixture
def data_dir(integration_data_dir):
    return integration_data_dir


@pytest.fixture
def settings(data_dir):
    return load_settings({"INTEGRATION_DATA_DIR": str(data_dir)})


@pytest.fixture
def ledger(settings):
    with Ledger(settings.integration_db_url) as ledger:
        yield ledger


def _fail(ledger, object_type, key, error_class, message, *, hold=None, period=None, run_id="run-1"):
    ledger.observe(object_type, key, "v1", amount="100.00" if object_type != "customer" else None)
    ledger.claim(object_type, [key], run_id=run_id, worker="test", strict=True)
    ledger.record_error(object_type, key, run_id=run_id, error_class=error_class, message=message, hold=hold,
                        held_for_period=period)


def _fill(ledger):
    """ar_invoice: 1 not integrated, 1 pending, 2 posted (one then changed), 4 in error; one customer in error."""
    ledger.observe("ar_invoice", "INV-NEW", "v1", amount="5.00")
    ledger.observe("ar_invoice", "INV-PENDING", "v1", amount="6.00")
    ledger.claim("ar_invoice", ["INV-PENDING"], run_id="run-1", worker="test", strict=True)
    for key in ("INV-POSTED", "INV-CHANGED"):
        ledger.observe("ar_invoice", key, "v1", amount="7.00")
        ledger.claim("ar_invoice", [key], run_id="run-1", worker="test", strict=True)
        ledger.record_success("ar_invoice", key, run_id="run-1", record_no="900")
    ledger.observe("ar_invoice", "INV-CHANGED", "v2", amount="8.00")  # desynchronized
    _fail(ledger, "ar_invoice", "INV-TERM", "payment_term", "Could not retrieve the Sequence record!")
    _fail(ledger, "ar_invoice", "INV-CLOSED", "closed_period", "Periods are closed.", hold="closed_period",
          period="2026-09")
    _fail(ledger, "ar_invoice", "INV-DQ", "data_quality", HOSTILE)
    _fail(ledger, "ar_invoice", "INV-TERM-2", "payment_term", "Could not retrieve the Sequence record!")
    _fail(ledger, "customer", "C-1", "invalid_reference", "Invalid Customer")


def test_counts_by_type_give_every_status_the_errors_per_class_and_the_held_and_quarantined(ledger):
    _fill(ledger)

    counts = {c.object_type: c for c in counts_by_type(ledger)}

    assert list(counts) == ["ar_invoice", "ap_bill", "journal_entry", "customer", "vendor", "item", "dimension"]
    assert counts["dimension"].category == "master"
    invoices = counts["ar_invoice"]
    assert invoices.by_status == {"not_integrated": 1, "pending": 1, "success": 1, "error": 4,
                                  "desynchronized": 1}
    assert invoices.errors_by_class == {"payment_term": 2, "closed_period": 1, "data_quality": 1}
    assert (invoices.held, invoices.quarantined, invoices.total, invoices.category) == (1, 1, 8, "finance")
    assert counts["customer"].errors_by_class == {"invalid_reference": 1}
    assert counts["customer"].category == "master"
    assert counts["ap_bill"].total == 0 and set(counts["ap_bill"].by_status.values()) == {0}


def test_failed_records_are_newest_first_with_their_message_state_and_fix(ledger):
    _fill(ledger)

    page = failed_records(ledger)

    assert page.total == 5 and page.pages == 1
    assert [r.key for r in page.records] == ["C-1", "INV-TERM-2", "INV-DQ", "INV-CLOSED", "INV-TERM"]
    by_key = {r.key: r for r in page.records}
    assert by_key["INV-CLOSED"].state == "held: closed_period (2026-09)"
    assert by_key["INV-DQ"].state == "quarantined" and by_key["INV-DQ"].last_message == HOSTILE
    assert by_key["INV-TERM"].state == "error"
    assert by_key["INV-TERM"].remediation == ERROR_CLASSES[ErrorClass.PAYMENT_TERM].person_does
    assert by_key["C-1"].remediation == ERROR_CLASSES[ErrorClass.INVALID_REFERENCE].person_does
    assert str(by_key["INV-TERM"].amount) == "100.0000" and by_key["INV-TERM"].attempts == 1


def test_failed_records_filter_by_object_type_and_error_class_and_page(ledger):
    _fill(ledger)

    invoices = failed_records(ledger, Filters(object_type="ar_invoice"))
    terms = failed_records(ledger, Filters(object_type="ar_invoice", error_class="payment_term"))
    first = failed_records(ledger, Filters(page=1, page_size=2))
    last = failed_records(ledger, Filters(page=3, page_size=2))
    beyond = failed_records(ledger, Filters(page=4, page_size=2))

    assert invoices.total == 4 and {r.object_type for r in invoices.records} == {"ar_invoice"}
    assert [r.key for r in terms.records] == ["INV-TERM-2", "INV-TERM"]
    assert [r.key for r in first.records] == ["C-1", "INV-TERM-2"] and first.pages == 3
    assert [r.key for r in last.records] == ["INV-TERM"]
    assert beyond.records == [] and beyond.total == 5


def test_a_released_hold_reads_as_such_until_the_next_run(ledger):
    _fill(ledger)
    ledger.release_holds(hold="closed_period", reason="period reopened")

    record = next(r for r in failed_records(ledger).records if r.key == "INV-CLOSED")

    assert record.state == "hold released"


def test_remediation_is_the_error_class_table_and_falls_back_to_unknown():
    for error_class, info in ERROR_CLASSES.items():
        assert remediation(error_class.value) == info.person_does
    assert remediation(None) == remediation("no-such-class") == ERROR_CLASSES[ErrorClass.UNKNOWN].person_does


@pytest.mark.parametrize("kwargs, field", [
    ({"object_type": "invoice"}, "object_type"),
    ({"error_class": "timeout"}, "error_class"),
    ({"page": "0"}, "page"),
    ({"page": "two"}, "page"),
    ({"page_size": "100000"}, "page_size"),
])
def test_bad_filters_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        parse_filters(**kwargs)


def test_empty_filters_mean_everything():
    assert parse_filters("", "", "", "") == Filters()
    assert parse_filters("ap_bill", "unclassified", "2", "10") == Filters("ap_bill", "unclassified", 2, 10)
    with pytest.raises(StatusFilterError, match="ar_invoice, ap_bill"):
        parse_filters("bogus")


def _plan(run_id: str) -> dict:
    return RunPlan(run_id=run_id, mode="incremental", doc_types=("ar_invoice", "ap_bill"),
                   upper_bound=datetime(2026, 11, 20, 5, tzinfo=UTC)).to_json()


def test_recent_runs_come_from_the_run_store_newest_first_with_their_report(ledger, settings):
    store = RunStore(settings.integration_db_url)
    for run_id in ("scheduled__2026-11-19T05:00:00+00:00", "scheduled__2026-11-20T05:00:00+00:00"):
        for doc_type in ("ar_invoice", "ap_bill"):
            store.record_selection(run_id, doc_type, _plan(run_id), None)
    store.set_extracted("scheduled__2026-11-20T05:00:00+00:00", "ar_invoice", 12)
    reconciliation = Reconciliation("scheduled__2026-11-20T05:00:00+00:00", _plan("x"), "2026-11-20T06:00:00+00:00",
                                    unaccounted=["ar_invoice INV-9"])
    written = write_report(reconciliation, settings.reports_dir)

    runs = recent_runs(ledger, settings.reports_dir)

    assert [r.run_id for r in runs] == ["scheduled__2026-11-20T05:00:00+00:00",
                                        "scheduled__2026-11-19T05:00:00+00:00"]
    newest, older = runs
    assert newest.extracted == {"ap_bill": 0, "ar_invoice": 12}
    assert (newest.report_markdown, newest.report_json) == written == report_paths(settings.reports_dir,
                                                                                    newest.run_id)
    assert newest.reconciled is False and newest.unaccounted == 1
    assert "since the last complete run" in newest.selection and "ar_invoice, ap_bill" in newest.selection
    assert older.report_markdown is None and older.reconciled is None
    assert recent_runs(ledger, settings.reports_dir, limit=1) == [newest]


def test_a_ledger_not_created_yet_is_reported_and_left_uncreated(tmp_path):
    settings = load_settings({"INTEGRATION_DATA_DIR": str(tmp_path / "fresh")})

    summary = status_summary(settings=settings)

    assert summary.ledger_ready is False and "no tables yet" in summary.notice
    assert not (tmp_path / "fresh" / "integration.db").exists()
    assert "no tables yet" in render_page(summary)


def test_the_page_shows_counts_failures_with_fixes_and_runs_everything_escaped(ledger, settings):
    _fill(ledger)
    RunStore(settings.integration_db_url).record_selection("manual__<b>run</b>", "ar_invoice",
                                                           _plan("manual__<b>run</b>"), None)

    html = render_page(status_summary(Filters(), settings))

    assert HOSTILE not in html and "<script>" not in html and "<b>run</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    assert "manual__&lt;b&gt;run&lt;/b&gt;" in html
    assert ERROR_CLASSES[ErrorClass.PAYMENT_TERM].person_does.replace(">", "&gt;") in html
    assert "held: closed_period (2026-09)" in html and "quarantined" in html
    assert "href='?object_type=ar_invoice&amp;error_class=payment_term'" in html
    assert "<td class='n bad'><a href='?object_type=ar_invoice'>4</a></td>" in html
    assert ">100.00<" in html


def test_the_json_twin_carries_the_same_content(ledger, settings):
    _fill(ledger)

    data = json.loads(json.dumps(to_json(status_summary(Filters(object_type="ar_invoice"), settings))))

    invoices = next(t for t in data["object_types"] if t["object_type"] == "ar_invoice")
    assert invoices["by_status"]["error"] == 4 and invoices["errors_by_class"]["payment_term"] == 2
    assert data["filters"]["object_type"] == "ar_invoice" and data["failed"]["total"] == 4
    record = data["failed"]["records"][0]
    assert record["key"] == "INV-TERM-2" and record["amount"] == "100.0000"
    assert record["remediation"] == ERROR_CLASSES[ErrorClass.PAYMENT_TERM].person_does
    assert "password" not in json.dumps(data).lower()


def test_paging_links_keep_the_filters_and_the_first_page_link_drops_the_query(ledger, settings):
    _fill(ledger)

    second = render_page(status_summary(Filters(object_type="ar_invoice", page=2, page_size=2), settings))
    first = render_page(status_summary(Filters(page=2, page_size=4), settings))

    assert "href='?object_type=ar_invoice&amp;page_size=2'>&larr; newer" in second
    assert "href='api/summary?object_type=ar_invoice&amp;page=2&amp;page_size=2'" in second
    assert "href='?page_size=4'>&larr; newer" in first and "older &rarr;" not in first
    assert "href='./'>&larr; newer" in render_page(status_summary(Filters(page=2), settings))
