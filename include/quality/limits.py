"""What Intacct can receive: field lengths, ISO 4217 currency codes, the amount range and
the characters XML 1.0 can carry. Each number names its source; where no public source
gives one, it says so and the number is this product's own conservative choice.

Pure Python (no pandas): the validator's messages and the frame both use it, and it is
imported at DAG-parse time. The table in docs/pipeline/validation.md ("Intacct's field
limits") repeats these numbers and sources.

Sources used below:

* DTD: Intacct's official XML schema, github.com/intacct/intacct_dtd,
  ``v2.1/intacct_common_objects.v2.1.dtd``. It types each element as ``%STRING_<n>;``
  (at most n characters) or ``%NUMBER_<p>_<s>;``; an ``%ID;`` element has no length.
  The 3.0 XSD (``v3.0/api.xsd``) declares lengths for nothing but ``controlid``.
* REST entity: developer.sage.com/intacct/docs/openapi/co/company-config.entity/tag/Entities
  ("id ... Unique identifier of the entity", at most 20 characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from include.erp.parsing import XML_ILLEGAL_CHARACTERS

_DTD = "intacct/intacct_dtd v2.1/intacct_common_objects.v2.1.dtd"
_OWN = "product's own limit, no public source gives one"


@dataclass(frozen=True)
class FieldLimit:
    max_length: int
    source: str  # where the number comes from, or why it is our own


# ERP field -> the most characters Intacct takes for what we send it as. Where the DTD
# types the same business field under two element names (legacy create_* and generic
# objects), the smaller number wins: a document must fit both ways we may send it.
FIELD_LIMITS: dict[str, FieldLimit] = {
    # create_invoice <invoiceno>; updates send it as RECORDID (<!ELEMENT recordid %STRING_100;>)
    "invoice_no": FieldLimit(30, f"{_DTD}: <!ELEMENT invoiceno %STRING_30;>"),
    # sent as APBILL RECORDID; the legacy create_bill names it <billno>
    "bill_no": FieldLimit(30, f"{_DTD}: <!ELEMENT billno %STRING_30;>"),
    # sent as GLBATCH REFERENCENO
    "je_no": FieldLimit(20, f"{_DTD}: <!ELEMENT referenceno %STRING_20;>"),
    # <!ELEMENT customerid %ID;> / vendorid / departmentid / locationid: %ID has no length
    "customer_id": FieldLimit(20, f"{_OWN} (the DTD types customerid as %ID, without a length)"),
    "vendor_id": FieldLimit(20, f"{_OWN} (the DTD types vendorid as %ID, without a length)"),
    "item_id": FieldLimit(30, f"{_DTD}: <!ELEMENT itemid %STRING_30;>"),
    "account_no": FieldLimit(24, f"{_DTD}: <!ELEMENT glaccountno %STRING_24;>, <!ELEMENT accountno %STRING_24;>"),
    "department_id": FieldLimit(20, f"{_OWN} (the DTD types departmentid as %ID, without a length)"),
    "location_id": FieldLimit(20, f"{_OWN} (the DTD types locationid as %ID, without a length; "
                                  "entities are locations, and their id takes at most 20)"),
    "class_id": FieldLimit(30, f"{_DTD}: <!ELEMENT classid %STRING_30;>"),
    "project_id": FieldLimit(30, f"{_DTD}: <!ELEMENT projectid %STRING_30;>"),
    "entity_id": FieldLimit(20, "developer.sage.com/intacct/docs/openapi/co/company-config.entity/tag/Entities "
                                "(entity id: at most 20 characters)"),
    "term_name": FieldLimit(40, f"{_DTD}: <!ELEMENT termname %STRING_40;>"),
    # The DTD says <!ELEMENT journalid %STRING_4;> and <!ELEMENT symbol %STRING_4;>, but Intacct's
    # own pages use longer journal symbols, so 4 is not the limit: READJ in
    # intacct.com/ia/docs/en_ZA/help_action/General_Ledger/Setup/User-defined_books/journals-for-user-defined-books.htm,
    # <JOURNALSYMBOL>Travel</JOURNALSYMBOL> in developer.intacct.com/api/general-ledger/account-allocations/.
    "journal": FieldLimit(20, "product's own limit: the DTD's <!ELEMENT journalid %STRING_4;> is contradicted "
                              "by Intacct's own examples of longer symbols, and no public source gives the real one"),
    # The sources disagree: the legacy v2.1 DTD declares 80 for its generic <description> and
    # <entrydescription> elements, a third party (DataBlend's Sage Intacct field pages) gives 1000
    # for ARINVOICE/APBILL DESCRIPTION. The larger is kept, so a document Intacct accepts is never
    # held here; should Intacct refuse a longer one, its own message is recorded (class validation).
    "description": FieldLimit(1000, f"DataBlend's Sage Intacct field reference (ARINVOICE/APBILL DESCRIPTION, "
                                    f"1000); {_DTD} declares <!ELEMENT description %STRING_80;> for the legacy "
                                    "element: the larger is used"),
    # Line memo: AP lines send ENTRYDESCRIPTION, journal entry lines DESCRIPTION, AR invoice
    # updates ENTRYDESCRIPTION; create_invoice's <memo> takes 500. Same disagreement as above.
    "memo": FieldLimit(1000, f"as description: {_DTD} declares %STRING_80 for <entrydescription> and "
                             "%STRING_500 for create_invoice's <memo>; the larger third-party 1000 is used"),
    # sent as GLBATCH BATCH_TITLE
    "title": FieldLimit(80, f"{_DTD}: <!ELEMENT batchtitle %STRING_80;>"),
}
# A user-defined dimension's value id, sent as GLDIM<NAME>: <!ELEMENT customfieldvalue (#PCDATA)>.
DIMENSION_VALUE_LIMIT = FieldLimit(100, f"{_OWN} (the DTD gives custom field values no length)")


def max_length(field_name: str) -> int | None:
    limit = FIELD_LIMITS.get(field_name)
    return limit.max_length if limit else None


# -- amounts -----------------------------------------------------------------------------

# The DTD types transaction amounts as <!ELEMENT trx_amount %NUMBER_38_2;> (and the legacy
# <amount> as %MONEY, unsized): Intacct stores far more digits than any ledger needs. We stop
# at 13 digits before the point: 13 + 2 decimals = 15 significant digits, the most an IEEE-754
# double (JSON and PHP clients, this validator's own totals and balance check) carries exactly
# to the cent. Product's own limit.
AMOUNT_DIGITS = 13  # before the decimal point
AMOUNT_LIMIT = Decimal(10) ** AMOUNT_DIGITS
AMOUNT_LIMIT_SOURCE = (f"product's own limit: absolute value below 10^13 (13 digits before the point), "
                       f"the most a double holds exactly to the cent; the DTD types trx_amount as "
                       f"%NUMBER_38_2 ({_DTD})")


# -- currencies --------------------------------------------------------------------------

# ISO 4217 List One ("current currency & funds"), as published by its maintenance agency, SIX
# (www.six-group.com/en/products-services/financial-information/data-standards.html), in force
# in 2026: ANG replaced by XCG (2025), ZWL by ZWG (2024), SLL by SLE, HRK (2023) and BGN (2026)
# by EUR, CUC withdrawn. Includes fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW).
ISO_4217_ACTIVE_CODES: frozenset[str] = frozenset("""
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
    USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF
    XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
