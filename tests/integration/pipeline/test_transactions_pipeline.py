"""The transactions pipeline's steps, run in the DAG's order against the sandbox."""

from collections import Counter

from include.ledger import Ledger
from include.pipeline.run_store import RunStore

POSTED_OBJECTS = {"ar_invoice": "ARINVOICE", "ap_bill": "APBILL", "journal_entry": "GLBATCH"}


def _ledger(night) -> Ledger:
    return Ledger(night.settings.integration_db_url)


def _posted_numbers(night) -> Counter:
    """Document numbers the sandbox holds, per Intacct object (RECORDID / REFERENCENO)."""
    numbers = Counter()
    for record in night.sandbox.admin.posted():
        number = record.get("RECORDID") or record.get("REFERENCENO")
        numbers[(record.get("object") or record.get("OBJECT"), number)] += 1
    return numbers


def test_clean_night_posts_every_document_once_and_advances_the_watermarks(night):
    manifest = night.generate(lines=150)
    result = night.run()

    total = sum(manifest["documents_total"].values())
    assert result["summary"]["ok"] and result["summary"]["outcomes"] == {"posted": total}
    assert result["routes"] == []
    ledger = _ledger(night)
    assert ledger.count(status="success", category="finance") == total
    assert len(night.sandbox.admin.posted()) == total
    assert all(r.intacct_record_no for r in ledger.find(status="success", category="finance"))
    store = RunStore(night.settings.integration_db_url)
    assert all(store.watermark(t) is not None for t in POSTED_OBJECTS)
    report = result["summary"]["report"]
    assert "every document accounted for" in open(report).read()
    api = result["summary"]["api_cost"]
    assert api["http_requests"] >= 3 and api["api_transactions"] >= total
