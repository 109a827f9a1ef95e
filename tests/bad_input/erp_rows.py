"""The catalogue of bad ERP rows: each case damages one clean document of a generated ERP (or
adds a row), and names the outcome the night must give it: the error class recorded in the
ledger and phrases its message holds (the table, the key, the column and the offending value).
No step may crash on any of them, and every other document still posts.

``tests/integration/pipeline/test_bad_input_catalogue.py`` runs them all in one night against
the sandbox; ``tests/bad_input/catalogue.py`` lists them in docs/reference/bad-inputs.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

DQ, REF = "data_quality", "invalid_reference"
TABLES = {"ar_invoice": ("ar_invoices", "ar_invoice_lines", "invoice_no"),
          "ap_bill": ("ap_bills", "ap_bill_lines", "bill_no"),
          "journal_entry": ("journal_entries", "journal_entry_lines", "je_no")}


@dataclass(frozen=True)
class ErpCase:
    name: str
    row: str  # the bad input, for the docs
    doc_type: str
    damage: Callable[[sqlite3.Connection, str], str | None]  # (erp, key) -> the key it is known by, if changed
    error_class: str
    message: tuple[str, ...]  # phrases of the ledger message ("{key}" is the document's key)
    lines: int = 1  # lines the damaged document needs


def header(**values) -> Callable[[sqlite3.Connection, str], None]:
    def damage(erp: sqlite3.Connection, key: str) -> None:
        table, _, key_column = TABLES[damage.doc_type]
        erp.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {key_column} = ?",
                    [*values.values(), key])
    return damage


def line(**values) -> Callable[[sqlite3.Connection, str], None]:
    """Change the document's first line."""
    def damage(erp: sqlite3.Connection, key: str) -> None:
        _, table, key_column = TABLES[damage.doc_type]
        erp.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE {key_column} = ? "
                    "AND CAST(line_no AS INTEGER) = 1", [*values.values(), key])
    return damage


def renumber(new_key: Callable[[str], str]) -> Callable[[sqlite3.Connection, str], str]:
    """Give the document (header and lines) another number."""
    def damage(erp: sqlite3.Connection, key: str) -> str:
        header_table, lines_table, key_column = TABLES[damage.doc_type]
        for table in (header_table, lines_table):
            erp.execute(f"UPDATE {table} SET {key_column} = ? WHERE {key_column} = ?", (new_key(key), key))
        return new_key(key)
    return damage


def drop_lines(erp: sqlite3.Connection, key: str) -> None:
    _, table, key_column = TABLES[drop_lines.doc_type]
    erp.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))


def drop_header(erp: sqlite3.Connection, key: str) -> None:
    table, _, key_column = TABLES[drop_header.doc_type]
    erp.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))


def duplicate_header(erp: sqlite3.Connection, key: str) -> None:
    table, _, key_column = TABLES[duplicate_header.doc_type]
    columns = [r[1] for r in erp.execute(f"PRAGMA table_info({table})")]
    erp.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {table} "
                f"WHERE {key_column} = ?", (key,))


def unbalance(erp: sqlite3.Connection, key: str) -> None:
    erp.execute("UPDATE journal_entry_lines SET debit = CAST(CAST(debit AS REAL) + 0.07 AS TEXT) "
                "WHERE je_no = ? AND debit != '' AND CAST(line_no AS INTEGER) = 1", (key,))


def one_line(erp: sqlite3.Connection, key: str) -> None:
    erp.execute("DELETE FROM journal_entry_lines WHERE je_no = ? AND CAST(line_no AS INTEGER) > 1", (key,))


def _case(name, row, doc_type, damage, error_class, *message, lines=1) -> ErpCase:
    damage.doc_type = doc_type
    return ErpCase(name, row, doc_type, damage, error_class, tuple(message), lines)


AR, AP, JE = "ar_invoice", "ap_bill", "journal_entry"
HUGE = "99999999999999999999999.99"

