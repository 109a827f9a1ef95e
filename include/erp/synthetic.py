"""Building a synthetic ERP's rows, consistent with the demo company the Intacct
sandbox is seeded with, and planting defects from the catalogue.

Rows are plain dicts of text (what the ERP tables hold); documents are built one
at a time from a seeded ``random.Random`` so a seed reproduces the data exactly.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from include import demo_company as dc
from include.erp.defects import AP, AR, JE

NEW_CUSTOMERS = 15  # ERP customers Intacct does not have yet
NEW_VENDORS = 10
NEW_ITEMS = 15

NEAR_MATCH_TERMS = {"Net30": 30, "net 30": 30, "NET 45": 45, "n30": 30, "net45": 45, "Net 60 ": 60, "n15": 15,
                    "2%10 Net 30": 30}
UNKNOWN_TERMS = {"Net 120": 120, "Net 10": 10, "Net 90": 90, "EOM 25": 25}
NON_NUMERIC_AMOUNTS = ("12,5O", "abc", "1.2.3", "$100.00", "12.50-")
UNKNOWN_DIMENSION_VALUES = {"department_id": "MKTG", "location_id": "999", "class_id": "EXPORT",
                            "project_id": "P-7777", "REGION": "19999"}

_MEMOS = ("Parts and labour", "Monthly service", "Freight", "Replacement parts", "Maintenance visit",
          "Consulting", "Subscription", "Supplies", "Warehouse handling", "Installation")
_JE_TITLES = ("Accrual", "Payroll allocation", "Depreciation run", "Prepaid amortization", "Interest accrual",
              "Reclassification")
_JE_DEBIT_ACCOUNTS = ("6000", "6500", "6800", "7000", "1500")
_JE_CREDIT_ACCOUNTS = ("1000", "1010", "2100")


def _active_ids(dimensions: tuple[dc.Dimension, ...]) -> list[str]:
    return [d.id for d in dimensions if d.status == "active"]


def _inactive_ids(dimensions: tuple[dc.Dimension, ...]) -> list[str]:
    return [d.id for d in dimensions if d.status != "active"]


_REGION = next(u for u in dc.UDDS if u.object_name == "REGION")
ACTIVE = {
    "department_id": _active_ids(dc.DEPARTMENTS),
    "location_id": _active_ids(dc.LOCATIONS),
    "class_id": _active_ids(dc.CLASSES),
    "project_id": _active_ids(dc.PROJECTS),
    "REGION": [v for v, _, status in _REGION.values if status == "active"],
}
INACTIVE = {
    "department_id": _inactive_ids(dc.DEPARTMENTS),
    "location_id": _inactive_ids(dc.LOCATIONS),
    "class_id": _inactive_ids(dc.CLASSES),
    "project_id": _inactive_ids(dc.PROJECTS),
    "REGION": [v for v, _, status in _REGION.values if status != "active"],
}
ACTIVE_TERMS = {t.name: t.due_days for t in dc.TERMS if t.status == "active"}
_ACCOUNTS = {a.accountno: a for a in dc.ACCOUNTS}
_REQUIRED_DIMENSION = (("require_dept", "department_id"), ("require_loc", "location_id"),
                       ("require_class", "class_id"), ("require_project", "project_id"))


def cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def stamp_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _spread(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high] from exactly one draw, whatever the range: ranges that follow
    ``as_of`` (the open period's length) then never shift the stream, so a seed yields the same
    documents on any day and only their dates move (``randint`` draws more bits for wider ranges)."""
    return low + min(int(rng.random() * (high - low + 1)), high - low)


# -- masters ---------------------------------------------------------------------


def _new_ids(make, start: int, count: int) -> list[dict]:
    """The first ``count`` active records after the seeded ones."""
    records, n = [], start
    while len(records) < count:
        record = make(n)
        if record["status"] == "active":
            records.append(record)
        n += 1
    return records


