"""The objects the sandbox knows: Intacct's names, business keys, fields and data types.

One declaration per object: the fields the sandbox models (its rules read them), to which
the catalogue of Intacct's standard fields (``standard_fields``) adds the rest of what a
real tenant answers. `lookup` and `inspect` describe both, queries check selected fields
against both, and the gateway resolves names case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from include.intacct_sandbox.standard_fields import FieldInfo, standard_fields

TEXT, INTEGER, DECIMAL, DATE, TIMESTAMP, BOOLEAN, ENUM = (
    "TEXT", "INTEGER", "DECIMAL", "DATE", "TIMESTAMP", "BOOLEAN", "ENUM")

AUDIT_FIELDS = {
    "RECORDNO": INTEGER, "STATUS": ENUM, "WHENCREATED": TIMESTAMP, "WHENMODIFIED": TIMESTAMP,
    "CREATEDBY": INTEGER, "MODIFIEDBY": INTEGER, "MEGAENTITYKEY": INTEGER, "MEGAENTITYID": TEXT,
    "MEGAENTITYNAME": TEXT, "RECORD_URL": TEXT,
}
CONTACT_FIELDS = {
    "DISPLAYCONTACT.CONTACTNAME": TEXT, "DISPLAYCONTACT.PRINTAS": TEXT, "DISPLAYCONTACT.COMPANYNAME": TEXT,
    "DISPLAYCONTACT.FIRSTNAME": TEXT, "DISPLAYCONTACT.LASTNAME": TEXT, "DISPLAYCONTACT.EMAIL1": TEXT,
    "DISPLAYCONTACT.EMAIL2": TEXT, "DISPLAYCONTACT.PHONE1": TEXT,
    "DISPLAYCONTACT.MAILADDRESS.ADDRESS1": TEXT, "DISPLAYCONTACT.MAILADDRESS.CITY": TEXT,
    "DISPLAYCONTACT.MAILADDRESS.STATE": TEXT, "DISPLAYCONTACT.MAILADDRESS.ZIP": TEXT,
    "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE": TEXT,
}
LINE_DIMENSIONS = {
    "LOCATIONID": TEXT, "DEPARTMENTID": TEXT, "PROJECTID": TEXT, "TASKID": TEXT, "CUSTOMERID": TEXT,
    "VENDORID": TEXT, "EMPLOYEEID": TEXT, "ITEMID": TEXT, "CLASSID": TEXT,
}


@dataclass(frozen=True)
class ObjectDef:
    name: str
    label: str  # as Intacct names it in messages ("Could not create Customer record!")
    key: str  # business id used by readByName and admin calls
    fields: dict[str, str]
    master: bool = True  # masters have a unique business id; documents have lines
    lines_container: str = ""  # e.g. APBILLITEMS
    line_element: str = ""  # e.g. APBILLITEM
    line_fields: dict[str, str] = field(default_factory=dict)
    date_field: str = ""  # the posting date checked against the closed-books date
    module: str = ""  # GL, AR or AP for documents
    aliases: tuple[str, ...] = ()
    parent: str = ""  # line objects (APBILLITEM...) are read-only views of their document's lines
    # Readable only: the sandbox computes these records (GLDETAIL) or does not model writing them.
    read_only: bool = False
    audit: bool = True  # carries RECORDNO, STATUS, WHENCREATED... (AUDIT_FIELDS)

    @property
    def computed_records(self) -> bool:
        """Records computed from other records (document lines, GL detail), not stored on their own."""
        return bool(self.parent) or self.name == "GLDETAIL"

    @cached_property
    def modelled_fields(self) -> dict[str, str]:
        """The fields the sandbox's rules know, with the type its filters compare them as."""
        return {**(AUDIT_FIELDS if self.audit else {}), **self.fields}

    @cached_property
    def standard(self) -> dict[str, FieldInfo]:
        """Intacct's standard fields of this object, from the catalogue."""
        return standard_fields().get(self.name, {})

    @cached_property
    def all_fields(self) -> dict[str, str]:
        """Every field a read can answer: the modelled ones first, then the catalogue's, typed for
        comparison (a catalogue field compares as the DATATYPE Intacct reports for it)."""
        extra = {name: _COMPARE_AS.get(info.datatype, TEXT) for name, info in self.standard.items()}
        return {**self.modelled_fields, **{k: v for k, v in extra.items() if k not in self.modelled_fields}}


