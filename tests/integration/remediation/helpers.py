"""Reading back what a night did: ledger rows, events, and what the sandbox holds."""

from __future__ import annotations

from collections import Counter

from include.erp.source import open_source
from include.ledger import Ledger


def ledger(night) -> Ledger:
    return Ledger(night.settings.integration_db_url)


def posted_numbers(night) -> Counter:
    """How many times the sandbox holds each document number."""
    return Counter(r.get("RECORDID") or r.get("REFERENCENO") for r in night.sandbox.admin.posted())


def erp_documents(night, doc_type: str, keys) -> dict:
    source = open_source(night.settings.erp_source)
    try:
        return {d.key: d for d in source.get_documents(doc_type, list(keys))}
    finally:
        source.close()


def planted(manifest, defect: str) -> list[tuple[str, str]]:
    return [(d["doc_type"], d["key"]) for d in manifest["documents"] if d["defects"] == [defect]]


def decisions(night, doc_type: str, key: str) -> list:
    return [e for e in ledger(night).events(doc_type, key) if e.reason]