""".split())
# Codes on the list that are not money a document can be in.
NOT_CURRENCIES: dict[str, str] = {
    "XXX": 'ISO 4217\'s code for "no currency"',
    "XTS": "ISO 4217's code reserved for testing",
    "XAU": "gold (a precious metal, not a currency)",
    "XAG": "silver (a precious metal, not a currency)",
    "XPT": "platinum (a precious metal, not a currency)",
    "XPD": "palladium (a precious metal, not a currency)",
    "XDR": "the IMF's special drawing right (a unit of account, not a currency)",
    "XBA": "a bond market unit (not a currency)",
    "XBB": "a bond market unit (not a currency)",
    "XBC": "a bond market unit (not a currency)",
    "XBD": "a bond market unit (not a currency)",
    "XSU": "the SUCRE unit of account (not a currency)",
    "XUA": "the African Development Bank's unit of account (not a currency)",
}
CURRENCY_CODES: frozenset[str] = ISO_4217_ACTIVE_CODES - frozenset(NOT_CURRENCIES)


def is_currency_code(value: Any) -> bool:
    return isinstance(value, str) and value in CURRENCY_CODES


def currency_problem(value: str) -> str:
    """Why ``value`` is not a currency Intacct can post in (for a value ``is_currency_code`` refuses)."""
    if value in NOT_CURRENCIES:
        return f"currency {preview(value)} is {NOT_CURRENCIES[value]}; use the document's real currency code"
    hint = ""
    if value.strip().upper() in CURRENCY_CODES:
        hint = f" (did you mean {value.strip().upper()!r}? codes are exactly three upper-case letters)"
    return f"currency {preview(value)} is not an active ISO 4217 currency code{hint}"


# -- characters --------------------------------------------------------------------------

# XML 1.0 (section 2.2, Char) carries tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD and
# U+10000..U+10FFFF: everything else (other C0 controls, lone surrogates, U+FFFE, U+FFFF) can
# not be sent at all (lxml refuses to build the request: "All strings must be XML compatible").
# One rule for the whole product: the ERP reader refuses such text when it reads it (see
# include.erp.parsing); validation checks it again on what is about to be sent (e.g. a mapped term).
XML_ILLEGAL = XML_ILLEGAL_CHARACTERS


def first_xml_illegal(text: str) -> tuple[int, str] | None:
    """(position, character) of the first character XML 1.0 cannot carry, or None."""
    found = XML_ILLEGAL.search(text)
    return (found.start(), found.group()) if found else None


# -- showing values in messages ----------------------------------------------------------

PREVIEW_CHARACTERS = 40


def escaped(text: Any) -> str:
    """``text`` with control characters, lone surrogates and the like written as escapes
    (``\\x00``, ``\\uffff``), so a message never carries them itself."""
    if not isinstance(text, str):
        return str(text)
    return text if text.isprintable() else repr(text)[1:-1]


def preview(value: Any, limit: int = PREVIEW_CHARACTERS) -> str:
    """A value as messages show it: quoted and escaped like ``repr``, cut after ``limit``
    characters with the full length said: ``'AAAA…'…(100,000 characters)``."""
    if not isinstance(value, str):
        text = str(value)
        return text if len(text) <= limit else f"{text[:limit]}…({len(text):,} characters)"
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}…({len(value):,} characters)"
