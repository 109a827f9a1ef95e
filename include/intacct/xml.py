"""The one request writer and the hardened response parser.

Requests are built with lxml's element API so every value is escaped by the serializer;
responses are parsed with entity expansion, DTD loading and network access switched off.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from lxml import etree

from include.intacct.errors import ErrorDetail, ResponseFormatError, raw_snippet
from include.intacct.responses import AuthenticationResult, ControlResult, FunctionResult, Response


class FunctionElement(Protocol):
    """What a request needs of a function (include.intacct.functions.Function): its controlid, and
    writing its own element's content."""

    controlid: str

    def write(self, function_element: etree._Element) -> None: ...


DTD_VERSION = "3.0"


def new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


# --------------------------------------------------------------------------- values


def format_value(value: Any, *, where: str) -> str:
    """Text for a scalar field value. Dates are MM/DD/YYYY (generic functions' format)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a number Intacct accepts")
        return format(Decimal(repr(value)), "f")  # plain digits, never "1e-05"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    raise TypeError(f"{where}: unsupported value type {type(value).__name__}")


def _check_tag(tag: Any, where: str) -> str:
    if not isinstance(tag, str) or not tag:
        raise TypeError(f"{where}: element name must be a non-empty string, got {tag!r}")
    try:
        etree.QName(tag)
    except ValueError:
        raise ValueError(f"{where}: {tag!r} is not a valid XML element name") from None
    return tag


def append_value(parent: etree._Element, tag: str, value: Any, *, where: str, legacy_dates: bool = False) -> None:
    """Append ``value`` under ``parent`` as ``<tag>``: dict -> children in insertion order,
    list -> repeated ``<tag>``, None -> omitted, date -> MM/DD/YYYY or, for legacy
    functions, ``<year><month><day>``."""
    if value is None:
        return
    _check_tag(tag, where)
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            append_value(parent, tag, item, where=f"{where}[{index}]", legacy_dates=legacy_dates)
        return
    element = etree.SubElement(parent, tag)
    if isinstance(value, Mapping):
        append_mapping(element, value, where=where, legacy_dates=legacy_dates)
    elif legacy_dates and isinstance(value, date) and not isinstance(value, datetime):
        etree.SubElement(element, "year").text = f"{value.year:04d}"
        etree.SubElement(element, "month").text = f"{value.month:02d}"
        etree.SubElement(element, "day").text = f"{value.day:02d}"
    else:
        element.text = format_value(value, where=where or tag)


def append_mapping(parent: etree._Element, values: Mapping[str, Any], *, where: str, legacy_dates: bool = False):
    for key, value in values.items():
        append_value(parent, key, value, where=f"{where}.{key}" if where else str(key), legacy_dates=legacy_dates)


# --------------------------------------------------------------------------- requests


def build_request(
    *,
    sender_id: str,
    sender_password: str,
    request_controlid: str,
    functions: Iterable[FunctionElement],
    session_id: str | None = None,
    login: Mapping[str, str | None] | None = None,
    transaction: bool = False,
    unique_id: bool = False,
) -> bytes:
    """Serialize one request: ``<control>``, one ``<operation>`` with session or login
    authentication and one ``<function>`` per function object."""
    if (session_id is None) == (login is None):
        raise ValueError("build_request needs exactly one of session_id or login")
    request = etree.Element("request")
    control = etree.SubElement(request, "control")
    etree.SubElement(control, "senderid").text = sender_id
    etree.SubElement(control, "password").text = sender_password
    etree.SubElement(control, "controlid").text = request_controlid
    etree.SubElement(control, "uniqueid").text = "true" if unique_id else "false"
    etree.SubElement(control, "dtdversion").text = DTD_VERSION
    etree.SubElement(control, "includewhitespace").text = "false"
    operation = etree.SubElement(request, "operation")
    if transaction:
        operation.set("transaction", "true")
    authentication = etree.SubElement(operation, "authentication")
    if session_id is not None:
        etree.SubElement(authentication, "sessionid").text = session_id
    else:
        login_element = etree.SubElement(authentication, "login")
        for name in ("userid", "companyid", "password", "locationid"):
            value = login.get(name)
            if value:
                etree.SubElement(login_element, name).text = value
    content = etree.SubElement(operation, "content")
    for function in functions:
        element = etree.SubElement(content, "function", controlid=function.controlid)
        function.write(element)
    return etree.tostring(request, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------- responses


def element_to_value(element: etree._Element) -> Any:
    """Element -> text ('' when empty) for leaves, dict for parents. Repeated children
    become lists; attributes become '@name' keys."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children and not element.attrib:
        return element.text or ""
    result: dict[str, Any] = {f"@{k}": v for k, v in element.attrib.items()}
    if not children:
        if element.text and element.text.strip():
            result["#text"] = element.text
        return result
    grouped: dict[str, list[Any]] = {}
    for child in children:
        grouped.setdefault(child.tag, []).append(element_to_value(child))
    for tag, values in grouped.items():
        result[tag] = values[0] if len(values) == 1 else values
    return result


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _errors(errormessage: etree._Element | None) -> list[ErrorDetail]:
    if errormessage is None:
        return []
    return [
        ErrorDetail.from_texts(
            _text(error, "errorno"), _text(error, "description"), _text(error, "description2"), _text(error, "correction")
        )
        for error in errormessage.findall("error")
    ]


