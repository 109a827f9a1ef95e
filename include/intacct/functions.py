"""One small class per API function; each writes its own XML under ``<function>``.

Requests are data: a client sends a list of these objects. Write functions require a
caller-supplied, deterministic ``controlid`` (e.g. document type + key + version) so that
they are safe to resend under ``uniqueid=true``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from lxml import etree

from include.intacct.query_filter import Filter
from include.intacct.responses import FunctionResult
from include.intacct.xml import append_mapping, append_value

MAX_CONTROLID_LENGTH = 256
MAX_READ_BY_QUERY_PAGE_SIZE = 1000
MAX_QUERY_PAGE_SIZE = 2000
MAX_READ_KEYS = 100


def check_object_name(object_name: Any, function: str) -> str:
    if not isinstance(object_name, str):
        raise TypeError(f"{function}: object name must be a string, got {type(object_name).__name__} {object_name!r}")
    if not object_name.strip():
        raise ValueError(f"{function}: object name must not be empty")
    return object_name


def check_controlid(controlid: Any, function: str) -> str:
    if not isinstance(controlid, str) or not controlid:
        raise ValueError(f"{function}: controlid must be a non-empty string, got {controlid!r}")
    if len(controlid) > MAX_CONTROLID_LENGTH:
        raise ValueError(
            f"{function}: controlid {controlid[:40]!r}... is {len(controlid)} characters; "
            f"Intacct allows at most {MAX_CONTROLID_LENGTH}"
        )
    return controlid


def check_page_size(page_size: Any, limit: int, function: str) -> int:
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= limit:
        raise ValueError(f"{function}: page size must be an integer from 1 to {limit}, got {page_size!r}")
    return page_size


def _fields_text(fields: str | Sequence[str], function: str) -> str:
    if isinstance(fields, str):
        return fields or "*"
    names = list(fields)
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"{function}: field names must be non-empty strings, got {name!r}")
    return ",".join(names) or "*"


def _keys(keys: Iterable[Any], function: str, limit: int | None) -> list[str]:
    if isinstance(keys, str | int):
        keys = [keys]
    texts = [str(k) for k in keys]
    if not texts:
        raise ValueError(f"{function}: at least one key is required")
    if limit is not None and len(texts) > limit:
        raise ValueError(f"{function}: {len(texts)} keys in one call; Intacct allows at most {limit}")
    return texts


class Function:
    """Base class. ``name`` is the API element; ``is_write`` selects uniqueid/resend rules."""

    name: ClassVar[str] = ""
    is_write: ClassVar[bool] = False

    def __init__(self, controlid: str | None = None):
        if controlid is None:
            if self.is_write:
                raise ValueError(f"{self.name}: write functions need a caller-supplied deterministic controlid")
            controlid = f"{self.name}-{uuid.uuid4().hex}"
        self.controlid = check_controlid(controlid, self.name)

    def write(self, function_element: etree._Element) -> None:
        raise NotImplementedError

    def transaction_cost(self, result: FunctionResult) -> int:
        """API transactions this call counts against the tenant's quota when it succeeds:
        one per read or metadata call; writes count their documents."""
        return 1

    def __repr__(self) -> str:
        return f"{type(self).__name__}(controlid={self.controlid!r})"


# --------------------------------------------------------------------------- session and metadata


class GetAPISession(Function):
    name = "getAPISession"

    def __init__(self, location_id: str | None = None, controlid: str | None = None):
        super().__init__(controlid)
        self.location_id = location_id

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        if self.location_id:
            etree.SubElement(element, "locationid").text = self.location_id

    def transaction_cost(self, result):
        return 0


class _ObjectOnly(Function):
    def __init__(self, object_name: str, controlid: str | None = None):
        super().__init__(controlid)
        self.object_name = check_object_name(object_name, self.name)

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        etree.SubElement(element, "object").text = self.object_name


class Lookup(_ObjectOnly):
    name = "lookup"


class Inspect(_ObjectOnly):
    name = "inspect"

    def __init__(self, object_name: str, detail: bool = False, controlid: str | None = None):
        super().__init__(object_name, controlid)
        self.detail = detail

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        if self.detail:
            element.set("detail", "1")
        etree.SubElement(element, "object").text = self.object_name


class _Empty(Function):
    def write(self, function_element):
        etree.SubElement(function_element, self.name)


class GetDimensions(_Empty):
    name = "getDimensions"


class GetFinancialSetup(_Empty):
    name = "getFinancialSetup"


class GetClosedBooksDate(_Empty):
    name = "get_closedbooksdate"


# --------------------------------------------------------------------------- reads


class ReadByQuery(Function):
    name = "readByQuery"

    def __init__(
        self,
        object_name: str,
        query: str = "",
        fields: str | Sequence[str] = "*",
        page_size: int = MAX_READ_BY_QUERY_PAGE_SIZE,
        controlid: str | None = None,
    ):
        super().__init__(controlid)
        self.object_name = check_object_name(object_name, self.name)
        if not isinstance(query, str):
            raise TypeError(f"readByQuery on {object_name}: query must be a string, got {type(query).__name__}")
        self.query = query
        self.fields = _fields_text(fields, self.name)
        self.page_size = check_page_size(page_size, MAX_READ_BY_QUERY_PAGE_SIZE, f"readByQuery on {object_name}")

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        etree.SubElement(element, "object").text = self.object_name
        etree.SubElement(element, "query").text = self.query
        etree.SubElement(element, "fields").text = self.fields
        etree.SubElement(element, "pagesize").text = str(self.page_size)
        etree.SubElement(element, "returnFormat").text = "xml"


class ReadMore(Function):
    name = "readMore"

    def __init__(self, result_id: str, controlid: str | None = None):
        super().__init__(controlid)
        if not isinstance(result_id, str) or not result_id:
            raise ValueError(f"readMore: result id must be a non-empty string, got {result_id!r}")
        self.result_id = result_id

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        etree.SubElement(element, "resultId").text = self.result_id


def _order(order_by: Any, function: str) -> list[tuple[str, str]]:
    """Accepts "FIELD", "-FIELD" (descending) or (FIELD, "asc"|"desc") items."""
    if order_by is None:
        return []
    if isinstance(order_by, str | tuple):
        order_by = [order_by]
    orders = []
    for item in order_by:
        if isinstance(item, tuple):
            field, direction = item
            direction = {"asc": "ascending", "desc": "descending"}.get(direction, direction)
        elif isinstance(item, str) and item.startswith("-"):
            field, direction = item[1:], "descending"
        else:
            field, direction = item, "ascending"
        if not isinstance(field, str) or not field or direction not in ("ascending", "descending"):
            raise ValueError(f"{function}: invalid order_by item {item!r}")
        orders.append((field, direction))
    return orders


class Query(Function):
    name = "query"

    def __init__(
        self,
        object_name: str,
        select: Sequence[str],
        filter: Filter | None = None,
        order_by: Any = None,
        page_size: int = MAX_QUERY_PAGE_SIZE,
        offset: int = 0,
        case_insensitive: bool = False,
        show_private: bool = False,
        controlid: str | None = None,
    ):
        super().__init__(controlid)
        self.object_name = check_object_name(object_name, self.name)
        where = f"query on {object_name}"
        if isinstance(select, str):
            select = [s.strip() for s in select.split(",")]
        self.select = list(select)
        if not self.select or not all(isinstance(s, str) and s and s != "*" for s in self.select):
            raise ValueError(f"{where}: select must list field names (Intacct does not support '*'), got {select!r}")
        if filter is not None and not isinstance(filter, Filter):
            raise TypeError(f"{where}: filter must be a Filter, got {type(filter).__name__}")
        self.filter = filter
        self.order_by = _order(order_by, where)
        self.page_size = check_page_size(page_size, MAX_QUERY_PAGE_SIZE, where)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(f"{where}: offset must be a non-negative integer, got {offset!r}")
        self.offset = offset
        self.case_insensitive = case_insensitive
        self.show_private = show_private

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        etree.SubElement(element, "object").text = self.object_name
        select = etree.SubElement(element, "select")
        for field in self.select:
            etree.SubElement(select, "field").text = field
        if self.filter is not None:
            self.filter.write(etree.SubElement(element, "filter"))
        if self.order_by:
            orderby = etree.SubElement(element, "orderby")
            for field, direction in self.order_by:
                order = etree.SubElement(orderby, "order")
                etree.SubElement(order, "field").text = field
                etree.SubElement(order, direction)
        if self.case_insensitive or self.show_private:
            options = etree.SubElement(element, "options")
            if self.case_insensitive:
                etree.SubElement(options, "caseinsensitive").text = "true"
            if self.show_private:
                etree.SubElement(options, "showprivate").text = "true"
        etree.SubElement(element, "pagesize").text = str(self.page_size)
        etree.SubElement(element, "offset").text = str(self.offset)


class Read(Function):
    name = "read"

    def __init__(
        self, object_name: str, keys: Iterable[Any], fields: str | Sequence[str] = "*", controlid: str | None = None
    ):
        super().__init__(controlid)
        self.object_name = check_object_name(object_name, self.name)
        self.keys = _keys(keys, f"{self.name} on {object_name}", MAX_READ_KEYS)
        self.fields = _fields_text(fields, self.name)

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        etree.SubElement(element, "object").text = self.object_name
        etree.SubElement(element, "keys").text = ",".join(self.keys)
        etree.SubElement(element, "fields").text = self.fields


class ReadByName(Read):
    name = "readByName"


# --------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class DocumentLookup:
    """How to find a written document by its business number, to fetch its RECORDNO when a
    resend answers "already recorded": ``query object_name where field = value``."""

    object_name: str
    field: str
    value: str


class WriteFunction(Function):
    is_write = True

    def __init__(self, controlid: str, lookup: DocumentLookup | None = None):
        super().__init__(controlid)
        if lookup is not None and not isinstance(lookup, DocumentLookup):
            raise TypeError(f"{self.name} {controlid}: lookup must be a DocumentLookup")
        self.lookup = lookup

    @property
    def record_no(self) -> str | None:
        """The RECORDNO this write names itself (an update of one record), else None."""
        return None


def _records(records: Any, function: str, controlid: str) -> dict[str, Any]:
    where = f"{function} {controlid}"
    if not isinstance(records, Mapping) or not records:
        raise TypeError(f"{where}: records must be a non-empty dict like {{'APBILL': {{...}}}}, got {records!r}")
    for object_name, body in records.items():
        check_object_name(object_name, where)
        items = body if isinstance(body, list | tuple) else [body]
        for item in items:
            if not isinstance(item, Mapping):
                raise TypeError(f"{where}: {object_name} must be a dict of fields, got {type(item).__name__}")
    return dict(records)


class _GenericWrite(WriteFunction):
    def __init__(self, records: Mapping[str, Any], controlid: str, lookup: DocumentLookup | None = None):
        super().__init__(controlid, lookup)
        self.records = _records(records, self.name, self.controlid)

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        append_mapping(element, self.records, where=f"{self.name} {self.controlid}")

    def transaction_cost(self, result):
        return sum(len(body) if isinstance(body, list | tuple) else 1 for body in self.records.values())


class Create(_GenericWrite):
    name = "create"


class Update(_GenericWrite):
    name = "update"

    @property
    def record_no(self) -> str | None:
        bodies = list(self.records.values())
        if len(bodies) == 1 and isinstance(bodies[0], Mapping):
            value = bodies[0].get("RECORDNO")
            return str(value).strip() or None if value not in (None, "") else None
        return None


class Delete(WriteFunction):
    name = "delete"

    def __init__(self, object_name: str, keys: Iterable[Any], controlid: str):
        super().__init__(controlid)
        self.object_name = check_object_name(object_name, self.name)
        self.keys = _keys(keys, f"delete {controlid}", None)

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        etree.SubElement(element, "object").text = self.object_name
        etree.SubElement(element, "keys").text = ",".join(self.keys)

    def transaction_cost(self, result):
        return len(self.keys)


class _LegacyCreate(WriteFunction):
    """Legacy object-specific create: lowercase fields written in the XSD's order (which
    Intacct enforces), dates as ``<year><month><day>`` blocks."""

    ORDER: ClassVar[tuple[str, ...]] = ()
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    def __init__(self, fields: Mapping[str, Any], controlid: str, lookup: DocumentLookup | None = None):
        super().__init__(controlid, lookup)
        where = f"{self.name} {controlid}"
        if not isinstance(fields, Mapping):
            raise TypeError(f"{where}: fields must be a dict, got {type(fields).__name__}")
        unknown = [k for k in fields if k not in self.ORDER]
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}; allowed: {', '.join(self.ORDER)}")
        missing = [k for k in self.REQUIRED if fields.get(k) in (None, "", [], {})]
        if missing:
            raise ValueError(f"{where}: missing required field(s) {', '.join(missing)}")
        self.fields = {k: fields[k] for k in self.ORDER if k in fields}

    def write(self, function_element):
        element = etree.SubElement(function_element, self.name)
        for key, value in self.fields.items():
            append_value(element, key, value, where=f"{self.name} {self.controlid}.{key}", legacy_dates=True)

    def transaction_cost(self, result):
        return 1


class CreateInvoice(_LegacyCreate):
    name = "create_invoice"
    ORDER = (
        "customerid", "datecreated", "dateposted", "datedue", "termname", "batchkey", "action", "invoiceno",
        "ponumber", "description", "externalid", "billto", "shipto", "basecurr", "currency", "exchratedate",
        "exchratetype", "exchrate", "nogl", "supdocid", "customfields", "taxsolutionid", "invoiceitems",
    )  # fmt: skip
    REQUIRED = ("customerid", "datecreated", "invoiceitems")

    def __init__(self, fields, controlid, lookup=None):
        super().__init__(fields, controlid, lookup)
        if not self.fields.get("termname") and not self.fields.get("datedue"):
            raise ValueError(f"create_invoice {controlid}: termname or datedue is required")


class CreateBill(_LegacyCreate):
    name = "create_bill"
    ORDER = (
        "vendorid", "datecreated", "dateposted", "datedue", "termname", "action", "batchkey", "billno",
        "ponumber", "onhold", "description", "externalid", "payto", "returnto", "basecurr", "currency",
        "exchratedate", "exchratetype", "exchrate", "nogl", "supdocid", "customfields", "inclusivetax",
        "taxsolutionid", "billitems",
    )  # fmt: skip
    REQUIRED = ("vendorid", "datecreated", "billitems")

    def __init__(self, fields, controlid, lookup=None):
        super().__init__(fields, controlid, lookup)
        if not self.fields.get("termname") and not self.fields.get("datedue"):
            raise ValueError(f"create_bill {controlid}: termname or datedue is required")


class CreateArTerm(_LegacyCreate):
    """Legacy ``create_arterm``: ``{"name": "Net 17", "due": {"dueday": 17, "duefrom": "from invoice date"}}``."""

    name = "create_arterm"
    ORDER = ("name", "description", "status", "due", "discount", "penalty")
    REQUIRED = ("name",)


class CreateApTerm(CreateArTerm):
    """Legacy ``create_apterm``, shaped like ``create_arterm``."""

    name = "create_apterm"
