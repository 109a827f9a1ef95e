"""Small hand-written ERP databases for source tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from include.erp import contract


def write_erp(path: Path, tables: dict[str, list[dict]], *, extra_columns: dict[str, list[str]] | None = None,
              drop_columns: dict[str, list[str]] | None = None) -> Path:
    """A SQLite ERP with every contract table (text columns) holding ``tables``' rows."""
    conn = sqlite3.connect(path)
    for table in contract.TABLES:
        names = [c.name for c in contract.columns(table) if c.name not in (drop_columns or {}).get(table, [])]
        names += (extra_columns or {}).get(table, [])
        conn.execute(f'create table "{table}" ({", ".join(f"{n} TEXT" for n in names)})')
        for row in tables.get(table, []):
            conn.execute(f'insert into "{table}" ({", ".join(names)}) values ({", ".join("?" for _ in names)})',
                         [row.get(n) for n in names])
    conn.commit()
    conn.close()
    return path


def invoice(number: str, *, invoice_date: str = "2026-10-15", updated_at: str = "2026-10-16T08:00:00Z",
            **overrides) -> dict:
    return {"invoice_no": number, "customer_id": "C-1001", "invoice_date": invoice_date, "due_date": "2026-11-14",
            "term_name": "Net 30", "currency": "USD", "description": f"invoice {number}",
            "updated_at": updated_at, **overrides}


def invoice_line(number: str, line_no: int | str, amount: str = "100.00", **overrides) -> dict:
    return {"invoice_no": number, "line_no": str(line_no), "account_no": "4000", "amount": amount,
            "memo": "parts", "item_id": "I-3001", "dimensions": "", **overrides}