CASES: tuple[ErpCase, ...] = (
    # amounts
    _case("amount_out_of_range", f"line amount {HUGE}", AR, line(amount=HUGE), DQ, "amount", HUGE[:12]),
    _case("amount_not_a_number", "line amount '12,5O'", AR, line(amount="12,5O"), DQ,
          "column amount", "'12,5O' is not a number"),
    _case("amount_nan", "line amount 'NaN'", AR, line(amount="NaN"), DQ, "column amount", "'NaN' is not a number"),
    _case("amount_exponent", "line amount '1e400'", AP, line(amount="1e400"), DQ, "column amount",
          "'1e400' is not a number"),
    _case("amount_three_decimals", "line amount '10.005'", AR, line(amount="10.005"), DQ, "amount", "10.005"),
    _case("amount_currency_sign", "line amount '$100.00'", AP, line(amount="$100.00"), DQ,
          "'$100.00' is not a number"),
    _case("je_debit_text", "journal entry debit 'abc'", JE, line(debit="abc"), DQ, "column debit",
          "'abc' is not a number"),
    _case("je_unbalanced", "journal entry debits 0.07 over its credits", JE, unbalance, DQ, "balance", lines=2),
    _case("je_one_line", "journal entry with a single line", JE, one_line, DQ, "at least 2 lines", lines=2),
    # dates and timestamps
    _case("posting_date_month_13", "invoice_date '2026-13-01'", AR, header(invoice_date="2026-13-01"), DQ,
          "column invoice_date", "'2026-13-01' is not a valid calendar date"),
    _case("posting_date_us_format", "bill_date '02/30/2026'", AP, header(bill_date="02/30/2026"), DQ,
          "column bill_date", "'02/30/2026' is not a date (expected YYYY-MM-DD)"),
    _case("due_date_text", "due_date 'soon'", AR, header(due_date="soon"), DQ, "column due_date", "'soon'"),
    _case("updated_at_not_a_time", "updated_at 'not-a-time'", AR, header(updated_at="not-a-time"), DQ,
          "column updated_at", "'not-a-time' is not an ISO 8601 timestamp"),
    _case("updated_at_far_future", "updated_at '2999-01-01T00:00:00Z'", AP,
          header(updated_at="2999-01-01T00:00:00Z"), DQ, "column updated_at", "2999-01-01", "in the future"),
    _case("updated_at_before_1900", "updated_at '1850-06-01T00:00:00Z'", JE,
          header(updated_at="1850-06-01T00:00:00Z"), DQ, "column updated_at", "before 1900"),
    _case("updated_at_empty_text", "updated_at '' (empty text)", AR, header(updated_at=""), DQ,
          "column updated_at", "updated_at is missing"),
    _case("updated_at_slashes", "updated_at '2026/01/02 10:00'", AP, header(updated_at="2026/01/02 10:00"), DQ,
          "column updated_at", "'2026/01/02 10:00' is not an ISO 8601 timestamp"),
    # text the request cannot carry
    _case("nul_in_description", "a NUL character in description", AR, header(description="Parts\x00and labour"),
          DQ, "column description", "\\x00"),
    _case("bell_in_memo", "a BEL control character in a line memo", AP, line(memo="Freight\x07"), DQ,
          "column memo", "\\x07"),
    _case("escape_in_title", "an ESC character in a journal entry title", JE, header(title="Accrual\x1b[31m"), DQ,
          "column title", "\\x1b"),
    _case("nonchar_in_term", "U+FFFF in the payment term", AR, header(term_name="Net 30\uffff"), DQ,
          "column term_name", "\\uffff"),
    _case("control_in_dimension", "a control character in a dimension value", AR,
          line(department_id="ADMIN\x01"), DQ, "column department_id", "\\x01"),
    # document numbers
    _case("number_with_spaces", "document number ' BAD-26 ' (spaces at either end)", AR,
          renumber(lambda key: f" {key} "), DQ, "spaces at either end", "would be posted as"),
    _case("number_too_long", "a document number of 200 characters", AP, renumber(lambda key: key + "X" * 192), DQ,
          "is longer than the 128 characters"),
    _case("number_with_nul", "a NUL character in the document number", JE, renumber(lambda key: key + "\x00Z"),
          DQ, "the character \\x00", lines=2),
    _case("header_without_lines", "a header whose lines are missing", AP, drop_lines, DQ, "has no lines"),
    _case("lines_without_header", "lines whose header is missing (orphans)", AR, drop_header, DQ,
          "lines have no header"),
    _case("number_twice", "the same document number twice in the header table", AR, duplicate_header, DQ,
          "appears 2 times"),
    # what Intacct can receive (include/quality/limits.py)
    _case("description_100kb", "a description of 100,000 characters", AR, header(description="A" * 100_000), DQ,
          "field description", "100,000 characters, Intacct allows at most 1000", "…(100,000 characters)"),
    _case("memo_too_long", "a line memo of 1,001 characters", JE, line(memo="m" * 1001), DQ, "field memo",
          "1,001 characters, Intacct allows at most 1000", lines=2),
    _case("number_longer_than_intacct_takes", "a bill number of 31 characters (the ledger holds it, Intacct "
          "would not)", AP, renumber(lambda key: (key + "-" * 31)[:31]), DQ, "field bill_no",
          "31 characters, Intacct allows at most 30"),
    _case("account_too_long", "an account number of 25 characters", AR, line(account_no="6" * 25), DQ,
          "field account_no", "25 characters, Intacct allows at most 24"),
    _case("currency_no_currency", "currency 'XXX'", AR, header(currency="XXX"), DQ, "field currency",
          'ISO 4217\'s code for "no currency"'),
    _case("currency_lower_case", "currency 'usd'", AP, header(currency="usd"), DQ, "field currency",
          "not an active ISO 4217 currency code", "did you mean 'USD'"),
    _case("currency_made_up", "currency 'ABC'", AR, header(currency="ABC"), DQ, "field currency",
          "'ABC' is not an active ISO 4217 currency code"),
    _case("amount_over_intacct_range", "line amount 12345678901234.00 (14 digits before the point)", AP,
          line(amount="12345678901234.00"), DQ, "field amount", "out of range"),
    # fields
    _case("line_no_text", "line_no 'one'", AR, line(line_no="one"), DQ, "column line_no",
          "'one' is not a whole number"),
    _case("dimensions_not_json", "dimensions '{not json'", AR, line(dimensions="{not json"), DQ,
          "column dimensions", "is not valid JSON"),
    _case("dimensions_not_object", "dimensions '[1, 2]'", AP, line(dimensions="[1, 2]"), DQ,
          "column dimensions", "is not a JSON object"),
    _case("dimensions_boolean", 'dimensions \'{"REGION": true}\'', AR, line(dimensions='{"REGION": true}'), DQ,
          "column dimensions", "not a dimension value id"),
    _case("customer_missing", "customer_id empty", AR, header(customer_id=""), DQ, "customer_id"),
    _case("account_missing", "a line without account_no", AP, line(account_no=""), DQ, "account_no"),
    _case("journal_missing", "journal entry without a journal", JE, header(journal=""), DQ, "journal"),
    _case("location_unknown", "a location Intacct does not have", AR, line(location_id="999"), REF,
          "location_id", "999"),
    _case("entity_unknown", "entity_id 'E999' (not an entity of the company)", AR, header(entity_id="E999"), REF,
          "entity_id", "E999", "Correct the document in the ERP"),
)
