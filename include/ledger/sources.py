"""Turn what an ERP source yields into rows for ``Ledger.observe_many``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from include.erp.documents import SourceDocument, SourceMaster


def document_total(document: SourceDocument) -> Decimal | None:
    """The document's amount: the sum of its lines (debits for a journal entry); None if any is unreadable."""
    column = "debit" if document.doc_type == "journal_entry" else "amount"
    amounts = [line.get(column) for line in document.lines]
    if not amounts or any(not isinstance(a, Decimal) for a in amounts):
        return None
    return sum(amounts, Decimal(0))


def observed(record: SourceDocument | SourceMaster) -> dict[str, Any]:
    """One ``observe_many`` row for a finance document or an ERP-owned master record."""
    if isinstance(record, SourceDocument):
        return {
            "object_type": record.doc_type,
            "key": record.key,
            "source_version": record.source_version,
            "category": "finance",
            "posting_date": record.posting_date,
            "amount": document_total(record),
        }
    return {
        "object_type": record.object_type,
        "key": record.key,
        "source_version": record.source_version,
        "category": "master",
    }
