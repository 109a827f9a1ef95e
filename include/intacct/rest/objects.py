"""The XML-to-REST object map: one declaration per Intacct object the product reads or writes.

Each declaration pairs an XML object (``APBILL``) with its REST object (``accounts-payable/bill``)
and each XML field with the REST property that holds the same value (``VENDORID`` ->
``vendor.id``), with the value's kind (dates, timestamps, booleans and enumerations are written
differently by the two APIs). The client's facade uses it to keep the pipeline's XML-shaped reads
and writes on the REST transport; the sandbox uses the same table to serve its store over REST,
so both APIs show one record.

Sources: object pairs from Sage's XML-to-REST object map (developer.sage.com, getting-started/
xml-rest-object-map: APBILL, APTERM, VENDOR ...) and, where the map's text was not retrieved, from
the XML and REST pages of the same concept (reference §10); property names from Sage's OpenAPI
examples (shared/reference/intacct-rest-examples: ar.md, ap.md, gl.md, cc.md) and the production
side-by-side fixtures of fylein/fyle-intacct-api (reference §3.12). Assumptions are marked
``assumed`` where they are declared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

TEXT, INTEGER, DECIMAL, DATE, TIMESTAMP, BOOLEAN, ENUM = (
    "text", "integer", "decimal", "date", "timestamp", "boolean", "enum")
UDD_FIELD_PREFIX = "GLDIM"  # a user-defined dimension on an XML line: GLDIM<NAME>
UDD_REST_PREFIX = "nsp::"  # ... and on a REST line: dimensions["nsp::<name>"]
UDD_OBJECT_PREFIX = "platform-apps/nsp::"  # a user-defined dimension's values as a REST object


class MappingError(ValueError):
    """An XML object or field has no REST counterpart in the map; the message names both."""


@dataclass(frozen=True)
class FieldMap:
    """One XML field and the REST property (dotted path) that holds its value."""

    xml: str
    rest: str
    kind: str = TEXT
    values: tuple[tuple[str, str], ...] = ()  # ENUM: (XML value, REST value) pairs
    ref: str = ""  # the XML object a reference (``customer.id``) points at
    read_only: bool = False

    def to_rest_value(self, xml_value: str) -> str:
        for xml_text, rest_text in self.values:
            if xml_text.lower() == str(xml_value).strip().lower():
                return rest_text
        return xml_value  # a value the map does not know passes unchanged

    def to_xml_value(self, rest_value: str) -> str:
        for xml_text, rest_text in self.values:
            if rest_text == rest_value:
                return xml_text
        return rest_value


@dataclass(frozen=True)
class LinesMap:
    """A document's owned lines: the XML container and element, the REST line object and its fields."""

    container: str  # APBILLITEMS
    element: str  # APBILLITEM
    xml_object: str  # the XML line object (readable on its own): APBILLITEM
    rest_object: str  # accounts-payable/bill-line
    owner: str  # the line's reference to its document: "bill" (bill.key)
    owner_xml: str  # the XML line field holding the document's RECORDNO: RECORDKEY
    fields: tuple[FieldMap, ...]

    @cached_property
    def by_xml(self) -> dict[str, FieldMap]:
        out: dict[str, FieldMap] = {}
        for f in self.fields:
            out.setdefault(f.xml, f)
        return out

    @cached_property
    def by_rest(self) -> dict[str, FieldMap]:
        out: dict[str, FieldMap] = {}
        for f in self.fields:
            out.setdefault(f.rest, f)  # the first declaration of a property is the one REST writes into
        return out


@dataclass(frozen=True)
class RestObject:
    xml: str  # APBILL
    path: str  # accounts-payable/bill
    key_field: str  # the XML business id (VENDORID); RECORDID for documents
    fields: tuple[FieldMap, ...]
    lines: LinesMap | None = None
    # Legacy create functions (create_invoice, create_arterm ...) name fields their own way.
    legacy_fields: dict[str, str] = field(default_factory=dict)
    legacy_lines: tuple[str, str] = ("", "")  # (container, element) of a legacy create: invoiceitems/lineitem
    legacy_line_fields: dict[str, str] = field(default_factory=dict)
    document: bool = False

    @cached_property
    def by_xml(self) -> dict[str, FieldMap]:
        return {f.xml: f for f in self.fields}

    @cached_property
    def by_rest(self) -> dict[str, FieldMap]:
        out: dict[str, FieldMap] = {}
        for f in self.fields:
            out.setdefault(f.rest, f)
        return out

    @property
    def id_property(self) -> str:
        """The REST property holding the business id the product looks records up by."""
        return self.by_xml[self.key_field].rest

    def field(self, xml_name: str) -> FieldMap:
        """The map of one XML field (case-insensitive), or MappingError naming the object and the field."""
        found = self.by_xml.get(xml_name) or self.by_xml.get(xml_name.upper())
        if found is None:
            raise MappingError(f"{self.xml} field {xml_name!r} has no REST counterpart in the object map "
                               f"({self.path}); mapped fields: {', '.join(self.by_xml)}")
        return found