@dataclass
class Masters:
    customers: list[dict]
    vendors: list[dict]
    items: list[dict]
    new_customer_ids: list[str]
    new_vendor_ids: list[str]
    new_item_ids: list[str]

    @property
    def active_seeded_customers(self) -> list[dict]:
        return [c for c in self.customers[:dc.SEEDED_CUSTOMER_COUNT] if c["status"] == "active"]

    @property
    def active_seeded_vendors(self) -> list[dict]:
        return [v for v in self.vendors[:dc.SEEDED_VENDOR_COUNT] if v["status"] == "active"]

    @property
    def active_seeded_item_ids(self) -> list[str]:
        return [i["item_id"] for i in self.items[:dc.SEEDED_ITEM_COUNT] if i["status"] == "active"]


def build_masters(rng: random.Random, as_of: date) -> Masters:
    """Every seeded customer, vendor and item, then new active ones Intacct lacks."""
    def stamped(record: dict) -> dict:
        moment = datetime.combine(as_of, time(), UTC) - timedelta(seconds=rng.randint(86_400, 400 * 86_400))
        return {**record, "updated_at": stamp_text(moment)}

    new_customers = _new_ids(dc.customer, dc.SEEDED_CUSTOMER_COUNT, NEW_CUSTOMERS)
    new_vendors = _new_ids(dc.vendor, dc.SEEDED_VENDOR_COUNT, NEW_VENDORS)
    new_items = _new_ids(dc.item, dc.SEEDED_ITEM_COUNT, NEW_ITEMS)
    return Masters(
        customers=[stamped(r) for r in [dc.customer(n) for n in range(dc.SEEDED_CUSTOMER_COUNT)] + new_customers],
        vendors=[stamped(r) for r in [dc.vendor(n) for n in range(dc.SEEDED_VENDOR_COUNT)] + new_vendors],
        items=[stamped(r) for r in [dc.item(n) for n in range(dc.SEEDED_ITEM_COUNT)] + new_items],
        new_customer_ids=[r["customer_id"] for r in new_customers],
        new_vendor_ids=[r["vendor_id"] for r in new_vendors],
        new_item_ids=[r["item_id"] for r in new_items],
    )


# -- documents -------------------------------------------------------------------


@dataclass
class Document:
    doc_type: str
    key: str
    header: dict
    lines: list[dict]
    write_header: bool = True
    write_lines: bool = True
    extra_headers: list[dict] = field(default_factory=list)  # duplicates of the header row