def _timestamp(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_function_result(element: etree._Element) -> FunctionResult:
    status = _text(element, "status")
    function = _text(element, "function")
    controlid = _text(element, "controlid")
    if not status or not controlid:
        raise ResponseFormatError("Intacct response <result> is missing its status or controlid block")
    records: list[dict[str, Any]] = []
    tags: list[str] = []
    attributes: dict[str, str] = {}
    data = element.find("data")
    if data is not None:
        attributes = dict(data.attrib)
        for child in data:
            if isinstance(child.tag, str):
                value = element_to_value(child)
                records.append(value if isinstance(value, dict) else {"#text": value})
                tags.append(child.tag)
    key_element = element.find("key")
    key = (key_element.text or "").strip() if key_element is not None else None
    extra = {}
    listtype = element.find("listtype")
    if listtype is not None:
        extra["listtype"] = dict(listtype.attrib, name=(listtype.text or ""))
    return FunctionResult(
        status=status,
        function=function,
        controlid=controlid,
        records=records,
        record_tags=tags,
        data_attributes=attributes,
        key=key,
        errors=_errors(element.find("errormessage")),
        extra=extra,
    )


def parse_response(body: bytes, *, http_status: int | None = None) -> Response:
    """Parse a gateway response body. Raises ResponseFormatError, with the start of the body, when it
    is not one."""
    try:
        return _parse_response(body, http_status)
    except ResponseFormatError as exc:
        exc.snippet = exc.snippet or raw_snippet(body)
        exc.http_status = http_status
        raise


def _parse_response(body: bytes, http_status: int | None) -> Response:
    try:
        root = etree.fromstring(body, parser=new_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ResponseFormatError(f"Intacct response is not well-formed XML: {exc}") from None
    if root.tag != "response":
        raise ResponseFormatError(f"Intacct response root is <{root.tag}>, expected <response>")
    if root.getroottree().docinfo.doctype:
        # Intacct never sends a DTD; entities declared in one are never expanded here, and an answer
        # that relies on them (e.g. an XXE payload) must not silently read as empty values.
        raise ResponseFormatError("Intacct response declares a DTD (<!DOCTYPE ...>): refused")
    control_element = root.find("control")
    if control_element is None:
        raise ResponseFormatError("Intacct response has no <control> block")
    control = ControlResult(
        status=_text(control_element, "status"),
        senderid=_text(control_element, "senderid"),
        controlid=_text(control_element, "controlid"),
        uniqueid=_text(control_element, "uniqueid"),
        dtdversion=_text(control_element, "dtdversion"),
    )
    control_errors = _errors(root.find("errormessage"))
    operation = root.find("operation")
    authentication = None
    authentication_errors: list[ErrorDetail] = []
    results: list[FunctionResult] = []
    if operation is not None:
        auth_element = operation.find("authentication")
        if auth_element is not None:
            authentication = AuthenticationResult(
                status=_text(auth_element, "status"),
                userid=_text(auth_element, "userid"),
                companyid=_text(auth_element, "companyid"),
                locationid=_text(auth_element, "locationid"),
                session_timeout=_timestamp(_text(auth_element, "sessiontimeout")),
            )
        authentication_errors = _errors(operation.find("errormessage"))
        results = [parse_function_result(r) for r in operation.findall("result")]
    return Response(
        control=control,
        control_errors=control_errors,
        authentication=authentication,
        authentication_errors=authentication_errors,
        results=results,
        http_status=http_status,
    )
