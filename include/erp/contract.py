"""The ERP source contract: every table and column a source must provide, with its
type, whether it is required and what it means.

One table for one concept: the sources check and parse columns from it, the
generator creates its schema from it, and the README's contract tables are
written from it (``python -m include.erp.contract`` prints them).
"""

from __future__ import annotations

from dataclasses import dataclass

from include.erp.documents import DOCUMENT_SPECS, MASTER_SPECS

TEXT = "text"
DATE = "date"  # ISO YYYY-MM-DD
TIMESTAMP = "timestamp"  # ISO 8601; naive means UTC
DECIMAL = "decimal"
INTEGER = "integer"
JSON_OBJECT = "json"  # a JSON object of name to value id; empty means {}


class ErpSourceError(ValueError):
    """The source does not meet the contract (missing table or required column)."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    meaning: str


def _c(name: str, kind: str, required: bool, meaning: str) -> Column:
    return Column(name, kind, required, meaning)


_PARTY_COLUMNS = (
    _c("name", TEXT, True, "display name"),
    _c("status", TEXT, True, "`active` or `inactive`"),
    _c("term_name", TEXT, False, "default payment term name"),
    _c("currency", TEXT, False, "ISO currency code"),
    _c("email", TEXT, False, "contact e-mail"),
    _c("updated_at", TIMESTAMP, True, "last change in the ERP (drives incremental reads)"),
)

_DIMENSION_COLUMNS = (
    _c("department_id", TEXT, False, "Intacct DEPARTMENTID"),
    _c("location_id", TEXT, False, "Intacct LOCATIONID"),
    _c("class_id", TEXT, False, "Intacct CLASSID"),
    _c("project_id", TEXT, False, "Intacct PROJECTID"),
    _c("dimensions", JSON_OBJECT, False, 'user-defined dimensions, e.g. `{"REGION": "10001"}`'),
)


def _document_header(key: str, party: str | None, date_column: str) -> tuple[Column, ...]:
    party_columns = (_c(party, TEXT, True, f"the {party.removesuffix('_id')} (ERP and Intacct id)"),) if party else ()
    return (_c(key, TEXT, True, "document number, unique in the table"), *party_columns,
            _c(date_column, DATE, True, "posting date"))


def _ar_ap_header(key: str, party: str, date_column: str) -> tuple[Column, ...]:
    return (
        *_document_header(key, party, date_column),
        _c("due_date", DATE, False, "due date (date + term days)"),
        _c("term_name", TEXT, False, "payment term; must match an active Intacct term exactly"),
        _c("currency", TEXT, False, "ISO currency code"),
        _c("description", TEXT, False, "free text"),
        _c("entity_id", TEXT, False, "Intacct entity (multi-entity companies only)"),
        _c("updated_at", TIMESTAMP, True, "last change to the header OR any of its lines"),
    )


def _lines(key: str, *amounts: Column) -> tuple[Column, ...]:
    return (
        _c(key, TEXT, True, "the header's document number"),
        _c("line_no", INTEGER, True, "line number within the document"),
        _c("account_no", TEXT, True, "GL account number"),
        *amounts,
        _c("memo", TEXT, False, "line memo"),
        *_DIMENSION_COLUMNS,
    )


def _ar_ap_lines(key: str) -> tuple[Column, ...]:
    return _lines(key, _c("amount", DECIMAL, True, "line amount, 2 decimals"),
                  _c("item_id", TEXT, False, "item (ERP and Intacct id)"))


TABLES: dict[str, tuple[Column, ...]] = {
    "customers": (_c("customer_id", TEXT, True, "customer id (ERP and Intacct)"), *_PARTY_COLUMNS),
    "vendors": (_c("vendor_id", TEXT, True, "vendor id (ERP and Intacct)"), *_PARTY_COLUMNS),
    "items": (
        _c("item_id", TEXT, True, "item id (ERP and Intacct)"),
        _c("name", TEXT, True, "display name"),
        _c("item_type", TEXT, False, "Intacct item type, e.g. `Non-Inventory`"),
        _c("status", TEXT, True, "`active` or `inactive`"),
        _c("updated_at", TIMESTAMP, True, "last change in the ERP (drives incremental reads)"),
    ),
    "ar_invoices": _ar_ap_header("invoice_no", "customer_id", "invoice_date"),
    "ar_invoice_lines": _ar_ap_lines("invoice_no"),
    "ap_bills": _ar_ap_header("bill_no", "vendor_id", "bill_date"),
    "ap_bill_lines": _ar_ap_lines("bill_no"),
    "journal_entries": (
        *_document_header("je_no", None, "entry_date"),
        _c("journal", TEXT, True, "journal symbol, e.g. `GJ`"),
        _c("title", TEXT, False, "description"),
        _c("entity_id", TEXT, False, "Intacct entity (multi-entity companies only)"),
        _c("reverse_date", DATE, False, "auto-reversal date"),
        _c("updated_at", TIMESTAMP, True, "last change to the header OR any of its lines"),
    ),
    "journal_entry_lines": _lines("je_no", _c("debit", DECIMAL, False, "debit amount (a line has a debit or a credit)"),
                                  _c("credit", DECIMAL, False, "credit amount")),
}

_SPEC_COLUMNS: dict[str, tuple[str, ...]] = {
    **{s.header_table: s.header_columns for s in DOCUMENT_SPECS.values()},
    **{s.lines_table: s.line_columns for s in DOCUMENT_SPECS.values()},
    **{s.table: s.columns for s in MASTER_SPECS.values()},
}
# Contract columns in the order the shared specs list them.
TABLES = {table: tuple(sorted(columns, key=lambda c: _SPEC_COLUMNS[table].index(c.name)))
          for table, columns in TABLES.items()}


def columns(table: str) -> tuple[Column, ...]:
    return TABLES[table]


def column_kinds(table: str) -> dict[str, str]:
    return {c.name: c.kind for c in TABLES[table]}


def required_columns(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in TABLES[table] if c.required)


def recommended_indexes() -> dict[str, list[tuple[str, ...]]]:
    """Indexes that keep incremental, keyed and windowed reads fast on a large ERP."""
    indexes: dict[str, list[tuple[str, ...]]] = {}
    for spec in DOCUMENT_SPECS.values():
        indexes[spec.header_table] = [("updated_at", spec.key_column), (spec.key_column,), (spec.date_column,)]
        indexes[spec.lines_table] = [(spec.key_column,)]
    for master in MASTER_SPECS.values():
        indexes[master.table] = [("updated_at", master.key_column), (master.key_column,)]
    return indexes


def markdown_tables() -> str:
    """The contract as Markdown, one table per entity, for the README."""
    parts = []
    for table, cols in TABLES.items():
        rows = "\n".join(f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | {c.meaning} |" for c in cols)
        parts.append(f"#### `{table}`\n\n| column | type | required | meaning |\n|---|---|---|---|\n{rows}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown_tables())
