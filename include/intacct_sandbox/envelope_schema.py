"""Parse and schema errors worded as the gateway words them.

Intacct answers a request that is not well formed, or does not follow its schema, with a control
failure before anything runs (https://developer.intacct.com/web-services/error-handling/):

    <errorno>XL03000003</errorno>
    <description2>XML Parse schema error: Fatal Error 76: Opening and ending tag mismatch: delete line
    16 and function. Line: 19, column: 18. [Support ID: ...]</description2>

That is libxml2's report (level, error code, message, line, column), which lxml gives too, so the
sandbox words its own parse errors exactly so. For the schema, it validates the request's envelope
against the structure of the official api.xsd (intacct/intacct_dtd v3.0, Apache License 2.0):
control, operation, authentication, login, content and function, where a function holds exactly
one of the schema's API calls (api_functions.txt) and needs a controlid. The calls' own contents
are not validated here: each read and write checks its parameters and answers per function.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

_FUNCTIONS_FILE = Path(__file__).with_name("api_functions.txt")
API_FUNCTIONS: tuple[str, ...] = tuple(
    line.strip() for line in _FUNCTIONS_FILE.read_text().splitlines() if line.strip() and not line.startswith("#"))

_LEVELS = {1: "Warning", 2: "Error", 3: "Fatal Error"}


def _simple(name: str) -> str:
    return f'<xs:element name="{name}"><xs:complexType mixed="true"/></xs:element>'


def _call(name: str) -> str:
    # An API call: any content, any attributes; its own function checks them.
    return (f'<xs:element name="{name}"><xs:complexType mixed="true"><xs:sequence>'
            '<xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>'
            '<xs:anyAttribute processContents="skip"/></xs:complexType></xs:element>')


def _schema_text() -> str:
    simple = ("appid", "senderid", "password", "controlid", "uniqueid", "dtdversion", "policyid", "debug",
              "userid", "companyid", "clientid", "locationid", "sessionid", "oauth")
    calls = "".join(f'<xs:element ref="{name}"/>' for name in API_FUNCTIONS)
    return f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="request"><xs:complexType><xs:sequence>
    <xs:element ref="control"/><xs:element ref="operation" maxOccurs="unbounded"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="control"><xs:complexType><xs:sequence>
    <xs:element ref="appid" minOccurs="0"/><xs:element ref="senderid"/><xs:element ref="password" minOccurs="0"/>
    <xs:element ref="controlid"/><xs:element ref="uniqueid" minOccurs="0"/>
    <xs:element ref="dtdversion" minOccurs="0"/><xs:element ref="policyid" minOccurs="0"/>
    <xs:element ref="debug" minOccurs="0"/>
    <xs:element name="includewhitespace" minOccurs="0" type="xs:boolean"/>
    <xs:element name="showadditionalerrorinfo" minOccurs="0" type="xs:boolean"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="operation"><xs:complexType><xs:sequence>
    <xs:element ref="authentication"/>
    <xs:element name="preferences" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
    </xs:element>
    <xs:element ref="content" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
  <xs:attribute name="transaction" use="optional" default="false"><xs:simpleType>
    <xs:restriction base="xs:string"><xs:enumeration value="true"/><xs:enumeration value="false"/>
    </xs:restriction></xs:simpleType></xs:attribute>
  </xs:complexType></xs:element>
  <xs:element name="authentication"><xs:complexType><xs:choice>
    <xs:element ref="login"/><xs:element ref="sessionid"/><xs:element ref="oauth"/>
  </xs:choice></xs:complexType></xs:element>
  <xs:element name="login"><xs:complexType><xs:sequence>
    <xs:element ref="userid"/><xs:element ref="companyid"/><xs:element ref="password"/>
    <xs:element ref="clientid" minOccurs="0"/><xs:element ref="locationid" minOccurs="0"/>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="content"><xs:complexType><xs:sequence maxOccurs="unbounded">
    <xs:element ref="function"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="function"><xs:complexType><xs:choice>{calls}</xs:choice>
    <xs:attribute name="controlid" use="required"><xs:simpleType><xs:restriction base="xs:string">
      <xs:minLength value="0"/><xs:maxLength value="256"/></xs:restriction></xs:simpleType></xs:attribute>
  </xs:complexType></xs:element>
  {"".join(_simple(n) for n in simple)}
  {"".join(_call(n) for n in API_FUNCTIONS)}
</xs:schema>"""


_SCHEMA = etree.XMLSchema(etree.fromstring(_schema_text().encode()))


def describe(entry) -> str:
    """One libxml2 error as Intacct's description2 shows it, after "XML Parse schema error: "."""
    message = (entry.message or "").strip()
    separator = " " if message.endswith(".") else ". "
    return (f"{_LEVELS.get(entry.level, 'Error')} {entry.type}: {message}{separator}"
            f"Line: {entry.line}, column: {entry.column}.")


def parse_error_text(exc: etree.XMLSyntaxError) -> str:
    """The first error libxml2 logged for this parse (it may go on and log errors that follow from it).
    parse() clears the thread's error log first, so no earlier request's errors are in it."""
    entries = list(exc.error_log)
    if entries:
        return describe(entries[0])
    line, column = exc.position if exc.position else (1, 0)
    message = (exc.msg or "").split(f", line {line}")[0]
    return f"Fatal Error {exc.code}: {message}. Line: {line}, column: {column}."


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def parse(body: bytes):
    """The request's tree, parsed safely for untrusted input (no entities resolved, no network, no huge
    trees); XMLSyntaxError as libxml2 reports it. lxml keeps a per-thread log of libxml2's errors that
    outlives a parse, so it is cleared first: the errors reported are this request's only."""
    etree.clear_error_log()
    return etree.fromstring(body, _PARSER)


def control_echo(body: bytes) -> dict[str, str]:
    """What a request that failed to parse still says in its control block, read leniently, so the
    failure echoes senderid and controlid as Intacct's does (its example above echoes both)."""
    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                                                      huge_tree=False))
    except (etree.XMLSyntaxError, ValueError):
        return {}
    if root is None or root.find("control") is None:
        return {}
    return {name: (root.findtext(f"control/{name}") or "").strip()
            for name in ("senderid", "controlid", "uniqueid", "dtdversion")}


def schema_error_text(root) -> str | None:
    """The first schema violation of the request's envelope, or None when it follows the schema."""
    if _SCHEMA.validate(root):
        return None
    return describe(_SCHEMA.error_log[0])