# Intacct DATATYPEs that compare like one of the sandbox's types.
_COMPARE_AS = {TEXT: TEXT, INTEGER: INTEGER, DECIMAL: DECIMAL, "CURRENCY": DECIMAL, "PERCENT": DECIMAL, DATE: DATE,
               TIMESTAMP: TIMESTAMP, BOOLEAN: BOOLEAN, ENUM: TEXT}


def _obj(name, label, key, fields, **kwargs) -> ObjectDef:
    return ObjectDef(name, label, key, fields, **kwargs)


_TERM_FIELDS = {"NAME": TEXT, "DESCRIPTION": TEXT, "DUEDATE": INTEGER, "DUEFROM": TEXT, "DISCDATE": INTEGER,
                "DISCFROM": TEXT, "DISCAMOUNT": DECIMAL, "DISCPERCAMN": TEXT}
# Document dates are dates, not timestamps (WHENCREATED on a bill is its transaction date).
_SUBLEDGER_HEADER = {"RECORDID": TEXT, "WHENCREATED": DATE, "WHENPOSTED": DATE, "WHENDUE": DATE, "TERMNAME": TEXT,
                     "DESCRIPTION": TEXT, "DOCNUMBER": TEXT, "CURRENCY": TEXT, "BASECURR": TEXT,
                     "TOTALENTERED": DECIMAL, "TOTALDUE": DECIMAL, "STATE": TEXT, "MODULEKEY": TEXT,
                     "SUPDOCID": TEXT, "AUWHENCREATED": TIMESTAMP}
_BANK_ACCOUNT_FIELDS = {"BANKACCOUNTID": TEXT, "BANKACCOUNTNO": TEXT, "GLACCOUNTNO": TEXT, "BANKNAME": TEXT,
                        "ROUTINGNO": TEXT, "BANKACCOUNTTYPE": TEXT, "CURRENCY": TEXT, "DEPARTMENTID": TEXT,
                        "LOCATIONID": TEXT}
_DOC_LINE_AR = {"LINE_NO": INTEGER, "ACCOUNTNO": TEXT, "AMOUNT": DECIMAL, "TRX_AMOUNT": DECIMAL,
                "ENTRYDESCRIPTION": TEXT, **LINE_DIMENSIONS}

