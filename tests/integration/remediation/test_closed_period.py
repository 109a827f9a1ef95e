"""closed_period end to end: hold / next_open_period / manual per document type, mark synced by hand,
reopen and post the held period once, and a posted document changed in a closed period."""

import calendar
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from include.masterdata import run as masterdata
from include.remediation.cli import main as remediation_cli
from tests.integration.remediation.helpers import decisions, ledger, planted, posted_numbers

POLICY = {"ar_invoice": "hold", "ap_bill": "next_open_period", "journal_entry": "manual"}


def _sync_closed_books(night):
    masterdata.extract("CLOSEDBOOKS", run_id="closed-books", settings=night.settings, client=night.client())


def _touch_erp(night, table: str, key_column: str, key: str, column: str, value: str) -> None:
    """A person edits a document in the ERP: new content, newer updated_at."""
    with sqlite3.connect(night.erp_path) as erp:
        (stamp,) = erp.execute(f"SELECT updated_at FROM {table} WHERE {key_column} = ?", (key,)).fetchone()
        newer = (datetime.now(UTC) + timedelta(seconds=5)).isoformat(timespec="seconds")
        newer = newer.replace("+00:00", "Z") if str(stamp).endswith("Z") else newer
        erp.execute(f"UPDATE {table} SET {column} = ?, updated_at = ? WHERE {key_column} = ?", (value, newer, key))


def test_closed_period_policies_per_type_then_reopen_posts_the_held_period_exactly_once(night, tmp_path, capsys):
    night.settings = replace(night.settings, closed_period_policy=POLICY)
    manifest = night.generate(lines=240, seed=23, defect_rate=None, defect_rates={"closed_period": 0.25})
    closed = date.fromisoformat(manifest["generator"]["closed_books_date"][:10])
    period = f"{closed:%Y-%m}"
    by_type = {t: [k for d, k in planted(manifest, "closed_period") if d == t] for t in POLICY}
    assert all(by_type.values()), by_type

    night.run()
    book = ledger(night)
    posted = posted_numbers(night)
    # hold: waits with its period
    held = {r.key for r in book.held_for_period(period, hold="closed_period")}
    assert set(by_type["ar_invoice"]) == held
    assert all(any(e.kind == "held_for_period" for e in decisions(night, "ar_invoice", k)) for k in held)
    # next_open_period: re-dated to the day after the closed-books date, original date kept, posted in this run
    bills = {r["RECORDID"]: r for r in night.sandbox.admin.posted("APBILL")}
    for key in by_type["ap_bill"]:
        assert book.get("ap_bill", key).status == "success" and posted[key] == 1
        redated = [e for e in decisions(night, "ap_bill", key) if e.kind == "redated"]
        original = redated[0].details["original_date"]
        assert redated and redated[0].details["new_date"] == (closed + timedelta(days=1)).isoformat()
        assert bills[key]["WHENCREATED"] in ((closed + timedelta(days=1)).strftime("%m/%d/%Y"),
                                             (closed + timedelta(days=1)).isoformat())
        assert f"originally dated {original}" in bills[key]["DESCRIPTION"]
    # manual: flagged, not posted
    for key in by_type["journal_entry"]:
        row = book.get("journal_entry", key)
        assert (row.status, row.hold) == ("error", "manual") and posted[key] == 0
        assert any(e.kind == "manual_adjustment" and "mark-synced" in e.reason
                   for e in decisions(night, "journal_entry", key))

    # A person adjusted one entry in Intacct by hand and marks it synced.
    entry = by_type["journal_entry"][0]
    url = night.settings.integration_db_url
    assert remediation_cli(["--db-url", url, "mark-synced", "--type", "journal_entry", "--key", entry,
                            "--actor", "jane", "--reason", "adjusted manually"]) == 0
    marked = book.get("journal_entry", entry)
    assert marked.status == "success" and "jane" in marked.last_message
    event = [e for e in book.events("journal_entry", entry) if e.kind == "marked_synced"][-1]
    assert (event.actor, event.reason) == ("jane", "adjusted manually") and event.at is not None
    assert remediation_cli(["--db-url", url, "mark-synced", "--type", "journal_entry", "--key", entry,
                            "--actor", "jane", "--reason", "again"]) == 1
    assert "already synchronized" in capsys.readouterr().err

    # Accounting reopens the period: the held invoices post with a backfill of it, once.
    previous_month_end = date(closed.year, closed.month, 1) - timedelta(days=1)
    night.sandbox.admin.reopen(to=previous_month_end)
    _sync_closed_books(night)  # the sync sees the date move back and releases the period's holds
    assert all(book.get("ar_invoice", k).released_at for k in held)
    first = date(closed.year, closed.month, 1)
    last = date(closed.year, closed.month, calendar.monthrange(closed.year, closed.month)[1])
    window = {"posting_date_from": first.isoformat(), "posting_date_to": last.isoformat()}
    night.run(params=window, run_type="backfill")
    posted = posted_numbers(night)
    assert all(book.get("ar_invoice", k).status == "success" and posted[k] == 1 for k in held)
    before = len(night.sandbox.admin.posted())
    night.run(params=window, run_type="backfill")
    assert len(night.sandbox.admin.posted()) == before

    # The books close again over a posted invoice that then changes in the ERP: not re-sent, flagged once.
    invoice = sorted(held)[0]
    night.sandbox.admin.close_books(through=last)
    _sync_closed_books(night)
    _touch_erp(night, "ar_invoices", "invoice_no", invoice, "description", "corrected after closing")
    for _ in range(2):
        night.run(params={"keys": [invoice], "doc_types": ["ar_invoice"]}, run_type="manual")
    row = book.get("ar_invoice", invoice)
    assert row.status == "desynchronized" and posted_numbers(night)[invoice] == 1
    flagged = [e for e in book.events("ar_invoice", invoice) if e.kind == "manual_adjustment"]
    assert len(flagged) == 1 and "manual adjustment required in Intacct" in flagged[0].reason

    # In an open period the change is updated in Intacct: the same record, not a second one.
    open_invoice = next(r for r in book.find(object_type="ar_invoice", status="success") if r.posting_date > last)
    _touch_erp(night, "ar_invoices", "invoice_no", open_invoice.key, "description", "corrected in the ERP")
    night.run(params={"keys": [open_invoice.key], "doc_types": ["ar_invoice"]}, run_type="manual")
    row = book.get("ar_invoice", open_invoice.key)
    assert row.status == "success" and row.intacct_record_no == open_invoice.intacct_record_no
    record = [r for r in night.sandbox.admin.posted("ARINVOICE") if r["RECORDID"] == open_invoice.key]
    assert len(record) == 1 and record[0]["DESCRIPTION"] == "corrected in the ERP"
