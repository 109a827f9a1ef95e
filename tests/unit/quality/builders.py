"""Clean documents of each type that use only the demo company's active data; tests
change one field to trip exactly one check."""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from include.erp.documents import SourceDocument

UPDATED_AT = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)


def ar_invoice(key: str = "INV-10432", *, lines: list[dict[str, Any]] | None = None, **header: Any) -> SourceDocument:
    base = {"invoice_no": key, "customer_id": "C-1001", "invoice_date": date(2026, 11, 2),
            "due_date": date(2026, 12, 2), "term_name": "N30", "currency": "USD",
            "description": "Parts and service", "entity_id": None, "updated_at": UPDATED_AT}
    default_lines = [
        {"invoice_no": key, "line_no": 1, "account_no": "4000", "amount": Decimal("1250.00"), "memo": "Pumps",
         "item_id": "I-3003", "department_id": "SALES", "location_id": "110", "class_id": "WHOLESALE",
         "project_id": None, "dimensions": {"REGION": "10001"}},
        {"invoice_no": key, "line_no": 2, "account_no": "4100", "amount": Decimal("480.50"), "memo": "Service",
         "item_id": None, "department_id": "SVC", "location_id": "130", "class_id": None,
         "project_id": "P-1002", "dimensions": {}},
    ]
    return SourceDocument("ar_invoice", key, {**base, **header}, deepcopy(lines if lines is not None else default_lines))


def ap_bill(key: str = "BILL-7781", *, lines: list[dict[str, Any]] | None = None, **header: Any) -> SourceDocument:
    base = {"bill_no": key, "vendor_id": "V-2001", "bill_date": date(2026, 11, 5), "due_date": date(2026, 12, 5),
            "term_name": "Net 30", "currency": "USD", "description": "Warehouse rent and repairs",
            "entity_id": None, "updated_at": UPDATED_AT}
    default_lines = [
        {"bill_no": key, "line_no": 1, "account_no": "6100", "amount": Decimal("4200.00"), "memo": "Rent",
         "item_id": None, "department_id": "OPS", "location_id": "100", "class_id": None, "project_id": None,
         "dimensions": {"REGION": "10002"}},
        {"bill_no": key, "line_no": 2, "account_no": "6600", "amount": Decimal("315.75"), "memo": "Dock door",
         "item_id": "I-3010", "department_id": None, "location_id": "120", "class_id": None, "project_id": None,
         "dimensions": {}},
    ]
    return SourceDocument("ap_bill", key, {**base, **header}, deepcopy(lines if lines is not None else default_lines))


def journal_entry(key: str = "JE-5501", *, lines: list[dict[str, Any]] | None = None,
                  **header: Any) -> SourceDocument:
    base = {"je_no": key, "journal": "PYRJ", "entry_date": date(2026, 11, 15), "title": "Payroll accrual",
            "entity_id": None, "reverse_date": None, "updated_at": UPDATED_AT}
    default_lines = [
        {"je_no": key, "line_no": 1, "account_no": "6000", "debit": Decimal("9800.00"), "credit": None,
         "memo": "Wages", "department_id": "ENG", "location_id": None, "class_id": None, "project_id": None,
         "dimensions": {"REGION": "10003"}},
        {"je_no": key, "line_no": 2, "account_no": "6500", "debit": Decimal("750.25"), "credit": None,
         "memo": "Payroll taxes", "department_id": "ENG", "location_id": None, "class_id": None,
         "project_id": None, "dimensions": {}},
        {"je_no": key, "line_no": 3, "account_no": "2100", "debit": None, "credit": Decimal("10550.25"),
         "memo": "Accrued payroll", "department_id": None, "location_id": None, "class_id": None,
         "project_id": None, "dimensions": {}},
    ]
    return SourceDocument("journal_entry", key, {**base, **header},
                          deepcopy(lines if lines is not None else default_lines))


def with_line(document: SourceDocument, line_index: int, **changes: Any) -> SourceDocument:
    """A copy of ``document`` whose line ``line_index`` has ``changes`` applied."""
    copy = deepcopy(document)
    copy.lines[line_index].update(changes)
    return copy


BUILDERS = {"ar_invoice": ar_invoice, "ap_bill": ap_bill, "journal_entry": journal_entry}