def _f(xml: str, rest: str, kind: str = TEXT, *, values: dict[str, str] | None = None, ref: str = "",
       read_only: bool = False) -> FieldMap:
    return FieldMap(xml, rest, kind, tuple((values or {}).items()), ref, read_only)


def _audit(created: str = "WHENCREATED", entity: bool = True) -> tuple[FieldMap, ...]:
    """System fields every object has; ``created`` is the XML name of the creation moment; ``entity``: the
    entity that owns the record (a location's own ``entity`` is the one it belongs to instead)."""
    owner = (_f("MEGAENTITYKEY", "entity.key", read_only=True), _f("MEGAENTITYID", "entity.id", read_only=True),
             _f("MEGAENTITYNAME", "entity.name", read_only=True)) if entity else ()
    return (
        _f("RECORDNO", "key", read_only=True),
        _f(created, "audit.createdDateTime", TIMESTAMP, read_only=True),
        _f("WHENMODIFIED", "audit.modifiedDateTime", TIMESTAMP, read_only=True),
        _f("CREATEDBY", "audit.createdBy", read_only=True),
        _f("MODIFIEDBY", "audit.modifiedBy", read_only=True),
        *owner,
        _f("RECORD_URL", "webURL", read_only=True),
    )


def _master(*fields: FieldMap, status: bool = True, entity: bool = True) -> tuple[FieldMap, ...]:
    return (*_audit(entity=entity), *((_f("STATUS", "status"),) if status else ()), *fields)


def _dimensions(location: str = "LOCATIONID", department: str = "DEPARTMENTID") -> tuple[FieldMap, ...]:
    """A transaction line's standard dimensions (REST ``dimensions.<name>.id``)."""
    pairs = ((department, "department", "DEPARTMENT"), (location, "location", "LOCATION"),
             ("PROJECTID", "project", "PROJECT"), ("TASKID", "task", "TASK"), ("CUSTOMERID", "customer", "CUSTOMER"),
             ("VENDORID", "vendor", "VENDOR"), ("EMPLOYEEID", "employee", "EMPLOYEE"), ("ITEMID", "item", "ITEM"),
             ("CLASSID", "class", "CLASS"))
    return tuple(_f(xml, f"dimensions.{rest}.id", ref=target) for xml, rest, target in pairs)


_STATE = {"Posted": "posted", "Draft": "draft"}
_TERM_FROM = {"from invoice date": "fromInvoiceDate", "from bill date": "fromBillDate"}  # assumed for AP
_TERM_UNIT = {"Percentage": "percentage", "Amount": "amount"}
_ACCOUNT_TYPE = {"balancesheet": "balanceSheet", "incomestatement": "incomeStatement"}
# assumed: only "inventory" is in Sage's examples; the others follow the API's camelCase enumerations
_ITEM_TYPE = {"Inventory": "inventory", "Non-Inventory": "nonInventory",
              "Non-Inventory (Purchase only)": "nonInventoryPurchase",
              "Non-Inventory (Sales only)": "nonInventorySales", "Kit": "kit", "Stockable Kit": "stockableKit"}
_PROJECT_CATEGORY = {"Contract": "contract", "Capitalized": "capitalized", "Internal Billable": "internalBillable",
                     "Internal Non-billable": "internalNonBillable"}  # assumed beyond "contract"
_TAX_TYPE = {"Sale": "sale", "Purchase": "purchase"}


