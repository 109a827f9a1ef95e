"""`airflow backfill create` alone posts what a reopened period held: the backfill run's check
sees Intacct's closed-books date moved back and releases those holds itself, without waiting for
a master-data sync."""

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from include import demo_company
from include.ledger import Ledger


def _month_interval(closed, timezone):
    zone = ZoneInfo(timezone)
    start = datetime.combine(closed.replace(day=1), time(0), zone)
    return start.astimezone(UTC), datetime.combine(closed + timedelta(days=1), time(0), zone).astimezone(UTC)


def test_a_backfill_run_alone_posts_the_documents_its_reopened_period_held_once(night):
    manifest = night.generate(lines=300, defect_rate=None, defect_rates={"closed_period": 0.15})
    held_keys = {d["key"] for d in manifest["documents"] if "closed_period" in d["defects"]}
    assert held_keys
    night.run()
    ledger = Ledger(night.settings.integration_db_url)
    closed = demo_company.default_closed_books_date(night.as_of)
    assert {r.key for r in ledger.held_for_period(f"{closed:%Y-%m}")} == held_keys

    night.sandbox.admin.reopen(to=closed.replace(day=1) - timedelta(days=1))
    backfill = night.run(run_type="backfill", data_interval=_month_interval(closed, night.settings.schedule_timezone))

    assert backfill["plan"]["check"]["reopening"]["released"] == {f"{closed:%Y-%m}": len(held_keys)}
    assert {r.key for r in ledger.find(key=None, status="success") if r.key in held_keys} == held_keys
    posted = Counter(r.get("RECORDID") or r.get("REFERENCENO") for obj in ("ARINVOICE", "APBILL", "GLBATCH")
                     for r in night.sandbox.admin.posted(obj))
    assert all(posted[key] == 1 for key in held_keys), {k: posted[k] for k in held_keys}

    again = night.run(run_type="backfill", data_interval=_month_interval(closed, night.settings.schedule_timezone))
    assert sum(item["posted"] for item in again["loaded"]) == 0