OBJECTS: dict[str, ObjectDef] = {o.name: o for o in (
    _obj("CUSTOMER", "Customer", "CUSTOMERID", {
        "CUSTOMERID": TEXT, "NAME": TEXT, "TERMNAME": TEXT, "PARENTID": TEXT, "TOTALDUE": DECIMAL,
        "ONHOLD": BOOLEAN, "CURRENCY": TEXT, "CUSTTYPE": TEXT, "CREDITLIMIT": DECIMAL, **CONTACT_FIELDS}),
    _obj("VENDOR", "Vendor", "VENDORID", {
        "VENDORID": TEXT, "NAME": TEXT, "TERMNAME": TEXT, "PARENTID": TEXT, "TOTALDUE": DECIMAL,
        "ONHOLD": BOOLEAN, "CURRENCY": TEXT, "APACCOUNT": TEXT, "VENDTYPE": TEXT, "ONETIME": BOOLEAN,
        "CREDITLIMIT": DECIMAL, **CONTACT_FIELDS}),
    _obj("ITEM", "Item", "ITEMID", {
        "ITEMID": TEXT, "NAME": TEXT, "ITEMTYPE": ENUM, "GLGROUP": TEXT, "BASEPRICE": DECIMAL,
        "PRODUCTLINEID": TEXT}),
    _obj("GLACCOUNT", "GL Account", "ACCOUNTNO", {
        "ACCOUNTNO": TEXT, "TITLE": TEXT, "ACCOUNTTYPE": ENUM, "NORMALBALANCE": ENUM, "CLOSINGTYPE": ENUM,
        "CATEGORY": TEXT, "REQUIREDEPT": BOOLEAN, "REQUIRELOC": BOOLEAN, "REQUIREPROJECT": BOOLEAN,
        "REQUIRECLASS": BOOLEAN, "REQUIRECUSTOMER": BOOLEAN, "REQUIREVENDOR": BOOLEAN,
        "REQUIREITEM": BOOLEAN, "REQUIREEMPLOYEE": BOOLEAN}),
    _obj("ARTERM", "AR Term", "NAME", dict(_TERM_FIELDS)),
    _obj("APTERM", "AP Term", "NAME", dict(_TERM_FIELDS)),
    _obj("DEPARTMENT", "Department", "DEPARTMENTID", {
        "DEPARTMENTID": TEXT, "TITLE": TEXT, "PARENTID": TEXT, "SUPERVISORID": TEXT}),
    _obj("LOCATION", "Location", "LOCATIONID", {
        "LOCATIONID": TEXT, "NAME": TEXT, "PARENTID": TEXT, "CURRENCY": TEXT, "ENTITY": TEXT}),
    _obj("LOCATIONENTITY", "Entity", "LOCATIONID", {
        "LOCATIONID": TEXT, "NAME": TEXT, "OPCOUNTRY": TEXT, "CURRENCY": TEXT}),
    _obj("CLASS", "Class", "CLASSID", {"CLASSID": TEXT, "NAME": TEXT, "PARENTID": TEXT}),
    _obj("PROJECT", "Project", "PROJECTID", {
        "PROJECTID": TEXT, "NAME": TEXT, "PROJECTCATEGORY": TEXT, "CUSTOMERID": TEXT, "PARENTID": TEXT,
        "PROJECTSTATUS": TEXT, "BEGINDATE": DATE, "ENDDATE": DATE}),
    _obj("EMPLOYEE", "Employee", "EMPLOYEEID", {
        "EMPLOYEEID": TEXT, "CONTACT.CONTACTNAME": TEXT, "CONTACT.FIRSTNAME": TEXT, "CONTACT.LASTNAME": TEXT,
        "DEPARTMENTID": TEXT, "LOCATIONID": TEXT, "TITLE": TEXT}),
    _obj("TAXDETAIL", "Tax Detail", "DETAILID", {
        "DETAILID": TEXT, "DESCRIPTION": TEXT, "TAXTYPE": ENUM, "VALUE": DECIMAL, "TAXRATE": TEXT,
        "GLACCOUNT": TEXT, "TAXSOLUTIONID": TEXT}),
    _obj("GLJOURNAL", "Journal", "SYMBOL", {"SYMBOL": TEXT, "TITLE": TEXT, "BOOKID": TEXT},
         aliases=("JOURNAL",)),
    _obj("REPORTINGPERIOD", "Reporting Period", "NAME", {
        "NAME": TEXT, "HEADER1": TEXT, "HEADER2": TEXT, "START_DATE": DATE, "END_DATE": DATE,
        "BUDGETING": BOOLEAN}),
    _obj("CONTACT", "Contact", "CONTACTNAME", {
        "CONTACTNAME": TEXT, "PRINTAS": TEXT, "COMPANYNAME": TEXT, "FIRSTNAME": TEXT, "LASTNAME": TEXT,
        "EMAIL1": TEXT, "PHONE1": TEXT, "TAXABLE": BOOLEAN, "MAILADDRESS.COUNTRYCODE": TEXT}),
    _obj("TASK", "Task", "TASKID", {
        "TASKID": TEXT, "NAME": TEXT, "PROJECTID": TEXT, "PARENTID": TEXT, "DESCRIPTION": TEXT, "TASKNO": TEXT,
        "TASKSTATUS": TEXT, "BILLABLE": BOOLEAN, "ITEMID": TEXT, "CLASSID": TEXT}),
    _obj("COSTTYPE", "Cost Type", "COSTTYPEID", {
        "COSTTYPEID": TEXT, "NAME": TEXT, "PROJECTID": TEXT, "TASKID": TEXT, "STANDARDCOSTTYPEID": TEXT,
        "DESCRIPTION": TEXT, "ACCOUNTNO": TEXT}),
    _obj("CHECKINGACCOUNT", "Checking Account", "BANKACCOUNTID", dict(_BANK_ACCOUNT_FIELDS)),
    _obj("SAVINGSACCOUNT", "Savings Account", "BANKACCOUNTID", dict(_BANK_ACCOUNT_FIELDS)),
    _obj("CREDITCARD", "Credit Card", "CARDID", {
        "CARDID": TEXT, "DESCRIPTION": TEXT, "CARDTYPE": TEXT, "EXP_MONTH": TEXT, "EXP_YEAR": TEXT,
        "LIABILITYTYPE": TEXT, "VENDORID": TEXT, "CURRENCY": TEXT}),
    # Payments: readable (the sandbox seeds none and does not model applying them).
    _obj("ARPYMT", "AR Payment", "RECORDNO", {
        "CUSTOMERID": TEXT, "CUSTOMERNAME": TEXT, "RECEIPTDATE": DATE, "PAYMENTMETHOD": TEXT, "DOCNUMBER": TEXT,
        "DESCRIPTION": TEXT, "CURRENCY": TEXT, "TOTALENTERED": DECIMAL, "TOTALPAID": DECIMAL, "STATE": TEXT},
         master=False, module="AR", read_only=True),
    _obj("APPYMT", "AP Payment", "RECORDNO", {
        "VENDORID": TEXT, "VENDORNAME": TEXT, "PAYMENTDATE": DATE, "PAYMENTMETHOD": TEXT, "DOCNUMBER": TEXT,
        "DESCRIPTION": TEXT, "CURRENCY": TEXT, "TOTALENTERED": DECIMAL, "TOTALPAID": DECIMAL, "STATE": TEXT},
         master=False, module="AP", read_only=True),
    _obj("ARINVOICE", "Invoice", "RECORDID", {"CUSTOMERID": TEXT, "CUSTOMERNAME": TEXT, **_SUBLEDGER_HEADER},
         master=False, lines_container="ARINVOICEITEMS", line_element="ARINVOICEITEM",
         line_fields=_DOC_LINE_AR, date_field="WHENCREATED", module="AR"),
    _obj("APBILL", "Bill", "RECORDID", {"VENDORID": TEXT, "VENDORNAME": TEXT, **_SUBLEDGER_HEADER},
         master=False, lines_container="APBILLITEMS", line_element="APBILLITEM",
         line_fields=_DOC_LINE_AR, date_field="WHENCREATED", module="AP"),
    _obj("GLBATCH", "GLBatch", "BATCH_TITLE", {
        "BATCHNO": INTEGER, "JOURNAL": TEXT, "BATCH_DATE": DATE, "BATCH_TITLE": TEXT, "REFERENCENO": TEXT,
        "REVERSEDATE": DATE, "STATE": TEXT, "MODULE": TEXT, "BASELOCATION_NO": TEXT, "SUPDOCID": TEXT},
         master=False, lines_container="ENTRIES", line_element="GLENTRY",
         line_fields={"LINE_NO": INTEGER, "ACCOUNTNO": TEXT, "TR_TYPE": INTEGER, "AMOUNT": DECIMAL,
                      "TRX_AMOUNT": DECIMAL, "DESCRIPTION": TEXT, "DOCUMENT": TEXT, "CURRENCY": TEXT,
                      "DEPARTMENT": TEXT, "LOCATION": TEXT, **LINE_DIMENSIONS},
         date_field="BATCH_DATE", module="GL"),
)}
# Line objects: each line of a posted document, readable on its own as Intacct allows.
_LINE_PARENT_FIELDS = {"RECORDKEY": INTEGER, "ENTRY_DATE": DATE}
for _doc in [o for o in OBJECTS.values() if o.lines_container]:
    OBJECTS[_doc.line_element] = ObjectDef(
        _doc.line_element, f"{_doc.label} line", "RECORDNO",
        {**_doc.line_fields, **_LINE_PARENT_FIELDS, **({"BATCHNO": INTEGER} if _doc.name == "GLBATCH" else {})},
        master=False, parent=_doc.name, module=_doc.module)