def _party(key: str, party: str, term_object: str) -> tuple[FieldMap, ...]:
    """A customer or vendor (reference §3.5, §3.7; ar.md/ap.md GET examples)."""
    return _master(
        _f(key, "id"), _f("NAME", "name"), _f("TERMNAME", "term.id", ref=term_object),
        _f("PARENTID", "parent.id", ref=party), _f("CURRENCY", "currency"),
        _f("CREDITLIMIT", "creditLimit", DECIMAL), _f("ONHOLD", "isOnHold", BOOLEAN),
        _f("TOTALDUE", "totalDue", DECIMAL, read_only=True),
        _f("DISPLAYCONTACT.PRINTAS", "contacts.default.printAs"),
        _f("DISPLAYCONTACT.COMPANYNAME", "contacts.default.companyName"),
        _f("DISPLAYCONTACT.FIRSTNAME", "contacts.default.firstName"),
        _f("DISPLAYCONTACT.LASTNAME", "contacts.default.lastName"),
        _f("DISPLAYCONTACT.EMAIL1", "contacts.default.email1"),
        _f("DISPLAYCONTACT.EMAIL2", "contacts.default.email2"),
        _f("DISPLAYCONTACT.PHONE1", "contacts.default.phone1"),
        _f("DISPLAYCONTACT.CONTACTNAME", "contacts.default.id"),
    )


def _term() -> tuple[FieldMap, ...]:
    """An AR or AP term (reference §3.4, §3.7)."""
    return _master(
        _f("NAME", "id"), _f("DESCRIPTION", "description"),
        _f("DUEDATE", "due.days", INTEGER), _f("DUEFROM", "due.from", ENUM, values=_TERM_FROM),
        _f("DISCDATE", "discount.days", INTEGER), _f("DISCFROM", "discount.from", ENUM, values=_TERM_FROM),
        _f("DISCAMOUNT", "discount.amount", DECIMAL), _f("DISCPERCAMN", "discount.unit", ENUM, values=_TERM_UNIT),
    )


def _subledger_header(number: str, party_xml: str, party: str, party_object: str, term_object: str,
                      document_date: str, posting_date: str) -> tuple[FieldMap, ...]:
    """An AR invoice's or AP bill's header (reference §3.3, §3.6, §3.12)."""
    return (
        _f("RECORDNO", "key", read_only=True),
        _f("RECORDNO", "id", read_only=True),
        _f("AUWHENCREATED", "audit.createdDateTime", TIMESTAMP, read_only=True),
        _f("WHENMODIFIED", "audit.modifiedDateTime", TIMESTAMP, read_only=True),
        _f("MEGAENTITYID", "entity.id", read_only=True), _f("MEGAENTITYNAME", "entity.name", read_only=True),
        _f("RECORDID", number), _f(party_xml, f"{party}.id", ref=party_object),
        _f("WHENCREATED", document_date, DATE), _f("WHENPOSTED", posting_date, DATE), _f("WHENDUE", "dueDate", DATE),
        _f("TERMNAME", "term.id", ref=term_object), _f("DESCRIPTION", "description"),
        _f("DOCNUMBER", "referenceNumber"), _f("CURRENCY", "currency.txnCurrency"),
        _f("BASECURR", "currency.baseCurrency"), _f("STATE", "state", ENUM, values=_STATE),
        _f("TOTALENTERED", "totalTxnAmount", DECIMAL, read_only=True),
        _f("TOTALDUE", "totalTxnAmountDue", DECIMAL, read_only=True),
        _f("RECORD_URL", "webURL", read_only=True),
    )


def _subledger_line(owner: str) -> tuple[FieldMap, ...]:
    return (_f("RECORDNO", "key", read_only=True), _f("RECORDKEY", f"{owner}.key", read_only=True),
            _f("LINE_NO", "lineNumber", INTEGER, read_only=True),
            _f("ACCOUNTNO", "glAccount.id", ref="GLACCOUNT"), _f("GLACCOUNTNO", "glAccount.id", ref="GLACCOUNT"),
            _f("TRX_AMOUNT", "txnAmount", DECIMAL), _f("AMOUNT", "txnAmount", DECIMAL),
            _f("ENTRYDESCRIPTION", "memo"), _f("MEMO", "memo"), *_dimensions())


_LEGACY_DOCUMENT_LINE = {"glaccountno": "ACCOUNTNO", "accountno": "ACCOUNTNO", "amount": "TRX_AMOUNT",
                         "memo": "ENTRYDESCRIPTION", "locationid": "LOCATIONID", "departmentid": "DEPARTMENTID",
                         "projectid": "PROJECTID", "taskid": "TASKID", "customerid": "CUSTOMERID",
                         "vendorid": "VENDORID", "employeeid": "EMPLOYEEID", "itemid": "ITEMID", "classid": "CLASSID"}
