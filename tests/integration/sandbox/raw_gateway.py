"""Raw XML over HTTP for the sandbox's protocol tests: requests are written by hand the
way the reference shows them, responses are parsed with lxml and inspected element by element."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from lxml import etree

from include import demo_company as demo

TODAY = datetime.now(UTC).date()
OPEN_DATE = TODAY.strftime("%m/%d/%Y")  # always after the seeded closed-books date
CLOSED_THROUGH = demo.default_closed_books_date(TODAY)
CLOSED_DATE = CLOSED_THROUGH.strftime("%m/%d/%Y")


@dataclass
class Reply:
    status_code: int
    headers: dict
    text: str
    root: etree._Element | None

    def results(self) -> list[etree._Element]:
        return self.root.findall("operation/result")

    def result(self, index: int = 0) -> etree._Element:
        return self.results()[index]

    def errors(self, index: int = 0) -> list[tuple[str, str]]:
        return [(e.findtext("errorno"), e.findtext("description2")) for e in
                self.result(index).findall("errormessage/error")]


def children(element) -> list[str]:
    return [c.tag for c in element]


def login_xml(company: str = demo.COMPANY_ID, password: str | None = None, user: str = demo.SANDBOX_USER_ID,
              entity: str | None = None, user_password: str = "sandbox-user-pw") -> str:
    location = f"<locationid>{entity}</locationid>" if entity is not None else ""
    return (f"<login><userid>{user}</userid><companyid>{company}</companyid>"
            f"<password>{password or user_password}</password>{location}</login>")


def envelope(functions: str, auth: str | None = None, sender: str = demo.SANDBOX_SENDER_ID,
             sender_password: str = "sandbox-sender-pw", uniqueid: str | None = "false",
             transaction: bool = False, controlid: str = "request-1") -> str:
    unique = f"<uniqueid>{uniqueid}</uniqueid>" if uniqueid is not None else ""
    operation = ' transaction="true"' if transaction else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><request><control><senderid>{sender}</senderid>'
            f"<password>{sender_password}</password><controlid>{controlid}</controlid>{unique}"
            f"<dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>"
            f"<operation{operation}><authentication>{auth or login_xml()}</authentication>"
            f"<content>{functions}</content></operation></request>")


def fn(body: str, controlid: str = "f1") -> str:
    return f'<function controlid="{controlid}">{body}</function>'


def post(url: str, xml: str | bytes, timeout: float = 30.0) -> Reply:
    data = xml.encode() if isinstance(xml, str) else xml
    response = requests.post(url, data=data, headers={"Content-Type": "application/xml"}, timeout=timeout)
    root = None
    if response.headers.get("content-type", "").startswith("text/xml"):
        root = etree.fromstring(response.content)
    return Reply(response.status_code, dict(response.headers), response.text, root)


def call(sandbox, functions: str, **kwargs) -> Reply:
    return post(sandbox.url, envelope(functions, **kwargs))


def session(sandbox, company: str = demo.COMPANY_ID, entity: str | None = None) -> tuple[str, str]:
    """(session id, session endpoint) from getAPISession."""
    reply = post(sandbox.url, envelope(fn("<getAPISession/>"), auth=login_xml(company, entity=entity)))
    api = reply.result().find("data/api")
    return api.findtext("sessionid"), api.findtext("endpoint")


def bill(number: str = "B-100", vendor: str = "V-2001", when: str = OPEN_DATE, term: str = "N30",
         lines: str | None = None, extra: str = "") -> str:
    lines = lines or "<APBILLITEM><ACCOUNTNO>6220</ACCOUNTNO><TRX_AMOUNT>100.00</TRX_AMOUNT></APBILLITEM>"
    term_xml = f"<TERMNAME>{term}</TERMNAME>" if term else ""
    return (f"<create><APBILL><WHENCREATED>{when}</WHENCREATED><VENDORID>{vendor}</VENDORID>"
            f"<RECORDID>{number}</RECORDID>{term_xml}{extra}<APBILLITEMS>{lines}</APBILLITEMS></APBILL></create>")


def journal(lines: str, when: str = OPEN_DATE, journal_symbol: str = "GJ") -> str:
    return (f"<create><GLBATCH><JOURNAL>{journal_symbol}</JOURNAL><BATCH_DATE>{when}</BATCH_DATE>"
            f"<BATCH_TITLE>Accrual</BATCH_TITLE><ENTRIES>{lines}</ENTRIES></GLBATCH></create>")


def entry(account: str, tr_type: int, amount: str, extra: str = "") -> str:
    return (f"<GLENTRY><ACCOUNTNO>{account}</ACCOUNTNO><TR_TYPE>{tr_type}</TR_TYPE><AMOUNT>{amount}</AMOUNT>"
            f"{extra}</GLENTRY>")
