from datetime import date

import pytest

from include.erp.documents import SourceDocument
from include.pipeline.breaker import OPEN_MARK, CircuitBreaker, threshold_from_env
from include.remediation.closed_period import first_open_date, redate


def test_first_open_date_is_the_day_after_the_closed_books_date_not_the_first_of_this_month():
    assert first_open_date(date(2026, 9, 30)) == date(2026, 10, 1)
    assert first_open_date(date(2026, 10, 15)) == date(2026, 10, 16)
    assert first_open_date(date(2026, 12, 31)) == date(2027, 1, 1)


def test_redated_invoice_keeps_its_original_date_in_the_description_and_its_term_length():
    invoice = SourceDocument("ar_invoice", "INV-7", {"invoice_no": "INV-7", "invoice_date": date(2026, 9, 14),
                                                     "due_date": date(2026, 10, 14), "description": "Consulting"})
    moved = redate(invoice, date(2026, 10, 1))
    assert moved.posting_date == date(2026, 10, 1) and moved.header["due_date"] == date(2026, 10, 31)
    assert moved.header["description"] == ("Consulting (originally dated 2026-09-14; re-dated to 2026-10-01 "
                                           "(period closed))")
    assert invoice.posting_date == date(2026, 9, 14)


def test_redated_journal_entry_notes_the_original_date_in_its_title():
    entry = SourceDocument("journal_entry", "JE-3", {"je_no": "JE-3", "entry_date": date(2026, 9, 2)})
    assert redate(entry, date(2026, 10, 1)).header["title"].startswith("JE-3 (originally dated 2026-09-02")


def test_breaker_opens_once_after_n_consecutive_transient_request_failures():
    breaker = CircuitBreaker(5)
    assert not breaker.record(succeeded=0, transient_failed=3)
    assert breaker.record(succeeded=0, transient_failed=2)
    assert breaker.is_open and OPEN_MARK in breaker.opened_message and "5 requests in a row" in breaker.opened_message
    assert not breaker.record(succeeded=0, transient_failed=10)  # reported once


def test_a_success_in_between_resets_the_breaker():
    breaker = CircuitBreaker(5)
    breaker.record(succeeded=0, transient_failed=4)
    breaker.record(succeeded=1, transient_failed=3)
    assert not breaker.record(succeeded=0, transient_failed=4)
    assert not breaker.is_open


def test_breaker_threshold_comes_from_the_environment_and_is_checked():
    assert threshold_from_env({}) == 5
    assert threshold_from_env({"INTEGRATION_CIRCUIT_BREAKER_THRESHOLD": "3"}) == 3
    with pytest.raises(ValueError, match="at least 1"):
        threshold_from_env({"INTEGRATION_CIRCUIT_BREAKER_THRESHOLD": "0"})