_LEGACY_TERM = {"name": "NAME", "description": "DESCRIPTION", "status": "STATUS", "due.dueday": "DUEDATE",
                "due.duefrom": "DUEFROM", "discount.discday": "DISCDATE", "discount.discfrom": "DISCFROM",
                "discount.discamount": "DISCAMOUNT", "discount.discpercamn": "DISCPERCAMN"}

OBJECTS: dict[str, RestObject] = {o.xml: o for o in (
    RestObject("GLACCOUNT", "general-ledger/account", "ACCOUNTNO", _master(
        _f("ACCOUNTNO", "id"), _f("TITLE", "name"),
        _f("ACCOUNTTYPE", "accountType", ENUM, values=_ACCOUNT_TYPE), _f("NORMALBALANCE", "normalBalance"),
        _f("CATEGORY", "category"),
        _f("REQUIREDEPT", "requireDimensions.department", BOOLEAN),
        _f("REQUIRELOC", "requireDimensions.location", BOOLEAN),
        _f("REQUIREPROJECT", "requireDimensions.project", BOOLEAN),
        _f("REQUIRECLASS", "requireDimensions.class", BOOLEAN),
        _f("REQUIRECUSTOMER", "requireDimensions.customer", BOOLEAN),
        _f("REQUIREVENDOR", "requireDimensions.vendor", BOOLEAN),
        _f("REQUIREITEM", "requireDimensions.item", BOOLEAN),
        _f("REQUIREEMPLOYEE", "requireDimensions.employee", BOOLEAN))),
    RestObject("ARTERM", "accounts-receivable/term", "NAME", _term(), legacy_fields=_LEGACY_TERM),
    RestObject("APTERM", "accounts-payable/term", "NAME", _term(), legacy_fields=_LEGACY_TERM),
    RestObject("DEPARTMENT", "company-config/department", "DEPARTMENTID", _master(
        _f("DEPARTMENTID", "id"), _f("TITLE", "name"), _f("PARENTID", "parent.id", ref="DEPARTMENT"),
        _f("SUPERVISORID", "supervisor.id", ref="EMPLOYEE"))),
    RestObject("LOCATION", "company-config/location", "LOCATIONID", _master(
        _f("LOCATIONID", "id"), _f("NAME", "name"), _f("PARENTID", "parent.id", ref="LOCATION"),
        _f("CURRENCY", "baseCurrency"), _f("ENTITY", "entity.id", ref="LOCATIONENTITY"), entity=False)),
    # The entity's own id is its LOCATIONID (cc.md company-config/entity; fylein location_entities.py).
    RestObject("LOCATIONENTITY", "company-config/entity", "LOCATIONID", (
        _f("RECORDNO", "key", read_only=True),
        _f("WHENCREATED", "audit.createdDateTime", TIMESTAMP, read_only=True),
        _f("WHENMODIFIED", "audit.modifiedDateTime", TIMESTAMP, read_only=True),
        _f("STATUS", "status"), _f("LOCATIONID", "id"), _f("NAME", "name"),
        _f("CURRENCY", "baseCurrency.id"), _f("OPCOUNTRY", "operatingCountry"))),
    RestObject("CLASS", "company-config/class", "CLASSID", _master(
        _f("CLASSID", "id"), _f("NAME", "name"), _f("PARENTID", "parent.id", ref="CLASS"))),
    RestObject("PROJECT", "projects/project", "PROJECTID", _master(
        _f("PROJECTID", "id"), _f("NAME", "name"),
        _f("PROJECTCATEGORY", "category", ENUM, values=_PROJECT_CATEGORY),
        _f("CUSTOMERID", "customer.id", ref="CUSTOMER"), _f("PARENTID", "parent.id", ref="PROJECT"),
        _f("BEGINDATE", "startDate", DATE), _f("ENDDATE", "endDate", DATE))),
    RestObject("EMPLOYEE", "company-config/employee", "EMPLOYEEID", _master(
        _f("EMPLOYEEID", "id"), _f("CONTACT.CONTACTNAME", "name"), _f("CONTACT.CONTACTNAME", "primaryContact.id"),
        _f("CONTACT.FIRSTNAME", "primaryContact.firstName"), _f("CONTACT.LASTNAME", "primaryContact.lastName"),
        _f("DEPARTMENTID", "department.id", ref="DEPARTMENT"), _f("LOCATIONID", "location.id", ref="LOCATION"),
        _f("TITLE", "jobTitle"))),
    RestObject("CUSTOMER", "accounts-receivable/customer", "CUSTOMERID",
               _party("CUSTOMERID", "CUSTOMER", "ARTERM")),
    RestObject("VENDOR", "accounts-payable/vendor", "VENDORID", _party("VENDORID", "VENDOR", "APTERM")),
    RestObject("ITEM", "inventory-control/item", "ITEMID", _master(
        _f("ITEMID", "id"), _f("NAME", "name"), _f("ITEMTYPE", "itemType", ENUM, values=_ITEM_TYPE),
        _f("BASEPRICE", "sales.basePrice", DECIMAL), _f("PRODUCTLINEID", "productLine.id"))),
    RestObject("TAXDETAIL", "tax/tax-detail", "DETAILID", _master(
        _f("DETAILID", "id"), _f("DESCRIPTION", "description"), _f("TAXTYPE", "taxType", ENUM, values=_TAX_TYPE),
        _f("VALUE", "taxPercent", DECIMAL), _f("GLACCOUNT", "glAccount.id", ref="GLACCOUNT"),
        _f("TAXSOLUTIONID", "taxSolution.id"))),
    RestObject("GLJOURNAL", "general-ledger/journal", "SYMBOL", _master(
        _f("SYMBOL", "id"), _f("TITLE", "name"), _f("BOOKID", "bookId"))),
    RestObject("REPORTINGPERIOD", "general-ledger/reporting-period", "NAME", _master(
        _f("NAME", "id"), _f("HEADER1", "columnHeader1"), _f("HEADER2", "columnHeader2"),
        _f("START_DATE", "startDate", DATE), _f("END_DATE", "endDate", DATE),
        _f("BUDGETING", "isBudgetable", BOOLEAN))),
    RestObject("ARINVOICE", "accounts-receivable/invoice", "RECORDID", _subledger_header(
        "invoiceNumber", "CUSTOMERID", "customer", "CUSTOMER", "ARTERM", "invoiceDate", "invoiceSummary.glPostingDate"),
        lines=LinesMap("ARINVOICEITEMS", "ARINVOICEITEM", "ARINVOICEITEM", "accounts-receivable/invoice-line",
                       "invoice", "RECORDKEY", _subledger_line("invoice")),
        legacy_fields={"customerid": "CUSTOMERID", "datecreated": "WHENCREATED", "dateposted": "WHENPOSTED",
                       "datedue": "WHENDUE", "termname": "TERMNAME", "invoiceno": "RECORDID",
                       "ponumber": "DOCNUMBER", "description": "DESCRIPTION", "basecurr": "BASECURR",
                       "currency": "CURRENCY", "action": "STATE"},
        legacy_lines=("invoiceitems", "lineitem"), legacy_line_fields=_LEGACY_DOCUMENT_LINE, document=True),
    RestObject("APBILL", "accounts-payable/bill", "RECORDID", _subledger_header(
        "billNumber", "VENDORID", "vendor", "VENDOR", "APTERM", "createdDate", "postingDate"),
        lines=LinesMap("APBILLITEMS", "APBILLITEM", "APBILLITEM", "accounts-payable/bill-line", "bill",
                       "RECORDKEY", _subledger_line("bill")),
        legacy_fields={"vendorid": "VENDORID", "datecreated": "WHENCREATED", "dateposted": "WHENPOSTED",
                       "datedue": "WHENDUE", "termname": "TERMNAME", "billno": "RECORDID", "ponumber": "DOCNUMBER",
                       "description": "DESCRIPTION", "basecurr": "BASECURR", "currency": "CURRENCY",
                       "action": "STATE"},
        legacy_lines=("billitems", "lineitem"), legacy_line_fields=_LEGACY_DOCUMENT_LINE, document=True),
    # A journal entry: GLBATCH journal / batch_date / batch_title -> glJournal.id / postingDate / description
    # (fylein's side-by-side fixtures, reference §3.12); its REFERENCENO is the product's document number.
    RestObject("GLBATCH", "general-ledger/journal-entry", "REFERENCENO", (
        *_audit(), _f("RECORDNO", "id", read_only=True), _f("BATCHNO", "txnNumber", INTEGER, read_only=True),
        _f("JOURNAL", "glJournal.id", ref="GLJOURNAL"), _f("BATCH_DATE", "postingDate", DATE),
        _f("BATCH_TITLE", "description"), _f("REFERENCENO", "referenceNumber"),
        _f("REVERSEDATE", "automaticReversalDate", DATE), _f("STATE", "state", ENUM, values=_STATE),
        _f("MODULE", "moduleName", read_only=True)),
        lines=LinesMap("ENTRIES", "GLENTRY", "GLENTRY", "general-ledger/journal-entry-line", "journalEntry",
                       "BATCHNO", (
                           _f("RECORDNO", "key", read_only=True),
                           _f("BATCHNO", "journalEntry.key", read_only=True),
                           _f("LINE_NO", "lineNumber", INTEGER, read_only=True),
                           _f("ACCOUNTNO", "glAccount.id", ref="GLACCOUNT"),
                           _f("TR_TYPE", "txnType", ENUM, values={"1": "debit", "-1": "credit"}),
                           _f("TRX_AMOUNT", "txnAmount", DECIMAL), _f("AMOUNT", "txnAmount", DECIMAL),
                           _f("DESCRIPTION", "description"), _f("DOCUMENT", "documentId"),
                           *_dimensions(location="LOCATION", department="DEPARTMENT"),
                           _f("LOCATIONID", "dimensions.location.id", ref="LOCATION"),
                           _f("DEPARTMENTID", "dimensions.department.id", ref="DEPARTMENT"))),
        document=True),
)}

