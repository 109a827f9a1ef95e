"""What the pipeline receives from an ERP source: typed documents and masters.

A source never drops a row: a value that cannot be parsed becomes ``None`` and a
``SourceProblem`` naming the table, key and column is attached, so validation
fails the record with that message instead of losing it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class DocumentSpec:
    doc_type: str
    header_table: str
    lines_table: str
    key_column: str
    date_column: str  # the posting date
    party_column: str | None  # customer_id / vendor_id; journal entries have none
    intacct_object: str
    header_columns: tuple[str, ...]
    line_columns: tuple[str, ...]


_DIMENSION_COLUMNS = ("department_id", "location_id", "class_id", "project_id", "dimensions")

DOCUMENT_SPECS: dict[str, DocumentSpec] = {
    "ar_invoice": DocumentSpec(
        doc_type="ar_invoice",
        header_table="ar_invoices",
        lines_table="ar_invoice_lines",
        key_column="invoice_no",
        date_column="invoice_date",
        party_column="customer_id",
        intacct_object="ARINVOICE",
        header_columns=("invoice_no", "customer_id", "invoice_date", "due_date", "term_name", "currency",
                        "description", "entity_id", "updated_at"),
        line_columns=("invoice_no", "line_no", "account_no", "amount", "memo", "item_id", *_DIMENSION_COLUMNS),
    ),
    "ap_bill": DocumentSpec(
        doc_type="ap_bill",
        header_table="ap_bills",
        lines_table="ap_bill_lines",
        key_column="bill_no",
        date_column="bill_date",
        party_column="vendor_id",
        intacct_object="APBILL",
        header_columns=("bill_no", "vendor_id", "bill_date", "due_date", "term_name", "currency",
                        "description", "entity_id", "updated_at"),
        line_columns=("bill_no", "line_no", "account_no", "amount", "memo", "item_id", *_DIMENSION_COLUMNS),
    ),
    "journal_entry": DocumentSpec(
        doc_type="journal_entry",
        header_table="journal_entries",
        lines_table="journal_entry_lines",
        key_column="je_no",
        date_column="entry_date",
        party_column=None,
        intacct_object="GLBATCH",
        header_columns=("je_no", "journal", "entry_date", "title", "entity_id", "reverse_date", "updated_at"),
        line_columns=("je_no", "line_no", "account_no", "debit", "credit", "memo", *_DIMENSION_COLUMNS),
    ),
}


@dataclass(frozen=True)
class MasterSpec:
    object_type: str
    table: str
    key_column: str
    intacct_object: str
    columns: tuple[str, ...]


MASTER_SPECS: dict[str, MasterSpec] = {
    "customer": MasterSpec("customer", "customers", "customer_id", "CUSTOMER",
                           ("customer_id", "name", "status", "term_name", "currency", "email", "updated_at")),
    "vendor": MasterSpec("vendor", "vendors", "vendor_id", "VENDOR",
                         ("vendor_id", "name", "status", "term_name", "currency", "email", "updated_at")),
    "item": MasterSpec("item", "items", "item_id", "ITEM", ("item_id", "name", "item_type", "status", "updated_at")),
}


@dataclass(frozen=True)
class SourceProblem:
    table: str
    key: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.table} {self.key!r}, column {self.column}: {self.message}"


@dataclass
class SourceDocument:
    """One finance document: its header and lines, typed.

    Dates are ``date``, ``updated_at`` is an aware ``datetime``, amounts are
    ``Decimal``, ``line_no`` is ``int``, ``dimensions`` is a ``dict``; anything that
    failed to parse is ``None`` with a matching entry in ``problems``. An orphan
    set of lines (no header) arrives with ``header == {}`` and a problem.
    """

    doc_type: str
    key: str
    header: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def spec(self) -> DocumentSpec:
        return DOCUMENT_SPECS[self.doc_type]

    @property
    def posting_date(self) -> date | None:
        return self.header.get(self.spec.date_column)

    @property
    def updated_at(self) -> datetime | None:
        return self.header.get("updated_at")

    @cached_property
    def source_version(self) -> str:
        """Content hash of header and lines; ``updated_at`` alone does not change it.
        Computed once: treat a read document as immutable (``dataclasses.replace`` makes a
        changed copy with its own version)."""
        return content_hash({k: v for k, v in self.header.items() if k != "updated_at"}, self.lines)


@dataclass
class SourceMaster:
    """One ERP-owned master record (customer, vendor, item)."""

    object_type: str
    key: str
    fields: dict[str, Any]
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def updated_at(self) -> datetime | None:
        return self.fields.get("updated_at")

    @cached_property
    def source_version(self) -> str:
        return content_hash({k: v for k, v in self.fields.items() if k != "updated_at"})


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 100.10 and 100.1 are the same amount
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def content_hash(*parts: Any) -> str:
    """A short, stable hash of plain data (dicts, lists, str, numbers, Decimal, dates).

    Serialised by the C JSON encoder with sorted keys: it runs for every document on
    every run, so it must stay cheap."""
    payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
