from datetime import date
from decimal import Decimal

import pytest

from include.erp.documents import SourceDocument
from include.remediation.terms import (
    TermMapping,
    TermMappingError,
    TermRule,
    UnparseableTerm,
    near_matches,
    parse_term_name,
)

ACTIVE = ["Net 30", "Net 45", "2% 10 Net 30", "Due on Receipt"]


@pytest.mark.parametrize(("name", "rule"), [
    ("Net 45", TermRule(45)),
    ("net45", TermRule(45)),
    ("  Net   60 ", TermRule(60)),
    ("2% 10 Net 30", TermRule(30, Decimal("2"), 10)),
    ("1.5% 15 Net 45", TermRule(45, Decimal("1.5"), 15)),
    ("2/10 Net 30", TermRule(30, Decimal("2"), 10)),
    ("Due on Receipt", TermRule(0)),
    ("due upon receipt", TermRule(0)),
])
def test_term_names_read_as_due_days_and_discount(name, rule):
    assert parse_term_name(name) == rule


@pytest.mark.parametrize(("name", "why"), [
    ("N30", "does not read as"),
    ("EOM", "does not read as"),
    ("", "empty"),
    ("2% 40 Net 30", "discount period"),
    ("0% 10 Net 30", "between 0 and 100"),
])
def test_a_term_name_that_does_not_say_its_due_days_is_refused_with_the_reason(name, why):
    with pytest.raises(UnparseableTerm, match=why):
        parse_term_name(name)


def test_discount_term_becomes_create_arterm_fields_with_a_percentage_discount():
    fields = parse_term_name("2% 10 Net 30").intacct_fields("2% 10 Net 30", "ar_invoice")
    assert fields["due"] == {"dueday": 30, "duefrom": "from invoice date"}
    assert fields["discount"] == {"discday": 10, "discfrom": "from invoice date", "discamount": "2",
                                  "discpercamn": "Percentage"}
    assert "discount" not in parse_term_name("Net 45").intacct_fields("Net 45", "ap_bill")


@pytest.mark.parametrize(("term", "suggested"), [
    ("Net30", ["Net 30"]),
    ("net 30", ["Net 30"]),
    ("NET-45", ["Net 45"]),
    ("N30", []),  # an abbreviation is not a near match
    ("Net 30", []),  # the exact name is not a suggestion
    ("Net 90", []),
])
def test_term_that_differs_only_in_case_or_spacing_is_suggested(term, suggested):
    assert near_matches(term, ACTIVE) == suggested


def _invoice(term: str) -> SourceDocument:
    return SourceDocument("ar_invoice", "INV-1", {"invoice_no": "INV-1", "invoice_date": date(2026, 9, 3),
                                                   "term_name": term}, [{"line_no": 1}])


def test_mapped_term_is_applied_to_a_copy_and_the_erp_document_keeps_its_version(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("# comment\nerp_term,intacct_term,doc_types\nN30,Net 30,ar_invoice\n")
    mapping = TermMapping.load(path)
    original = _invoice("N30")
    version = original.source_version
    mapped = mapping.apply(original)
    assert mapped.header["term_name"] == "Net 30" and original.header["term_name"] == "N30"
    assert original.source_version == version and mapped.source_version != version
    assert mapping.apply(_invoice("Net 45")).header["term_name"] == "Net 45"
    bill = SourceDocument("ap_bill", "B-1", {"term_name": "N30"})
    assert mapping.apply(bill) is bill  # mapped for invoices only


def test_near_match_is_never_applied_without_a_mapping_row(tmp_path):
    assert TermMapping.load(tmp_path / "absent.csv").apply(_invoice("Net30")).header["term_name"] == "Net30"


@pytest.mark.parametrize(("text", "error"), [
    ("erp,intacct\nA,B\n", "header must be"),
    ("erp_term,intacct_term\n,Net 30\n", ":2: field erp_term is empty"),
    ("erp_term,intacct_term\nN30,\n", ":2: field intacct_term is empty for ERP term 'N30'"),
    ("erp_term,intacct_term,doc_types\nN30,Net 30,journal_entry\n", "field doc_types"),
    ("erp_term,intacct_term\nN30,Net 30\nN30,Net 45\n", ":3: ERP term 'N30' is already mapped"),
])
def test_malformed_mapping_file_fails_naming_the_line_and_field(tmp_path, text, error):
    path = tmp_path / "map.csv"
    path.write_text(text)
    with pytest.raises(TermMappingError, match=error):
        TermMapping.load(path)


def test_the_versioned_mapping_file_loads():
    from include.settings import load_settings

    TermMapping.load(load_settings({}).term_mapping_file)