# Owned line objects, readable on their own (reference §3.3 invoice-line, §3.8 journal-entry-line).
LINE_OBJECTS: dict[str, RestObject] = {
    o.lines.xml_object: RestObject(o.lines.xml_object, o.lines.rest_object, "RECORDNO", (
        *o.lines.fields, _f("WHENMODIFIED", "audit.modifiedDateTime", TIMESTAMP, read_only=True)))
    for o in OBJECTS.values() if o.lines is not None}

_BY_PATH = {o.path: o for o in (*OBJECTS.values(), *LINE_OBJECTS.values())}


def udd_object(name: str) -> RestObject:
    """A user-defined dimension's values: ``platform-apps/nsp::<name>`` with the platform's lowercase
    fields (reference §3.10: fylein queries ``["id", "name"]``)."""
    return RestObject(name.upper(), f"{UDD_OBJECT_PREFIX}{name.lower()}", "id", (
        _f("RECORDNO", "key", read_only=True),
        _f("WHENCREATED", "audit.createdDateTime", TIMESTAMP, read_only=True),
        _f("WHENMODIFIED", "audit.modifiedDateTime", TIMESTAMP, read_only=True),
        _f("id", "id"), _f("name", "name"), _f("status", "status"),
        _f("createdBy", "audit.createdBy", read_only=True), _f("updatedBy", "audit.modifiedBy", read_only=True)))


