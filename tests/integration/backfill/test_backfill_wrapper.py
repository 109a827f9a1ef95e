"""``python -m include.backfill <period>`` against the sandbox: it reads the closed-books date from
Intacct, refuses a period that is still closed and, in a dry run, names the dates and what waits."""

from datetime import UTC, date, datetime

import pytest

from include import demo_company
from include.backfill import PeriodStillClosed, backfill_period
from include.backfill.__main__ import main
from include.ledger import Ledger, Outcome


def _held(ledger, key: str, day: date) -> None:
    ledger.observe("ar_invoice", key, "v1", category="finance", posting_date=day)
    ledger.claim("ar_invoice", [key], run_id="night-1", worker="test")
    ledger.record_outcomes([Outcome.error("ar_invoice", key, error_class="closed_period", message="Periods are closed",
                                          hold="closed_period", held_for_period=f"{day:%Y-%m}")], run_id="night-1")


def test_period_still_closed_in_intacct_is_refused_naming_it(night):
    closed = demo_company.default_closed_books_date(datetime.now(UTC).date())
    ledger = Ledger(night.settings.integration_db_url)
    with pytest.raises(PeriodStillClosed, match=f"period {closed:%Y-%m} is still closed in Intacct"):
        backfill_period(f"{closed:%Y-%m}", settings=night.settings, ledger=ledger, client=night.client(),
                        dry_run=True)


def test_dry_run_of_a_reopened_period_names_the_command_and_what_waits_and_changes_nothing(night):
    closed = demo_company.default_closed_books_date(datetime.now(UTC).date())
    period = f"{closed:%Y-%m}"
    ledger = Ledger(night.settings.integration_db_url)
    _held(ledger, "INV-SEP-1", closed.replace(day=3))
    night.sandbox.admin.reopen()  # the last closed month opens again

    outcome = backfill_period(period, settings=night.settings, ledger=ledger, client=night.client(), dry_run=True)

    assert (outcome.from_date, outcome.to_date) == (closed.replace(day=1), closed)
    assert " ".join(outcome.command) == (f"airflow backfill create --dag-id intacct_post_transactions --from-date "
                                         f"{closed.replace(day=1)} --to-date {closed}")
    assert outcome.waiting == 1 and outcome.started == "dry run"
    assert ledger.get("ar_invoice", "INV-SEP-1").hold == "closed_period"


def test_command_line_refuses_a_period_that_is_not_a_month_before_connecting(capsys):
    assert main(["September"]) == 2
    assert "period 'September' is not a month written YYYY-MM" in capsys.readouterr().err