# The general ledger detail: one row per GL line the posted documents put on the books (a journal
# entry's own lines; a bill's or invoice's lines and the AP or AR control line against them).
OBJECTS["GLDETAIL"] = ObjectDef(
    "GLDETAIL", "GL Detail", "RECORDNO", {
        "BATCHKEY": INTEGER, "BATCH_NO": INTEGER, "BATCH_DATE": DATE, "BATCH_TITLE": TEXT, "SYMBOL": TEXT,
        "BOOKID": TEXT, "MODULEKEY": TEXT, "LINE_NO": INTEGER, "ENTRY_DATE": DATE, "TR_TYPE": INTEGER,
        "DOCUMENT": TEXT, "ACCOUNTNO": TEXT, "ACCOUNTTITLE": TEXT, "AMOUNT": DECIMAL, "TRX_AMOUNT": DECIMAL,
        "DEBITAMOUNT": DECIMAL, "CREDITAMOUNT": DECIMAL, "TRX_DEBITAMOUNT": DECIMAL, "TRX_CREDITAMOUNT": DECIMAL,
        "CURRENCY": TEXT, "BASECURR": TEXT, "DESCRIPTION": TEXT, "RECORDID": TEXT, "DOCNUMBER": TEXT,
        "ENTRY_STATE": TEXT, **LINE_DIMENSIONS},
    master=False, read_only=True)