def for_xml(object_name: str, *, udd_fallback: bool = True) -> RestObject:
    """The declaration of an XML object; an unknown name is a user-defined dimension (``REGION`` ->
    ``platform-apps/nsp::region``) unless ``udd_fallback`` is off."""
    name = (object_name or "").strip().upper()
    found = OBJECTS.get(name) or LINE_OBJECTS.get(name)
    if found is not None:
        return found
    if udd_fallback and name and name.replace("_", "").isalnum():
        return udd_object(name)
    raise MappingError(f"XML object {object_name!r} has no REST object in the object map; mapped: "
                       f"{', '.join(OBJECTS)}")


def for_rest(path: str) -> RestObject | None:
    """The declaration of a REST object path (``accounts-payable/bill``), or None; a UDD's path gives its
    declaration."""
    path = (path or "").strip().strip("/")
    found = _BY_PATH.get(path)
    if found is not None:
        return found
    if path.startswith(UDD_OBJECT_PREFIX) and len(path) > len(UDD_OBJECT_PREFIX):
        return udd_object(path[len(UDD_OBJECT_PREFIX):])
    return None


def udd_xml_field(rest_dimension: str) -> str | None:
    """``nsp::region`` -> ``GLDIMREGION``; None for a standard dimension."""
    if rest_dimension.startswith(UDD_REST_PREFIX):
        return UDD_FIELD_PREFIX + rest_dimension[len(UDD_REST_PREFIX):].upper()
    return None


def udd_rest_dimension(xml_field: str) -> str | None:
    """``GLDIMREGION`` -> ``nsp::region``; None for any other field."""
    if xml_field.upper().startswith(UDD_FIELD_PREFIX) and len(xml_field) > len(UDD_FIELD_PREFIX):
        return UDD_REST_PREFIX + xml_field[len(UDD_FIELD_PREFIX):].lower()
    return None
