"""What Intacct can receive: every text field within Intacct's length, only characters XML 1.0
can carry, an ISO 4217 currency, amounts below 10^13. Anything else is a data_quality failure
of that document alone, named by field, with the value shown truncated and escaped. Documents
of one type are validated together in one chunk, as the pipeline does."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from include.erp.documents import DOCUMENT_SPECS, SourceDocument
from include.error_classes import ErrorClass
from include.quality.limits import (
    CURRENCY_CODES,
    DIMENSION_VALUE_LIMIT,
    FIELD_LIMITS,
    ISO_4217_ACTIVE_CODES,
    NOT_CURRENCIES,
)
from tests.unit.quality.builders import BUILDERS, ap_bill, ar_invoice, journal_entry, with_line

DQ = ErrorClass.DATA_QUALITY
DOCS = Path(__file__).resolve().parents[3] / "docs" / "pipeline" / "validation.md"

# (document type, header or line, field, the most characters Intacct takes)
LENGTH_LIMITS = [
    ("ar_invoice", "header", "invoice_no", 30),
    ("ar_invoice", "header", "customer_id", 20),
    ("ar_invoice", "header", "term_name", 40),
    ("ar_invoice", "header", "description", 1000),
    ("ar_invoice", "header", "entity_id", 20),
    ("ar_invoice", "line", "account_no", 24),
    ("ar_invoice", "line", "memo", 1000),
    ("ar_invoice", "line", "item_id", 30),
    ("ar_invoice", "line", "department_id", 20),
    ("ar_invoice", "line", "location_id", 20),
    ("ar_invoice", "line", "class_id", 30),
    ("ar_invoice", "line", "project_id", 30),
    ("ap_bill", "header", "bill_no", 30),
    ("ap_bill", "header", "vendor_id", 20),
    ("ap_bill", "header", "description", 1000),
    ("ap_bill", "line", "memo", 1000),
    ("journal_entry", "header", "je_no", 20),
    ("journal_entry", "header", "journal", 20),
    ("journal_entry", "header", "title", 80),
    ("journal_entry", "line", "memo", 1000),
    ("journal_entry", "line", "account_no", 24),
]


def _key(doc_type: str, field: str, length: int) -> str:
    if field == DOCUMENT_SPECS[doc_type].key_column:
        return {"ar_invoice": "I", "ap_bill": "B", "journal_entry": "J"}[doc_type] * length  # the number itself
    return f"{doc_type[:2].upper()}-{field}-{length}"


def _with_value(doc_type: str, key: str, scope: str, field: str, value: object) -> SourceDocument:
    build = BUILDERS[doc_type]
    if field == DOCUMENT_SPECS[doc_type].key_column:
        return build(str(value))
    if scope == "header":
        return build(key, **{field: value})
    return with_line(build(key), 0, **{field: value})


def _length_cases(doc_type: str) -> list[SourceDocument]:
    cases = []
    for case_type, scope, field, limit in LENGTH_LIMITS:
        if case_type != doc_type:
            continue
        for length in (limit, limit + 1):
            key = _key(doc_type, field, length)
            value = key if field == DOCUMENT_SPECS[doc_type].key_column else "Z" * length
            cases.append(_with_value(doc_type, key, scope, field, value))
    return cases


BAD_CURRENCIES = [
    ("XXX", 'currency \'XXX\' is ISO 4217\'s code for "no currency"'),
    ("XTS", "currency 'XTS' is ISO 4217's code reserved for testing"),
    ("XAU", "currency 'XAU' is gold (a precious metal, not a currency)"),
    ("XDR", "special drawing right"),
    ("usd", "currency 'usd' is not an active ISO 4217 currency code (did you mean 'USD'? codes are exactly three "
            "upper-case letters)"),
    ("US", "currency 'US' is not an active ISO 4217 currency code"),
    ("USDX", "currency 'USDX' is not an active ISO 4217 currency code"),
    (" USD", "currency ' USD' is not an active ISO 4217 currency code (did you mean 'USD'?"),
    ("HRK", "currency 'HRK' is not an active ISO 4217 currency code"),
    ("ANG", "currency 'ANG' is not an active ISO 4217 currency code"),
    ("   ", "currency '   ' is not an active ISO 4217 currency code"),
    ("U\x00S", "currency 'U\\x00S' is not an active ISO 4217 currency code"),
]
ILLEGAL = {"nul": "\x00", "bell": "\x07", "uffff": "\uffff", "surrogate": "\ud800", "ufffe": "\ufffe",
           "escape": "\x1b"}


def _ar_cases() -> list[SourceDocument]:
    cases = [ar_invoice("AR-CLEAN"), *_length_cases("ar_invoice")]
    limit = DIMENSION_VALUE_LIMIT.max_length
    cases += [with_line(ar_invoice(f"AR-DIM-{n}"), 0, dimensions={"REGION": "9" * n}) for n in (limit, limit + 1)]
    cases += [ar_invoice("AR-100KB", description="A" * 100_000),
              ar_invoice("AR-BLANK-100KB", description=" " * 100_000),
              ar_invoice("K" * 50, description="D" * 1001)]
    # Every text field at its limit at once.
    cases.append(with_line(ar_invoice("AR-AT-LIMITS", description="d" * 1000), 0, memo="m" * 1000))
    # Characters XML 1.0 cannot carry, in the header, a line and a dimension value.
    for name, character in ILLEGAL.items():
        cases.append(ar_invoice(f"AR-DESC-{name}", description=f"Parts{character} and service"))
        cases.append(with_line(ar_invoice(f"AR-MEMO-{name}"), 1, memo=f"Service{character}"))
        cases.append(with_line(ar_invoice(f"AR-UDD-{name}"), 0, dimensions={"REGION": f"10001{character}"}))
    cases += [ar_invoice("AR-NUL-FAR", description="x" * 60 + "\x00"),
              with_line(ar_invoice("AR-UDD-NAME"), 0, dimensions={"REG\x00ION": "10001"}),
              with_line(ar_invoice("AR-TWO-BAD"), 0, memo="a\x00", department_id="b\x07"),
              ar_invoice("AR-WHITESPACE", description="Parts\tand\nservice\r\n"),
              ar_invoice("AR-UNICODE", description="Pièces détachées — 部品 🚚")]
    # Currencies.
    for code in ("USD", "EUR", "JPY", "XAF", "XCG", "CHF", None, ""):
        cases.append(ar_invoice(f"AR-CUR-OK-{code}", currency=code))
    for n, (code, _) in enumerate(BAD_CURRENCIES):
        cases.append(ar_invoice(f"AR-CUR-BAD-{n}", currency=code))
    # Amounts.
    for name, amount in (("MAX", "9999999999999.99"), ("MIN", "-9999999999999.99"), ("HUGE", "99999999999999999999999.99"),
                         ("LIMIT", "10000000000000.00"), ("NEG-LIMIT", "-10000000000000"), ("E400", "1E+400")):
        cases.append(with_line(ar_invoice(f"AR-AMOUNT-{name}"), 0, amount=Decimal(amount)))
    return cases


def _je_lines(key: str, debit: str, credit: str, memo: str | None = None) -> list[dict]:
    """A debit line (carrying ``memo``) and a credit line."""
    return [{"je_no": key, "line_no": n, "account_no": account, "debit": Decimal(d) if d else None,
             "credit": Decimal(c) if c else None, "memo": memo if n == 1 else None, "department_id": "FIN",
             "location_id": None, "class_id": None, "project_id": None, "dimensions": {}}
            for n, (account, d, c) in enumerate((("1500", debit, None), ("2100", None, credit)), 1)]


def _je_cases() -> list[SourceDocument]:
    return [journal_entry("JE-CLEAN"), *_length_cases("journal_entry"),
            journal_entry("JE-TITLE-BELL", title="Payroll\x07 accrual"),
            journal_entry("JE-MEMO-UFFFF", lines=_je_lines("JE-MEMO-UFFFF", "100.00", "100.00", memo="Wages\uffff")),
            journal_entry("JE-MAX", lines=_je_lines("JE-MAX", "9999999999999.99", "9999999999999.99")),
            journal_entry("JE-HUGE", lines=_je_lines("JE-HUGE", "10000000000000.00", "10000000000000.00"))]


def _ap_cases() -> list[SourceDocument]:
    return [ap_bill("AP-CLEAN"), *_length_cases("ap_bill"),
            with_line(ap_bill("AP-MEMO-NUL"), 0, memo="Rent\x00"),
            ap_bill("AP-CUR-XXX", currency="XXX"),
            with_line(ap_bill("AP-HUGE"), 1, amount=Decimal("-99999999999999999999999.99"))]


@pytest.fixture(scope="module")
def outcomes(validators):
    results = {}
    for doc_type, cases in (("ar_invoice", _ar_cases()), ("journal_entry", _je_cases()), ("ap_bill", _ap_cases())):
        outcome = validators[doc_type].validate(cases)
        assert len(outcome.valid) + len(outcome.failed) == len(cases)
        json.dumps(outcome.to_json_dict(), allow_nan=False)  # plain JSON, whatever the documents held
        results.update({document.key: None for document in outcome.valid})
        results.update({failure.document.key: failure for failure in outcome.failed})
    return results


def issues_about(failure, field: str, words: str) -> list:
    return [] if failure is None else [i for i in failure.issues if i.field == field and words in i.message]


@pytest.mark.parametrize("key", ["AR-CLEAN", "AP-CLEAN", "JE-CLEAN", "AR-AT-LIMITS", "AR-WHITESPACE", "AR-UNICODE",
                                 "AR-AMOUNT-MAX", "AR-AMOUNT-MIN", "JE-MAX"])
def test_document_within_every_limit_passes(outcomes, key):
    assert outcomes[key] is None


@pytest.mark.parametrize(("doc_type", "scope", "field", "limit"), LENGTH_LIMITS,
                         ids=[f"{t}-{f}-{n}" for t, _, f, n in LENGTH_LIMITS])
def test_text_longer_than_intacct_takes_is_data_quality_and_at_the_limit_is_not(outcomes, doc_type, scope, field,
                                                                                  limit):
    at_limit, over = outcomes[_key(doc_type, field, limit)], outcomes[_key(doc_type, field, limit + 1)]
    assert issues_about(at_limit, field, "Intacct allows at most") == []
    assert over is not None and over.error_class == DQ
    [issue] = issues_about(over, field, "Intacct allows at most")
    assert issue.line_no == (1 if scope == "line" else None)
    assert f", field {field}: {limit + 1:,} characters, Intacct allows at most {limit}: " in issue.message


def test_dimension_value_longer_than_100_characters_is_data_quality(outcomes):
    assert issues_about(outcomes["AR-DIM-100"], "dimensions.REGION", "Intacct allows at most") == []
    failure = outcomes["AR-DIM-101"]
    [issue] = issues_about(failure, "dimensions.REGION", "Intacct allows at most")
    assert failure.error_class == DQ and issue.line_no == 1
    assert issue.message == ("ar_invoice 'AR-DIM-101' line 1, field dimensions.REGION: 101 characters, Intacct allows "
                             f"at most 100: {'9' * 40!r}…(101 characters)")


def test_huge_description_message_shows_40_characters_the_length_and_the_limit(outcomes):
    failure = outcomes["AR-100KB"]
    assert failure.error_class == DQ
    assert [issue.message for issue in failure.issues] == [
        f"ar_invoice 'AR-100KB', field description: 100,000 characters, Intacct allows at most 1000: "
        f"{'A' * 40!r}…(100,000 characters)"]


def test_blank_text_is_measured_as_sent(outcomes):
    [issue] = outcomes["AR-BLANK-100KB"].issues
    assert issue.field == "description" and "100,000 characters, Intacct allows at most 1000" in issue.message


def test_long_document_number_is_shown_truncated_in_every_message(outcomes):
    failure = outcomes["K" * 50]
    label = f"ar_invoice {'K' * 40!r}…(50 characters)"
    assert [issue.message.split(", field ")[0] for issue in failure.issues] == [label, label]
    assert [issue.field for issue in failure.issues] == ["invoice_no", "description"]


@pytest.mark.parametrize("name", list(ILLEGAL))
def test_character_xml_cannot_carry_in_a_description_fails_naming_it_escaped(outcomes, name):
    failure = outcomes[f"AR-DESC-{name}"]
    escaped = repr(ILLEGAL[name])[1:-1]
    assert failure.error_class == DQ
    assert [issue.message for issue in failure.issues] == [
        f"ar_invoice 'AR-DESC-{name}', field description: holds the character {escaped} (at position 6), which "
        f"XML 1.0 cannot carry, so Intacct cannot receive it: 'Parts{escaped} and service'"]


@pytest.mark.parametrize("name", list(ILLEGAL))
def test_character_xml_cannot_carry_in_a_memo_fails_that_line(outcomes, name):
    failure = outcomes[f"AR-MEMO-{name}"]
    [issue] = failure.issues
    assert (failure.error_class, issue.line_no, issue.field) == (DQ, 2, "memo")
    assert f"holds the character {repr(ILLEGAL[name])[1:-1]} (at position 8)" in issue.message


@pytest.mark.parametrize("name", list(ILLEGAL))
def test_character_xml_cannot_carry_in_a_dimension_value_is_data_quality(outcomes, name):
    failure = outcomes[f"AR-UDD-{name}"]
    assert failure.error_class == DQ  # it is an unknown REGION value too, but the text must be fixed first
    [issue] = issues_about(failure, "dimensions.REGION", "XML 1.0 cannot carry")
    assert issue.line_no == 1
    assert f"the dimension value holds the character {repr(ILLEGAL[name])[1:-1]} (at position 6)" in issue.message


def test_character_xml_cannot_carry_in_a_dimension_name_is_data_quality(outcomes):
    failure = outcomes["AR-UDD-NAME"]
    assert failure.error_class == DQ
    [issue] = issues_about(failure, "dimensions.REG\\x00ION", "XML 1.0 cannot carry")
    assert "the dimension name holds the character \\x00 (at position 4)" in issue.message


def test_illegal_character_after_the_preview_is_still_located(outcomes):
    [issue] = outcomes["AR-NUL-FAR"].issues
    assert "holds the character \\x00 (at position 61)" in issue.message
    assert issue.message.endswith(f"{'x' * 40!r}…(61 characters)")


def test_every_bad_field_of_a_line_gets_its_own_issue(outcomes):
    failure = outcomes["AR-TWO-BAD"]
    xml_fields = [issue.field for issue in failure.issues if "XML 1.0 cannot carry" in issue.message]
    assert sorted(xml_fields) == ["department_id", "memo"]


def test_messages_never_carry_the_characters_they_report(outcomes):
    for key in [k for k in outcomes if isinstance(k, str) and k.startswith(("AR-DESC-", "AR-MEMO-", "AR-UDD-"))]:
        for issue in outcomes[key].issues:
            assert issue.message.isprintable() and issue.field.isprintable(), issue.message
            issue.message.encode("utf-8")  # no lone surrogate


@pytest.mark.parametrize(("key", "line_no", "field"), [("JE-TITLE-BELL", None, "title"), ("JE-MEMO-UFFFF", 1, "memo"),
                                                       ("AP-MEMO-NUL", 1, "memo")])
def test_characters_xml_cannot_carry_fail_journal_entries_and_bills_too(outcomes, key, line_no, field):
    failure = outcomes[key]
    [issue] = issues_about(failure, field, "XML 1.0 cannot carry")
    assert failure.error_class == DQ and issue.line_no == line_no


@pytest.mark.parametrize("code", ["USD", "EUR", "JPY", "XAF", "XCG", "CHF", None, ""])
def test_active_iso_4217_currency_or_none_passes(outcomes, code):
    assert outcomes[f"AR-CUR-OK-{code}"] is None


@pytest.mark.parametrize(("number", "code", "words"), [(n, code, words) for n, (code, words)
                                                    in enumerate(BAD_CURRENCIES)],
                         ids=[repr(code) for code, _ in BAD_CURRENCIES])
def test_code_that_is_not_an_active_iso_4217_currency_is_refused(outcomes, number, code, words):
    failure = outcomes[f"AR-CUR-BAD-{number}"]
    assert failure.error_class == DQ
    [issue] = issues_about(failure, "currency", words)
    assert issue.line_no is None and issue.message.startswith(f"ar_invoice 'AR-CUR-BAD-{number}', field currency: ")


def test_bill_in_no_currency_is_refused(outcomes):
    [issue] = outcomes["AP-CUR-XXX"].issues
    assert issue.message == ("ap_bill 'AP-CUR-XXX', field currency: currency 'XXX' is ISO 4217's code for \"no "
                             "currency\"; use the document's real currency code")


def test_currency_list_is_three_upper_case_letters_and_refuses_what_is_not_money():
    assert all(re.fullmatch("[A-Z]{3}", code) for code in ISO_4217_ACTIVE_CODES)
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "XAF", "XOF", "XCD", "XPF", "XCG", "ZWG", "SLE", "VES"} <= CURRENCY_CODES
    assert not CURRENCY_CODES & {"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XSU", "XUA"}
    assert not CURRENCY_CODES & {"HRK", "ANG", "ZWL", "SLL", "CUC", "VEF", "MRO", "STD", "BGN"}  # withdrawn
    assert set(NOT_CURRENCIES) <= ISO_4217_ACTIVE_CODES


@pytest.mark.parametrize("name", ["HUGE", "LIMIT", "NEG-LIMIT", "E400"])
def test_amount_of_13_digits_or_more_before_the_point_is_refused(outcomes, name):
    failure = outcomes[f"AR-AMOUNT-{name}"]
    assert failure.error_class == DQ
    [issue] = issues_about(failure, "amount", "is out of range")
    assert issue.line_no == 1
    assert issue.message.endswith("is out of range: Intacct takes amounts below 10,000,000,000,000 in absolute value "
                                  "(at most 13 digits before the decimal point)")


def test_huge_amount_message_shows_the_amount(outcomes):
    [issue] = outcomes["AR-AMOUNT-HUGE"].issues
    assert issue.message.startswith("ar_invoice 'AR-AMOUNT-HUGE' line 1, field amount: amount "
                                    "99999999999999999999999.99 is out of range")


@pytest.mark.parametrize(("key", "fields"), [("JE-HUGE", ["debit", "credit"]), ("AP-HUGE", ["amount"])])
def test_out_of_range_debit_credit_and_bill_amounts_are_refused(outcomes, key, fields):
    failure = outcomes[key]
    assert failure.error_class == DQ
    assert [issue.field for issue in failure.issues if "is out of range" in issue.message] == fields


def test_one_bad_document_in_a_chunk_of_2000_fails_alone(validators):
    documents = [ar_invoice(f"INV-{n:05d}") for n in range(2000)]
    documents[1234] = with_line(ar_invoice("INV-01234"), 1, memo="Service\x00")
    outcome = validators["ar_invoice"].validate(documents)
    assert len(outcome.valid) == 1999
    [failure] = outcome.failed
    assert (failure.document.key, failure.error_class) == ("INV-01234", DQ)
    assert [issue.field for issue in failure.issues] == ["memo"]
    assert outcome.stats["failing_rows_by_check"] == {"line_xml_characters": 1}


def test_every_limit_is_in_the_documentation_table():
    table = DOCS.read_text()
    assert "### Intacct's field limits" in table
    for field, limit in FIELD_LIMITS.items():
        assert re.search(rf"^\| `{field}` \| {limit.max_length} \|", table, re.MULTILINE), field
    assert re.search(rf"^\| `dimensions` values \| {DIMENSION_VALUE_LIMIT.max_length} \|", table, re.MULTILINE)
