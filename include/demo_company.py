"""The demo company: the master data the Intacct sandbox is seeded with and that the
synthetic ERP generator draws from, so the two always agree.

Plain data and deterministic helpers only; nothing here talks to a server.
Identifiers follow Intacct's own field names (ACCOUNTNO, DEPARTMENTID, ...).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

COMPANY_ID = "DEMO"
MULTI_ENTITY_COMPANY_ID = "DEMO-ME"
COMPANY_TIMEZONE = "America/New_York"
BASE_CURRENCY = "USD"

# Sandbox login for the integration user. These are the sandbox's own fixture
# credentials (like a test database's), documented in the README; the client
# never has them in code: it reads them from the connection or the environment.
SANDBOX_SENDER_ID = "demo_sender"
SANDBOX_USER_ID = "xml_gateway"


@dataclass(frozen=True)
class Account:
    accountno: str
    title: str
    accounttype: str  # balancesheet | incomestatement
    normalbalance: str  # debit | credit
    status: str = "active"
    require_dept: bool = False
    require_loc: bool = False
    require_project: bool = False
    require_class: bool = False
    require_customer: bool = False
    require_vendor: bool = False
    require_item: bool = False


ACCOUNTS: tuple[Account, ...] = (
    Account("1000", "Cash - Operating", "balancesheet", "debit"),
    Account("1010", "Cash - Payroll", "balancesheet", "debit"),
    Account("1200", "Accounts Receivable", "balancesheet", "debit"),
    Account("1400", "Inventory", "balancesheet", "debit", require_loc=True),
    Account("1500", "Prepaid Expenses", "balancesheet", "debit"),
    Account("2000", "Accounts Payable", "balancesheet", "credit"),
    Account("2100", "Accrued Liabilities", "balancesheet", "credit"),
    Account("2200", "Sales Tax Payable", "balancesheet", "credit"),
    Account("3000", "Retained Earnings", "balancesheet", "credit"),
    Account("4000", "Product Revenue", "incomestatement", "credit"),
    Account("4100", "Service Revenue", "incomestatement", "credit", require_project=True),
    Account("4200", "Freight Revenue", "incomestatement", "credit"),
    Account("5000", "Cost of Goods Sold", "incomestatement", "debit", require_loc=True),
    Account("5100", "Freight In", "incomestatement", "debit"),
    Account("6000", "Salaries and Wages", "incomestatement", "debit", require_dept=True),
    Account("6100", "Rent Expense", "incomestatement", "debit"),
    Account("6200", "Utilities", "incomestatement", "debit"),
    Account("6220", "Office Supplies", "incomestatement", "debit"),
    Account("6300", "Travel", "incomestatement", "debit", require_dept=True),
    Account("6400", "Professional Fees", "incomestatement", "debit"),
    Account("6500", "Payroll Taxes", "incomestatement", "debit", require_dept=True),
    Account("6600", "Repairs and Maintenance", "incomestatement", "debit", require_loc=True),
    Account("6700", "Software Subscriptions", "incomestatement", "debit"),
    Account("6800", "Depreciation", "incomestatement", "debit"),
    Account("6900", "Obsolete Expense", "incomestatement", "debit", status="inactive"),
    Account("7000", "Interest Expense", "incomestatement", "debit"),
)

# Which accounts documents of each kind post their lines to (the other side is
# the subledger control account Intacct posts itself).
AR_REVENUE_ACCOUNTS = ("4000", "4100", "4200")
AP_EXPENSE_ACCOUNTS = ("5100", "6100", "6200", "6220", "6300", "6400", "6600", "6700")
JE_ACCOUNTS = ("1000", "1010", "1500", "2100", "6000", "6500", "6800", "7000")


@dataclass(frozen=True)
class Term:
    name: str
    due_days: int
    discount_percent: float = 0.0
    discount_days: int = 0
    status: str = "active"


# The same terms exist as ARTERM and APTERM.
TERMS: tuple[Term, ...] = (
    Term("N30", 30),
    Term("N15", 15),
    Term("Net 30", 30),
    Term("Net 45", 45),
    Term("Net 60", 60),
    Term("2% 10 Net 30", 30, 2.0, 10),
    Term("Due on Receipt", 0),
    Term("Net 90", 90, status="inactive"),
)


@dataclass(frozen=True)
class Dimension:
    """A standard dimension record (DEPARTMENT, LOCATION, CLASS, PROJECT)."""

    id: str
    name: str
    status: str = "active"
    parent_id: str = ""


DEPARTMENTS: tuple[Dimension, ...] = (
    Dimension("ADMIN", "Administration"),
    Dimension("SALES", "Sales"),
    Dimension("OPS", "Operations"),
    Dimension("FIN", "Finance"),
    Dimension("SVC", "Field Service"),
    Dimension("ENG", "Engineering"),
    Dimension("LEGACY", "Legacy Department", status="inactive"),
)

LOCATIONS: tuple[Dimension, ...] = (
    Dimension("100", "Headquarters"),
    Dimension("110", "East Warehouse", parent_id="100"),
    Dimension("120", "West Warehouse", parent_id="100"),
    Dimension("130", "Service Center", parent_id="100"),
    Dimension("190", "Closed Branch", status="inactive", parent_id="100"),
)

CLASSES: tuple[Dimension, ...] = (
    Dimension("RETAIL", "Retail"),
    Dimension("WHOLESALE", "Wholesale"),
    Dimension("GOV", "Government"),
    Dimension("OLDCLASS", "Discontinued Class", status="inactive"),
)

PROJECTS: tuple[Dimension, ...] = (
    Dimension("P-1001", "Warehouse Automation"),
    Dimension("P-1002", "Fleet Service Contract"),
    Dimension("P-1003", "Municipal Maintenance"),
    Dimension("P-1004", "Retail Fit-out"),
    Dimension("P-1005", "Preventive Maintenance Program"),
    Dimension("P-0999", "Closed Pilot", status="inactive"),
)
PROJECT_CATEGORY = "Contract"

EMPLOYEES: tuple[Dimension, ...] = (
    Dimension("E001", "Maria Alvarez"),
    Dimension("E002", "James Chen"),
    Dimension("E003", "Priya Natarajan"),
    Dimension("E004", "Tom O'Brien"),
    Dimension("E005", "Sofia Rossi", status="inactive"),
)


@dataclass(frozen=True)
class Journal:
    symbol: str
    title: str
    status: str = "active"


JOURNALS: tuple[Journal, ...] = (
    Journal("GJ", "General Journal"),
    Journal("ADJ", "Adjustments Journal"),
    Journal("PYRJ", "Payroll Journal"),
    Journal("APJ", "Accounts Payable Journal"),
    Journal("ARJ", "Accounts Receivable Journal"),
    Journal("OLDJ", "Retired Journal", status="inactive"),
)
JE_JOURNALS = ("GJ", "ADJ", "PYRJ")


@dataclass(frozen=True)
class TaxDetail:
    detailid: str
    taxtype: str  # Sale | Purchase
    value: float
    glaccount: str
    status: str = "active"


TAX_DETAILS: tuple[TaxDetail, ...] = (
    TaxDetail("State Sales Tax", "Sale", 6.25, "2200"),
    TaxDetail("County Sales Tax", "Sale", 1.0, "2200"),
    TaxDetail("Use Tax", "Purchase", 6.25, "2200"),
)


@dataclass(frozen=True)
class UserDefinedDimension:
    """A UDD: a platform object, referenced on lines as GLDIM<OBJECTNAME>."""

    object_name: str
    label: str
    values: tuple[tuple[str, str, str], ...]  # (id, name, status)
    status: str = "active"
    permitted: bool = True  # may the integration user read and post it?


UDDS: tuple[UserDefinedDimension, ...] = (
    UserDefinedDimension(
        "REGION",
        "Region",
        (
            ("10001", "North", "active"),
            ("10002", "South", "active"),
            ("10003", "East", "active"),
            ("10004", "West", "active"),
            ("10005", "Central", "inactive"),
        ),
    ),
    # Seeded as not permitted for the integration user: the demo company shows the
    # INT402 situation out of the box. Ordinary documents use REGION only.
    UserDefinedDimension(
        "CHANNEL",
        "Sales Channel",
        (("20001", "Direct", "active"), ("20002", "Distributor", "active"), ("20003", "Online", "active")),
        permitted=False,
    ),
)

# Entities of the multi-entity variant (LOCATIONENTITY) and the locations under each.
ENTITIES: tuple[Dimension, ...] = (
    Dimension("E100", "Acme US"),
    Dimension("E200", "Acme Canada"),
)
ENTITY_LOCATIONS: dict[str, tuple[str, ...]] = {"E100": ("100", "110", "120", "130"), "E200": ("200", "210")}
MULTI_ENTITY_EXTRA_LOCATIONS: tuple[Dimension, ...] = (
    Dimension("200", "Toronto Office", parent_id=""),
    Dimension("210", "Montreal Depot", parent_id="200"),
)

# ERP-owned masters: the sandbox is seeded with the first ones, the generator
# writes all of them and adds ones Intacct does not have yet.
_FIRST = ("Apex", "Blue", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Harbor", "Iron", "Juniper",
          "Keystone", "Lakeside", "Meridian", "Northwind", "Orchard", "Pioneer", "Quarry", "Riverside",
          "Summit", "Timber")
_SECOND = ("Supply", "Logistics", "Industrial", "Foods", "Builders", "Medical", "Systems", "Retail",
           "Energy", "Services")
_ITEM_WORDS = ("Bearing", "Valve", "Pump", "Filter", "Gasket", "Sensor", "Motor", "Bracket", "Hose", "Relay",
               "Fitting", "Panel", "Switch", "Belt", "Coupling")
_ITEM_SIZES = ("Small", "Medium", "Large", "XL", "Heavy-Duty")

SEEDED_CUSTOMER_COUNT = 120
SEEDED_VENDOR_COUNT = 60
SEEDED_ITEM_COUNT = 75
SEEDED_TERMS_FOR_PARTIES = ("N30", "Net 30", "Net 45", "2% 10 Net 30", "N15")


def customer(n: int) -> dict:
    """The n-th customer (0-based) as the ERP and Intacct both know it."""
    name = f"{_FIRST[n % 20]} {_SECOND[(n // 20) % 10]}" + (f" {n // 200 + 1}" if n >= 200 else "")
    return {
        "customer_id": f"C-{1001 + n}",
        "name": name,
        "status": "inactive" if n % 41 == 40 else "active",
        "term_name": SEEDED_TERMS_FOR_PARTIES[n % len(SEEDED_TERMS_FOR_PARTIES)],
        "currency": BASE_CURRENCY,
        "email": f"ap@{name.lower().replace(' ', '')}.example",
    }


def vendor(n: int) -> dict:
    name = f"{_FIRST[(n * 7) % 20]} {_SECOND[(n * 3) % 10]} Co" + (f" {n // 200 + 1}" if n >= 200 else "")
    return {
        "vendor_id": f"V-{2001 + n}",
        "name": name,
        "status": "inactive" if n % 29 == 28 else "active",
        "term_name": SEEDED_TERMS_FOR_PARTIES[(n + 2) % len(SEEDED_TERMS_FOR_PARTIES)],
        "currency": BASE_CURRENCY,
        "email": f"billing@{name.lower().replace(' ', '')}.example",
    }


def item(n: int) -> dict:
    return {
        "item_id": f"I-{3001 + n}",
        "name": f"{_ITEM_WORDS[n % 15]} {_ITEM_SIZES[(n // 15) % 5]}" + (f" v{n // 75 + 1}" if n >= 75 else ""),
        "item_type": "Non-Inventory",
        "status": "active",
    }


def default_closed_books_date(today: date) -> date:
    """The books are closed through the last day of the month two months back:
    on 2026-11-22 that is 2026-09-30, so September 2026 is the closed period the
    demo reopens."""
    year, month = today.year, today.month - 2
    if month <= 0:
        year, month = year - 1, month + 12
    return date(year, month, calendar.monthrange(year, month)[1])
