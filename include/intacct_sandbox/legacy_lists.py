"""The legacy `get_list` for the objects the sandbox serves.

Request (intacct/intacct_dtd v3.0/api.xsd, element get_list; the SDKs' GetList writers):

    <get_list object="class" start="0" maxitems="100" showprivate="true">
        <filter><expression><field>name</field><operator>=</operator><value>Retail</value></expression></filter>
        <sorts><sortfield order="asc">name</sortfield></sorts>
        <fields><field>name</field></fields>
    </get_list>

`filter` holds expressions, or `logical` blocks (logical_operator and|or) nesting more of either.
Response (intacct/intacct-sdk-php test/Intacct/Xml/Response/ResultTest.php; -js and -net alike):

    <listtype start="0" end="1" total="2">class</listtype>
    <data><class><key>C1234</key><name>hello world</name>...<status>active</status></class>...</data>

with lowercase legacy field names in the order of the legacy object's element in the response DTD
(intacct/intacct_dtd v2.1/intacct_response.v2.1.dtd). The sandbox answers the flat fields of each
object below; the legacy nested blocks (contact lists, price lists, custom fields) are left out.
"""

from __future__ import annotations

from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS, TEXT
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.field_resolver import ObjectFieldResolver
from include.intacct_sandbox.query import FieldResolver, QueryError, comparison, sort_key
from include.intacct_sandbox.relations import ReadScope
from include.intacct_sandbox.targets import by_recordno
from include.intacct_sandbox.xmlout import RowTemplate, attrs, element

DEFAULT_MAX_ITEMS = 100  # the gateway's default is not documented; 100 is the readByQuery default

# legacy object -> (object, ((legacy field, field), ...)) in the response DTD's element order.
LEGACY_OBJECTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "class": ("CLASS", (("key", "CLASSID"), ("name", "NAME"), ("description", "DESCRIPTION"),
                        ("parentid", "PARENTID"), ("whenmodified", "WHENMODIFIED"), ("status", "STATUS"))),
    "customer": ("CUSTOMER", (("customerid", "CUSTOMERID"), ("name", "NAME"), ("parentid", "PARENTID"),
                              ("termname", "TERMNAME"), ("custtype", "CUSTTYPE"), ("creditlimit", "CREDITLIMIT"),
                              ("totaldue", "TOTALDUE"), ("whenmodified", "WHENMODIFIED"), ("status", "STATUS"),
                              ("currency", "CURRENCY"))),
    "vendor": ("VENDOR", (("recordno", "RECORDNO"), ("vendorid", "VENDORID"), ("name", "NAME"),
                          ("parentid", "PARENTID"), ("termname", "TERMNAME"), ("vendtype", "VENDTYPE"),
                          ("creditlimit", "CREDITLIMIT"), ("totaldue", "TOTALDUE"), ("status", "STATUS"),
                          ("currency", "CURRENCY"), ("onetime", "ONETIME"), ("whenmodified", "WHENMODIFIED"))),
    "glaccount": ("GLACCOUNT", (("glaccountno", "ACCOUNTNO"), ("title", "TITLE"),
                                ("normalbalance", "NORMALBALANCE"), ("accounttype", "ACCOUNTTYPE"),
                                ("closingtype", "CLOSINGTYPE"), ("whenmodified", "WHENMODIFIED"),
                                ("status", "STATUS"), ("requiredept", "REQUIREDEPT"), ("requireloc", "REQUIRELOC"),
                                ("requireproject", "REQUIREPROJECT"), ("requirecustomer", "REQUIRECUSTOMER"),
                                ("requirevendor", "REQUIREVENDOR"), ("requireitem", "REQUIREITEM"),
                                ("requireemployee", "REQUIREEMPLOYEE"), ("requireclass", "REQUIRECLASS"))),
    "department": ("DEPARTMENT", (("departmentid", "DEPARTMENTID"), ("title", "TITLE"), ("parentid", "PARENTID"),
                                  ("supervisorid", "SUPERVISORID"), ("whenmodified", "WHENMODIFIED"),
                                  ("status", "STATUS"))),
    "location": ("LOCATION", (("locationid", "LOCATIONID"), ("name", "NAME"), ("parentid", "PARENTID"),
                              ("whenmodified", "WHENMODIFIED"), ("status", "STATUS"))),
    "locationentity": ("LOCATIONENTITY", (("locationid", "LOCATIONID"), ("name", "NAME"),
                                          ("currency", "CURRENCY"), ("status", "STATUS"))),
    "project": ("PROJECT", (("key", "PROJECTID"), ("name", "NAME"), ("parentid", "PARENTID"),
                            ("projectcategory", "PROJECTCATEGORY"), ("projectstatus", "PROJECTSTATUS"),
                            ("customerid", "CUSTOMERID"), ("begindate", "BEGINDATE"), ("enddate", "ENDDATE"),
                            ("whenmodified", "WHENMODIFIED"), ("status", "STATUS"))),
    "task": ("TASK", (("key", "TASKID"), ("projectid", "PROJECTID"), ("name", "NAME"), ("taskno", "TASKNO"),
                      ("description", "DESCRIPTION"), ("taskstatus", "TASKSTATUS"), ("billable", "BILLABLE"),
                      ("itemid", "ITEMID"), ("classid", "CLASSID"))),
    "employee": ("EMPLOYEE", (("employeeid", "EMPLOYEEID"), ("title", "TITLE"), ("locationid", "LOCATIONID"),
                              ("departmentid", "DEPARTMENTID"), ("whenmodified", "WHENMODIFIED"),
                              ("status", "STATUS"))),
    "arterm": ("ARTERM", (("name", "NAME"), ("description", "DESCRIPTION"), ("status", "STATUS"))),
    "apterm": ("APTERM", (("name", "NAME"), ("description", "DESCRIPTION"), ("status", "STATUS"))),
    "journal": ("GLJOURNAL", (("symbol", "SYMBOL"), ("title", "TITLE"), ("status", "STATUS"))),
    "reportingperiod": ("REPORTINGPERIOD", (("name", "NAME"), ("headingtitle", "HEADER1"),
                                            ("headingtitle2", "HEADER2"), ("startdate", "START_DATE"),
                                            ("enddate", "END_DATE"), ("budgetable", "BUDGETING"),
                                            ("status", "STATUS"))),
    "contact": ("CONTACT", (("contactname", "CONTACTNAME"), ("printas", "PRINTAS"), ("taxable", "TAXABLE"),
                            ("companyname", "COMPANYNAME"), ("firstname", "FIRSTNAME"), ("lastname", "LASTNAME"),
                            ("phone1", "PHONE1"), ("email1", "EMAIL1"), ("status", "STATUS"))),
    "icitem": ("ITEM", (("itemid", "ITEMID"), ("itemname", "NAME"), ("productlineid", "PRODUCTLINEID"),
                        ("glgroupname", "GLGROUP"), ("itemtype", "ITEMTYPE"), ("whenmodified", "WHENMODIFIED"),
                        ("status", "STATUS"))),
}
_OPERATORS = {"=": "equalto", "!=": "notequalto", "<": "lessthan", "<=": "lessthanorequalto", ">": "greaterthan",
              ">=": "greaterthanorequalto", "like": "like", "not like": "notlike", "is null": "isnull"}