class DocumentFactory:
    """Clean documents in the open period, and the defects planted into them."""

    KEY_PREFIX = {AR: "INV-", AP: "BILL-", JE: "JE-"}

    def __init__(self, rng: random.Random, masters: Masters, as_of: date):
        self.rng = rng
        self.masters = masters
        self.as_of = as_of
        self.closed_books_date = dc.default_closed_books_date(as_of)
        self.open_days = (as_of - self.closed_books_date).days
        self._customers = masters.active_seeded_customers
        self._vendors = masters.active_seeded_vendors
        self._items = masters.active_seeded_item_ids
        self._numbers = {AR: 100_000, AP: 500_000, JE: 900_000}

    # clean ------------------------------------------------------------------

    def _next_key(self, doc_type: str) -> str:
        self._numbers[doc_type] += 1
        return f"{self.KEY_PREFIX[doc_type]}{self._numbers[doc_type]}"

    def _open_date(self) -> date:
        return self.closed_books_date + timedelta(days=_spread(self.rng, 1, self.open_days))

    def _updated_at(self, posting: date) -> str:
        moment = datetime.combine(posting, time(), UTC) + timedelta(seconds=self.rng.randint(21_600, 3 * 86_400))
        end_of_as_of = datetime.combine(self.as_of, time(23, 59, 59), UTC)
        return stamp_text(min(moment, end_of_as_of))

    def _dimensions(self, account_no: str) -> dict:
        rng, account = self.rng, _ACCOUNTS[account_no]
        values = {"department_id": "", "location_id": "", "class_id": "", "project_id": ""}
        for flag, column in _REQUIRED_DIMENSION:
            optional_share = 0.1 if column == "project_id" else 0.3
            if getattr(account, flag) or rng.random() < optional_share:
                values[column] = rng.choice(ACTIVE[column])
        region = rng.choice(ACTIVE["REGION"]) if rng.random() < 0.4 else None
        values["dimensions"] = json.dumps({"REGION": region}) if region else ""
        return values

    def _party_document(self, doc_type: str, line_count: int) -> Document:
        rng = self.rng
        key = self._next_key(doc_type)
        posting = self._open_date()
        if doc_type == AR:
            party = rng.choice(self._customers)
            party_column, key_column, date_column = "customer_id", "invoice_no", "invoice_date"
            party_id, accounts = party["customer_id"], dc.AR_REVENUE_ACCOUNTS
        else:
            party = rng.choice(self._vendors)
            party_column, key_column, date_column = "vendor_id", "bill_no", "bill_date"
            party_id, accounts = party["vendor_id"], dc.AP_EXPENSE_ACCOUNTS
        term = party["term_name"] if rng.random() < 0.8 else rng.choice(list(ACTIVE_TERMS))
        header = {
            key_column: key, party_column: party_id, date_column: posting.isoformat(),
            "due_date": (posting + timedelta(days=ACTIVE_TERMS[term])).isoformat(), "term_name": term,
            "currency": dc.BASE_CURRENCY, "description": f"{rng.choice(_MEMOS)} for {party['name']}",
            "entity_id": "", "updated_at": self._updated_at(posting),
        }
        lines = []
        for line_no in range(1, line_count + 1):
            account_no = rng.choice(accounts)
            item = rng.choice(self._items) if doc_type == AR or rng.random() < 0.3 else ""
            lines.append({key_column: key, "line_no": str(line_no), "account_no": account_no,
                          "amount": cents_text(rng.randint(500, 2_500_000)), "memo": rng.choice(_MEMOS),
                          "item_id": item, **self._dimensions(account_no)})
        return Document(doc_type, key, header, lines)

    def _journal_entry(self, line_count: int) -> Document:
        rng = self.rng
        key = self._next_key(JE)
        posting = self._open_date()
        pairs = line_count // 2
        debits = [rng.randint(1_000, 5_000_000) for _ in range(pairs)]
        total = sum(debits)
        cuts = sorted(rng.sample(range(1, total), pairs - 1)) if pairs > 1 else []
        credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        header = {"je_no": key, "journal": rng.choice(dc.JE_JOURNALS), "entry_date": posting.isoformat(),
                  "title": rng.choice(_JE_TITLES), "entity_id": "", "reverse_date": "",
                  "updated_at": self._updated_at(posting)}
        lines = []
        for side, amounts, accounts in (("debit", debits, _JE_DEBIT_ACCOUNTS), ("credit", credits,
                                                                               _JE_CREDIT_ACCOUNTS)):
            for cents in amounts:
                account_no = rng.choice(accounts)
                lines.append({"je_no": key, "line_no": str(len(lines) + 1), "account_no": account_no,
                              "debit": cents_text(cents) if side == "debit" else "",
                              "credit": cents_text(cents) if side == "credit" else "",
                              "memo": header["title"], **self._dimensions(account_no)})
        return Document(JE, key, header, lines)

    def document(self, doc_type: str, line_count: int) -> Document:
        if doc_type == JE:
            return self._journal_entry(line_count)
        return self._party_document(doc_type, line_count)

    # defects ----------------------------------------------------------------

    def plant(self, document: Document, defect: str) -> None:
        getattr(self, f"_plant_{defect}")(document)

    def _date_column(self, document: Document) -> str:
        return {AR: "invoice_date", AP: "bill_date", JE: "entry_date"}[document.doc_type]

    def _set_term(self, document: Document, terms: dict[str, int]) -> None:
        term = self.rng.choice(list(terms))
        posting = date.fromisoformat(document.header[self._date_column(document)])
        document.header["term_name"] = term
        document.header["due_date"] = (posting + timedelta(days=terms[term])).isoformat()

    def _plant_term_near_match(self, document: Document) -> None:
        self._set_term(document, NEAR_MATCH_TERMS)

    def _plant_term_unknown(self, document: Document) -> None:
        self._set_term(document, UNKNOWN_TERMS)

    def _plant_closed_period(self, document: Document) -> None:
        closed = self.closed_books_date
        posting = closed.replace(day=_spread(self.rng, 1, closed.day))
        header = document.header
        if "due_date" in header:
            days = (date.fromisoformat(header["due_date"]) - date.fromisoformat(header[self._date_column(document)]))
            header["due_date"] = (posting + days).isoformat()
        header[self._date_column(document)] = posting.isoformat()

    def _set_dimension(self, document: Document, values: dict[str, list[str]] | dict[str, str]) -> None:
        line = self.rng.choice(document.lines)
        column = self.rng.choice(list(values))
        choice = values[column]
        value = self.rng.choice(choice) if isinstance(choice, list) else choice
        if column == "REGION":
            line["dimensions"] = json.dumps({"REGION": value})
        else:
            line[column] = value

    def _plant_dimension_value_inactive(self, document: Document) -> None:
        self._set_dimension(document, INACTIVE)

    def _plant_dimension_value_unknown(self, document: Document) -> None:
        self._set_dimension(document, UNKNOWN_DIMENSION_VALUES)

    def _plant_udd_unpermitted(self, document: Document) -> None:
        line = self.rng.choice(document.lines)
        dimensions = json.loads(line["dimensions"]) if line["dimensions"] else {}
        line["dimensions"] = json.dumps({**dimensions, "CHANNEL": "20001"})

    def _plant_customer_not_in_intacct(self, document: Document) -> None:
        document.header["customer_id"] = self.rng.choice(self.masters.new_customer_ids)

    def _plant_vendor_not_in_intacct(self, document: Document) -> None:
        document.header["vendor_id"] = self.rng.choice(self.masters.new_vendor_ids)

    def _plant_item_not_in_intacct(self, document: Document) -> None:
        self.rng.choice(document.lines)["item_id"] = self.rng.choice(self.masters.new_item_ids)

    def _plant_unbalanced_je(self, document: Document) -> None:
        line = next(line for line in document.lines if line["debit"])
        cents = round(float(line["debit"]) * 100) + self.rng.randint(1, 99)
        line["debit"] = cents_text(cents)

    def _plant_missing_required_field(self, document: Document) -> None:
        header_field = {AR: "customer_id", AP: "vendor_id", JE: "journal"}[document.doc_type]
        if self.rng.random() < 0.5:
            document.header[header_field] = ""
        else:
            self.rng.choice(document.lines)["account_no"] = ""

    def _plant_bad_amount(self, document: Document) -> None:
        rng = self.rng
        amount_column = "debit" if document.doc_type == JE else "amount"
        kind = rng.choice(("non_numeric", "three_decimals", "zero_line"))
        if kind == "non_numeric":
            line = rng.choice([line for line in document.lines if line[amount_column]])
            line[amount_column] = rng.choice(NON_NUMERIC_AMOUNTS)
        elif kind == "three_decimals":
            digit = str(rng.randint(1, 9))
            if document.doc_type == JE:  # both sides, so the entry stays balanced
                next(line for line in document.lines if line["debit"])["debit"] += digit
                next(line for line in document.lines if line["credit"])["credit"] += digit
            else:
                rng.choice(document.lines)["amount"] += digit
        else:
            zero = {**document.lines[0], "line_no": str(len(document.lines) + 1), amount_column: "0.00"}
            document.lines.append(zero)

    def _plant_bad_date(self, document: Document) -> None:
        column = self._date_column(document)
        posting = date.fromisoformat(document.header[column])
        document.header[column] = self.rng.choice((
            f"{posting.year}-13-{posting.day:02d}",
            posting.strftime("%m/%d/%Y"),
            f"{posting.year}-02-30",
            posting.strftime("%Y%m%d"),
        ))

    def _plant_orphan_lines(self, document: Document) -> None:
        document.write_header = False

    def _plant_header_without_lines(self, document: Document) -> None:
        document.write_lines = False

    def _plant_duplicate_document_number(self, document: Document) -> None:
        copy = dict(document.header)
        copy["updated_at"] = stamp_text(datetime.fromisoformat(copy["updated_at"]) + timedelta(minutes=7))
        if "description" in copy:
            copy["description"] += " (re-entered)"
        else:
            copy["title"] += " (re-entered)"
        document.extra_headers.append(copy)