_BY_ALIAS = {alias: o for o in OBJECTS.values() for alias in (o.name, *o.aliases)}


def find_object(name: str) -> ObjectDef | None:
    return _BY_ALIAS.get(name.strip().upper())


def field_type(obj: ObjectDef, name: str) -> str | None:
    fields = obj.all_fields
    return fields.get(name) or (TEXT if name.startswith("GLDIM") and not obj.master else None)


# A UDD is a platform object: its values have lowercase platform fields.
UDD_FIELDS = {"id": TEXT, "name": TEXT, "status": ENUM, "createdBy": TEXT, "updatedBy": TEXT,
              "RECORDNO": INTEGER, "WHENCREATED": TIMESTAMP, "WHENMODIFIED": TIMESTAMP}

# Standard dimensions as getDimensions lists them, with the object each is read from.
STANDARD_DIMENSIONS = (
    ("DEPARTMENT", "Department"), ("LOCATION", "Location"), ("PROJECT", "Project"),
    ("CUSTOMER", "Customer"), ("VENDOR", "Vendor"), ("EMPLOYEE", "Employee"), ("ITEM", "Item"),
    ("CLASS", "Class"),
)

# Line fields that reference masters: field -> (object, message kind).
LINE_REFERENCES = {
    "LOCATIONID": "LOCATION", "LOCATION": "LOCATION", "DEPARTMENTID": "DEPARTMENT", "DEPARTMENT": "DEPARTMENT",
    "PROJECTID": "PROJECT", "CUSTOMERID": "CUSTOMER", "VENDORID": "VENDOR", "EMPLOYEEID": "EMPLOYEE",
    "ITEMID": "ITEM", "CLASSID": "CLASS",
}
# Account REQUIRE* flags -> (the dimension's label, the line fields that satisfy it).
REQUIRED_DIMENSIONS = (
    ("REQUIREDEPT", "Department", ("DEPARTMENTID", "DEPARTMENT")),
    ("REQUIRELOC", "Location", ("LOCATIONID", "LOCATION")),
    ("REQUIREPROJECT", "Project", ("PROJECTID",)),
    ("REQUIRECLASS", "Class", ("CLASSID",)),
    ("REQUIRECUSTOMER", "Customer", ("CUSTOMERID",)),
    ("REQUIREVENDOR", "Vendor", ("VENDORID",)),
    ("REQUIREITEM", "Item", ("ITEMID",)),
    ("REQUIREEMPLOYEE", "Employee", ("EMPLOYEEID",)),
)