def _number(el, name: str, default: int) -> int:
    text = (el.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise Failure([messages.invalid_parameter("get_list", f"{name} '{text}' is not a whole number")])
    return int(text)


def _predicate(filter_el, resolver: FieldResolver):
    children = [c for c in filter_el if isinstance(c.tag, str)]
    parts = [_condition(c, resolver) for c in children]
    return lambda r: all(p(r) for p in parts)


def _condition(el, resolver: FieldResolver):
    if el.tag == "logical":
        operator = (el.get("logical_operator") or "").strip().lower()
        parts = [_condition(c, resolver) for c in el if isinstance(c.tag, str)]
        if operator not in ("and", "or") or len(parts) < 2:
            raise QueryError(messages.query_syntax("<logical> needs logical_operator and or or, and two conditions"))
        return (lambda r: all(p(r) for p in parts)) if operator == "and" else (lambda r: any(p(r) for p in parts))
    if el.tag != "expression":
        raise QueryError(messages.query_syntax(f"unknown get_list filter element <{el.tag}>"))
    operator = (el.findtext("operator") or "").strip().lower()
    if operator not in _OPERATORS:
        raise QueryError(messages.query_syntax(f"unknown get_list operator '{operator}'"))
    values = [] if operator == "is null" else [el.findtext("value") or ""]
    return comparison(resolver, el.findtext("field") or "", _OPERATORS[operator], values)


def get_list(ctx: FunctionContext, el) -> Outcome:
    legacy = (el.get("object") or "").strip().lower()
    if legacy not in LEGACY_OBJECTS:
        raise Failure([messages.invalid_parameter(
            "get_list", f"object '{legacy}' is not served by the sandbox (served: {', '.join(LEGACY_OBJECTS)})")])
    obj, mapping = LEGACY_OBJECTS[legacy]
    types = OBJECTS[obj].all_fields
    resolver = FieldResolver(legacy, {name: types.get(field, TEXT) for name, field in mapping})
    start, max_items = _number(el, "start", 0), _number(el, "maxitems", DEFAULT_MAX_ITEMS)
    wanted = [f.text.strip().lower() for f in el.findall("fields/field") if f.text and f.text.strip()]
    try:
        names = [resolver.field(name).name for name in wanted] or [name for name, _ in mapping]
        filter_el = el.find("filter")
        predicate = _predicate(filter_el, resolver) if filter_el is not None else None
        order = [(sort_key(resolver.field(s.text or ""), False), (s.get("order") or "asc").lower() == "desc")
                 for s in el.findall("sorts/sortfield")]
    except QueryError as exc:
        raise Failure([exc.error]) from None
    # The legacy fields read as the object's own (computed ones, like a customer's total due, included).
    own = ObjectFieldResolver(ReadScope(ctx), OBJECTS[obj], follow_relations=False)
    getters = [(name, own.field(field).get) for name, field in mapping]
    rows = []
    for record in sorted(ctx.records(obj), key=by_recordno):
        row: dict[str, Any] = {name: get(record) for name, get in getters}
        if predicate is None or predicate(row):
            rows.append(row)
    for key, descending in reversed(order):
        rows.sort(key=key, reverse=descending)
    page = rows[start:start + max_items]
    render = RowTemplate(names, nested=False).render
    body = "".join(f"<{legacy}>{render(r)}</{legacy}>" for r in page)
    listtype = f"<listtype{attrs(start=start, end=start + len(page) - 1, total=len(rows))}>{legacy}</listtype>"
    return Outcome(f"{listtype}<data>{body}</data>" if body else f"{listtype}{element('data', '')}", transactions=1)
