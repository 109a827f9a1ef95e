"""One small declaration per Intacct object the product reads or writes.

The generic extractor (``include.masterdata.extract``) serves every declaration:
adding an object to the sync is adding a ``Stream`` here, not a module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Owner = Literal["intacct", "erp"]

# Every stream reads these besides its own fields: the keyset cursor, the
# watermark (and its fallback for records never modified) and the status.
CURSOR_FIELDS = ("RECORDNO", "WHENMODIFIED", "WHENCREATED")
ACTIVE_STATUSES = frozenset({"active", "inactive"})
# Streams that are not a queried object but belong to master data all the same.
DIMENSIONS_STREAM = "DIMENSIONS"  # getDimensions + every user-defined dimension's values
CLOSED_BOOKS_STREAM = "CLOSEDBOOKS"  # get_closedbooksdate
UDD_PREFIX = "UDD:"  # a user-defined dimension's values: stream UDD:<object name>


@dataclass(frozen=True)
class Stream:
    """An object read from (or, for ERP-owned ones, also written to) Intacct."""

    name: str  # the stream's id in the reference store, params and reports
    object_name: str  # Intacct's object name in query calls
    key_field: str  # the business id (readByName key)
    fields: tuple[str, ...]  # selected besides CURSOR_FIELDS, key and status
    owner: Owner = "intacct"
    watermark_field: str = "WHENMODIFIED"
    fallback_watermark_field: str = "WHENCREATED"  # when the watermark field is empty
    status_field: str = "STATUS"
    status_values: frozenset[str] = ACTIVE_STATUSES
    key_pattern: str | None = None  # a regular expression every key must match (GX check)
    erp_object_type: str | None = None  # the ERP master it mirrors (include.erp.documents.MASTER_SPECS)
    description: str = ""
    user_defined: bool = False
    # Where a person finds (and creates) the records in Intacct, and what one record is called:
    # the words of a refusal message ("department 'MKTG' in Company > Departments").
    intacct_list: str = ""
    noun: str = "record"

    @property
    def select(self) -> tuple[str, ...]:
        """Every field the query selects, each once, in a stable order."""
        wanted = (*CURSOR_FIELDS, self.key_field, self.status_field, *self.fields)
        return tuple(dict.fromkeys(wanted))


_REQUIRE_FLAGS = ("REQUIREDEPT", "REQUIRELOC", "REQUIREPROJECT", "REQUIRECLASS", "REQUIRECUSTOMER",
                  "REQUIREVENDOR", "REQUIREITEM", "REQUIREEMPLOYEE")

STREAMS: dict[str, Stream] = {s.name: s for s in (
    Stream("GLACCOUNT", "GLACCOUNT", "ACCOUNTNO",
           ("TITLE", "ACCOUNTTYPE", "NORMALBALANCE", "CATEGORY", *_REQUIRE_FLAGS),
           key_pattern=r"^[0-9]{3,10}(?:[.-][0-9A-Za-z]{1,10})*$",
           description="General ledger accounts with the dimensions each requires on a line",
           intacct_list="General Ledger > Accounts", noun="account"),
    Stream("ARTERM", "ARTERM", "NAME", ("DESCRIPTION", "DUEDATE", "DUEFROM"),
           description="AR payment terms (names must match a document's term exactly)",
           intacct_list="Setup > Payment Terms / AR terms", noun="AR payment term"),
    Stream("APTERM", "APTERM", "NAME", ("DESCRIPTION", "DUEDATE", "DUEFROM"),
           description="AP payment terms", intacct_list="Setup > Payment Terms / AP terms", noun="AP payment term"),
    Stream("DEPARTMENT", "DEPARTMENT", "DEPARTMENTID", ("TITLE", "PARENTID"), description="Departments",
           intacct_list="Company > Departments", noun="department"),
    Stream("LOCATION", "LOCATION", "LOCATIONID", ("NAME", "PARENTID", "ENTITY"),
           description="Locations, with the entity each belongs to in a multi-entity company",
           intacct_list="Company > Locations", noun="location"),
    Stream("LOCATIONENTITY", "LOCATIONENTITY", "LOCATIONID", ("NAME", "CURRENCY"),
           description="Entities of a multi-entity company (none in a single-entity company)",
           intacct_list="Company > Entities", noun="entity"),
    Stream("CLASS", "CLASS", "CLASSID", ("NAME", "PARENTID"), description="Classes",
           intacct_list="Company > Classes", noun="class"),
    Stream("PROJECT", "PROJECT", "PROJECTID", ("NAME", "PROJECTCATEGORY", "CUSTOMERID", "PARENTID"),
           description="Projects", intacct_list="Projects > Projects", noun="project"),
    Stream("EMPLOYEE", "EMPLOYEE", "EMPLOYEEID", ("CONTACT.CONTACTNAME", "DEPARTMENTID", "LOCATIONID"),
           description="Employees", intacct_list="Company > Employees", noun="employee"),
    Stream("CUSTOMER", "CUSTOMER", "CUSTOMERID", ("NAME", "TERMNAME", "CURRENCY", "DISPLAYCONTACT.EMAIL1"),
           owner="erp", erp_object_type="customer", description="Customers (created in the ERP)"),
    Stream("VENDOR", "VENDOR", "VENDORID", ("NAME", "TERMNAME", "CURRENCY", "DISPLAYCONTACT.EMAIL1"),
           owner="erp", erp_object_type="vendor", description="Vendors (suppliers in the ERP)"),
    Stream("ITEM", "ITEM", "ITEMID", ("NAME", "ITEMTYPE"),
           owner="erp", erp_object_type="item", description="Items (non-stock items, created in the ERP)"),
    Stream("TAXDETAIL", "TAXDETAIL", "DETAILID", ("TAXTYPE", "VALUE", "GLACCOUNT"), description="Tax details"),
    Stream("GLJOURNAL", "GLJOURNAL", "SYMBOL", ("TITLE",), description="Journals (by symbol)",
           intacct_list="General Ledger > Journals", noun="journal"),
    Stream("REPORTINGPERIOD", "REPORTINGPERIOD", "NAME", ("START_DATE", "END_DATE"),
           description="Reporting periods"),
)}

SPECIAL_STREAMS = {
    DIMENSIONS_STREAM: "Every user-defined dimension found by getDimensions, with its values",
    CLOSED_BOOKS_STREAM: "The closed-books date (get_closedbooksdate)",
}
ALL_STREAM_NAMES: tuple[str, ...] = (*STREAMS, *SPECIAL_STREAMS)
ERP_OWNED: tuple[Stream, ...] = tuple(s for s in STREAMS.values() if s.owner == "erp")


def udd_stream(object_name: str, label: str = "") -> Stream:
    """The values of one user-defined dimension: a platform object with lowercase fields."""
    return Stream(
        name=f"{UDD_PREFIX}{object_name}",
        object_name=object_name,
        key_field="id",
        fields=("name",),
        status_field="status",
        description=label or object_name,
        user_defined=True,
        intacct_list=f"Platform Services > Objects > {label or object_name}",
        noun=f"{object_name} value",
    )


def get_stream(name: str) -> Stream:
    if name.startswith(UDD_PREFIX):
        return udd_stream(name[len(UDD_PREFIX):])
    try:
        return STREAMS[name]
    except KeyError:
        raise ValueError(f"unknown master-data stream {name!r}; known: {', '.join(ALL_STREAM_NAMES)}") from None


def validate_stream_names(names: list[str] | tuple[str, ...]) -> list[str]:
    """The names in declaration order, failing fast on an unknown one."""
    unknown = [n for n in names if n not in ALL_STREAM_NAMES]
    if unknown:
        raise ValueError(f"unknown master-data stream(s) {unknown}; known: {', '.join(ALL_STREAM_NAMES)}")
    return [n for n in ALL_STREAM_NAMES if n in names]


__all__ = ["ALL_STREAM_NAMES", "CLOSED_BOOKS_STREAM", "DIMENSIONS_STREAM", "ERP_OWNED", "STREAMS", "UDD_PREFIX",
           "Stream", "get_stream", "udd_stream", "validate_stream_names"]
