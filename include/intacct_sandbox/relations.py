"""How a record reaches the records it references, and the standard fields computed from them.

Intacct's `query` reads fields of many-to-one related objects through a dot (`VENDOR.NAME` on
APBILL, `JOURNAL.SYMBOL` on GLBATCH, `PROJECT.CUSTOMER.CUSTOMERID` on TASK) and `lookup` lists
those relationships (https://developer.intacct.com/web-services/queries/). A hierarchical
relationship (an object to its parent of the same object) can be crossed once:
`CUSTOMER.PARENT.NAME` works, `CUSTOMER.PARENT.PARENT.NAME` is an error.

The same relationships give the flat standard fields that name a related record: PARENTKEY and
PARENTNAME on a customer, DEPARTMENTNAME on a bill line, PROJECTKEY on a task, and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from include.intacct_sandbox.records import parse_date


@dataclass(frozen=True)
class Relation:
    path: str  # as a dotted field names it: VENDOR in VENDOR.NAME
    target: str  # the related object
    by: str  # the field of this record that holds the related record's id
    match: str = ""  # the related object's field that id is ("" = its business key)
    object_name: str = ""  # OBJECTNAME as `lookup` shows it ("" = target)


def _dimensions(*, location: str = "LOCATIONID", department: str = "DEPARTMENTID") -> tuple[Relation, ...]:
    """The standard dimensions a transaction line references."""
    return (Relation("DEPARTMENT", "DEPARTMENT", department), Relation("LOCATION", "LOCATION", location),
            Relation("PROJECT", "PROJECT", "PROJECTID"), Relation("CUSTOMER", "CUSTOMER", "CUSTOMERID"),
            Relation("VENDOR", "VENDOR", "VENDORID"), Relation("EMPLOYEE", "EMPLOYEE", "EMPLOYEEID"),
            Relation("ITEM", "ITEM", "ITEMID"), Relation("CLASS", "CLASS", "CLASSID"),
            Relation("GLACCOUNT", "GLACCOUNT", "ACCOUNTNO"))


def _parent(obj: str) -> Relation:
    return Relation("PARENT", obj, "PARENTID")


_RELATIONS: tuple[tuple[str, tuple[Relation, ...]], ...] = (
    ("CUSTOMER", (_parent("CUSTOMER"), Relation("TERM", "ARTERM", "TERMNAME"))),
    ("VENDOR", (_parent("VENDOR"), Relation("TERM", "APTERM", "TERMNAME"))),
    ("DEPARTMENT", (_parent("DEPARTMENT"), Relation("SUPERVISOR", "EMPLOYEE", "SUPERVISORID"))),
    ("LOCATION", (_parent("LOCATION"),)),
    ("CLASS", (_parent("CLASS"),)),
    ("PROJECT", (_parent("PROJECT"), Relation("CUSTOMER", "CUSTOMER", "CUSTOMERID"))),
    ("TASK", (_parent("TASK"), Relation("PROJECT", "PROJECT", "PROJECTID"), Relation("ITEM", "ITEM", "ITEMID"),
              Relation("CLASS", "CLASS", "CLASSID"))),
    ("COSTTYPE", (Relation("PROJECT", "PROJECT", "PROJECTID"), Relation("TASK", "TASK", "TASKID"))),
    ("EMPLOYEE", (Relation("DEPARTMENT", "DEPARTMENT", "DEPARTMENTID"),
                  Relation("LOCATION", "LOCATION", "LOCATIONID"))),
    ("CHECKINGACCOUNT", (Relation("GLACCOUNT", "GLACCOUNT", "GLACCOUNTNO"),)),
    ("SAVINGSACCOUNT", (Relation("GLACCOUNT", "GLACCOUNT", "GLACCOUNTNO"),)),
    ("APBILL", (Relation("VENDOR", "VENDOR", "VENDORID"), Relation("TERM", "APTERM", "TERMNAME"))),
    ("ARINVOICE", (Relation("CUSTOMER", "CUSTOMER", "CUSTOMERID"), Relation("TERM", "ARTERM", "TERMNAME"))),
    ("GLBATCH", (Relation("JOURNAL", "GLJOURNAL", "JOURNAL", object_name="JOURNAL"),)),
    ("APBILLITEM", (Relation("APBILL", "APBILL", "RECORDKEY", match="RECORDNO"), *_dimensions())),
    ("ARINVOICEITEM", (Relation("ARINVOICE", "ARINVOICE", "RECORDKEY", match="RECORDNO"), *_dimensions())),
    ("GLENTRY", (Relation("GLBATCH", "GLBATCH", "BATCHNO", match="RECORDNO"),
                 *_dimensions(location="LOCATION", department="DEPARTMENT"))),
    ("GLDETAIL", _dimensions()),
    ("ARPYMT", (Relation("CUSTOMER", "CUSTOMER", "CUSTOMERID"),)),
    ("APPYMT", (Relation("VENDOR", "VENDOR", "VENDORID"),)),
)
RELATIONS: dict[str, dict[str, Relation]] = {obj: {r.path: r for r in rels} for obj, rels in _RELATIONS}

# The field a related record is named by, for the flat ...NAME / ...TITLE fields.
DISPLAY_FIELD = {"DEPARTMENT": "TITLE", "GLACCOUNT": "TITLE", "GLJOURNAL": "TITLE",
                 "EMPLOYEE": "CONTACT.CONTACTNAME", "ARTERM": "NAME", "APTERM": "NAME"}
# The prefix of the flat fields naming a related record, where it is not the relationship's path.
_FLAT_PREFIX = {"GLACCOUNT": "ACCOUNT"}


def relations_of(obj: str) -> dict[str, Relation]:
    return RELATIONS.get(obj, {})


class ReadScope:
    """What computing fields needs during one read function: its context, and a memo so a value
    computed from many records (a customer's total due) is computed once per call."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.memo: dict[Any, Any] = {}

    def related(self, relation: Relation, record: dict[str, Any]) -> dict[str, Any] | None:
        value = record.get(relation.by) or ""
        if not value:
            return None
        if relation.match == "RECORDNO":
            if not str(value).isdigit():
                return None
            found = self.ctx.store.get(self.ctx.company, relation.target, int(value))
            return found if found is not None and self.ctx.visible(found) else None
        return self.ctx.find(relation.target, str(value))


# A computed field: (scope, record) -> its value as text.
Compute = Callable[[ReadScope, dict[str, Any]], str]


@dataclass(frozen=True)
class Derived:
    compute: Compute
    # An authoritative value is always computed (a total); otherwise a stored value wins and the
    # computed one only fills a field the record has no value for.
    authoritative: bool = False


def _from_relation(relation: Relation, field: str) -> Compute:
    def compute(scope: ReadScope, record: dict[str, Any]) -> str:
        related = scope.related(relation, record)
        return str(related.get(field) or "") if related is not None else ""
    return compute


def _constant(value: str) -> Compute:
    return lambda scope, record: value


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _amount(record: dict[str, Any], name: str) -> Decimal:
    try:
        return Decimal(str(record.get(name) or "0"))
    except InvalidOperation:
        return Decimal("0")


def _total_paid(scope: ReadScope, record: dict[str, Any]) -> str:
    return _money(_amount(record, "TOTALENTERED") - _amount(record, "TOTALDUE"))


def _due_in_days(scope: ReadScope, record: dict[str, Any]) -> str:
    due = parse_date(record.get("WHENDUE") or "")
    today: date = scope.ctx.now.date()
    return str((due - today).days) if due is not None else ""


def _open_total(document: str, party_field: str) -> Compute:
    """A customer's or vendor's total due: the sum of its posted documents' amounts due."""
    def compute(scope: ReadScope, record: dict[str, Any]) -> str:
        key = ("open_total", document)
        totals = scope.memo.get(key)
        if totals is None:
            totals = {}
            for doc in scope.ctx.records(document):
                if doc.get("STATE") != "Draft":
                    party = doc.get(party_field, "")
                    totals[party] = totals.get(party, Decimal("0")) + _amount(doc, "TOTALDUE")
            scope.memo[key] = totals
        return _money(totals.get(record.get(party_field, ""), Decimal("0")))
    return compute


def _contact_key(name_field: str) -> Compute:
    def compute(scope: ReadScope, record: dict[str, Any]) -> str:
        contact = scope.ctx.find("CONTACT", record.get(name_field) or "")
        return contact["RECORDNO"] if contact is not None else ""
    return compute


def _gl_title(account_field: str) -> Compute:
    def compute(scope: ReadScope, record: dict[str, Any]) -> str:
        account = scope.ctx.find("GLACCOUNT", record.get(account_field) or "")
        return account.get("TITLE", "") if account is not None else ""
    return compute


def _document_fields(record_type: str) -> dict[str, Derived]:
    return {"TOTALPAID": Derived(_total_paid, authoritative=True),
            "TRX_TOTALPAID": Derived(_total_paid, authoritative=True),
            "TRX_TOTALENTERED": Derived(lambda s, r: str(r.get("TOTALENTERED") or "")),
            "TRX_TOTALDUE": Derived(lambda s, r: str(r.get("TOTALDUE") or "")),
            "DUE_IN_DAYS": Derived(_due_in_days, authoritative=True),
            "RECORDTYPE": Derived(_constant(record_type)),
            "ONHOLD": Derived(_constant("false"))}


_EXPLICIT: dict[str, dict[str, Derived]] = {
    "CUSTOMER": {"TOTALDUE": Derived(_open_total("ARINVOICE", "CUSTOMERID"), authoritative=True),
                 "ONETIME": Derived(_constant("false")),
                 "DISPLAYCONTACTKEY": Derived(_contact_key("DISPLAYCONTACT.CONTACTNAME")),
                 "CONTACTKEY": Derived(_contact_key("DISPLAYCONTACT.CONTACTNAME"))},
    "VENDOR": {"TOTALDUE": Derived(_open_total("APBILL", "VENDORID"), authoritative=True),
               "ONETIME": Derived(_constant("false")), "APACCOUNTTITLE": Derived(_gl_title("APACCOUNT")),
               "DISPLAYCONTACTKEY": Derived(_contact_key("DISPLAYCONTACT.CONTACTNAME")),
               "CONTACTKEY": Derived(_contact_key("DISPLAYCONTACT.CONTACTNAME"))},
    "APBILL": _document_fields("apbill"),
    "ARINVOICE": _document_fields("arinvoice"),
}


def derived_fields(definition) -> dict[str, Derived]:
    """The computed fields of an object: its explicit ones, and for each relationship the catalogue's
    <PATH>KEY (the related RECORDNO) and <PATH>NAME / <PATH>TITLE (what the related record is named)."""
    cached = _DERIVED_CACHE.get(definition.name)
    if cached is not None:
        return cached
    fields = definition.all_fields
    out: dict[str, Derived] = {}
    for relation in relations_of(definition.name).values():
        prefix = _FLAT_PREFIX.get(relation.path, relation.path)
        display = DISPLAY_FIELD.get(relation.target, "NAME")
        for name, source in ((f"{prefix}KEY", "RECORDNO"), (f"{prefix}NAME", display),
                             (f"{prefix}TITLE", display)):
            if name in fields and name not in definition.fields:
                out[name] = Derived(_from_relation(relation, source))
    out.update({name: d for name, d in _EXPLICIT.get(definition.name, {}).items() if name in fields})
    _DERIVED_CACHE[definition.name] = out
    return out


_DERIVED_CACHE: dict[str, dict[str, Derived]] = {}


def field_getter(scope: ReadScope, definition, name: str) -> Callable[[dict[str, Any]], Any] | None:
    """How to read a computed field of a record, or None when it is simply stored."""
    derived = derived_fields(definition).get(name)
    if derived is None:
        return None
    compute = derived.compute
    if derived.authoritative:
        return lambda record: compute(scope, record)
    return lambda record: record.get(name) or compute(scope, record)
