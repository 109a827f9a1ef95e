"""The validator as the pipeline uses it: precedence, chunks, JSON, scale, ground truth."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from include.erp.documents import SourceDocument
from include.error_classes import ErrorClass
from include.quality import ERROR_CLASS_PRECEDENCE, DocumentValidator, ValidationOutcome
from tests.unit.quality.builders import ap_bill, ar_invoice, journal_entry, with_line
from tests.unit.quality.snapshots import demo_snapshot

ROOT = Path(__file__).resolve().parents[3]


def _every_class_at_once() -> SourceDocument:
    document = with_line(ar_invoice("AR-EVERYTHING", invoice_date=date(2026, 9, 10), due_date=date(2026, 10, 10),
                                    term_name="net 30"),
                         0, amount=Decimal("0"), account_no="6900", dimensions={"CHANNEL": "20001"})
    return document


def test_document_failing_every_class_keeps_all_messages_and_data_quality_wins(validators):
    failure = validators["ar_invoice"].validate([_every_class_at_once()]).failed[0]
    assert failure.error_class == ErrorClass.DATA_QUALITY
    classes = [issue.error_class for issue in failure.issues]
    assert classes == [ErrorClass.DATA_QUALITY, ErrorClass.INVALID_REFERENCE, ErrorClass.DIMENSION_UNAVAILABLE,
                       ErrorClass.PAYMENT_TERM, ErrorClass.CLOSED_PERIOD]
    assert failure.message.splitlines() == [issue.message for issue in failure.issues]
    assert "line 1, field amount: the line amount is zero" in failure.message
    assert "closed period 2026-09" in failure.message


@pytest.mark.parametrize(("changes", "expected"), [
    ({"term_name": "Net30", "invoice_date": date(2026, 9, 3), "due_date": date(2026, 10, 3)},
     ErrorClass.PAYMENT_TERM),
    ({"customer_id": "C-1041", "term_name": "Net30"}, ErrorClass.INVALID_REFERENCE),
])
def test_earlier_class_in_precedence_decides(validators, changes, expected):
    failure = validators["ar_invoice"].validate([ar_invoice("AR-TWO", **changes)]).failed[0]
    assert failure.error_class == expected
    assert len(failure.issues) == 2


def test_precedence_order_is_the_documented_one():
    assert ERROR_CLASS_PRECEDENCE == (ErrorClass.DATA_QUALITY, ErrorClass.INVALID_REFERENCE,
                                      ErrorClass.DIMENSION_UNAVAILABLE, ErrorClass.PAYMENT_TERM,
                                      ErrorClass.CLOSED_PERIOD)


def test_validator_is_reused_across_chunks_with_independent_results(validators):
    validator = validators["ap_bill"]
    runner = validator._runner
    first = validator.validate([ap_bill("AP-1"), ap_bill("AP-2", vendor_id="V-9999")])
    second = validator.validate([ap_bill("AP-2"), ap_bill("AP-3", term_name="Net 120")])
    again = validator.validate([ap_bill("AP-1"), ap_bill("AP-2", vendor_id="V-9999")])
    assert validator._runner is runner
    assert [d.key for d in first.valid] == ["AP-1"] and [f.document.key for f in first.failed] == ["AP-2"]
    assert [d.key for d in second.valid] == ["AP-2"] and [f.error_class for f in second.failed] == [
        ErrorClass.PAYMENT_TERM]
    assert again.to_json_dict()["failed"] == first.to_json_dict()["failed"]


def test_outcome_is_plain_json_without_nan_or_numpy(validators):
    documents = [_every_class_at_once(), ar_invoice("AR-OK"), ar_invoice("AR-NO-LINES", lines=[])]
    outcome = validators["ar_invoice"].validate(documents)
    text = json.dumps(outcome.to_json_dict(), allow_nan=False)
    assert json.loads(text)["valid"] == ["AR-OK"]
    json.dumps(outcome.stats, allow_nan=False)
    for failure in outcome.failed:
        for issue in failure.issues:
            assert type(issue.line_no) in (int, type(None))
            assert all(type(value) is str for value in (issue.field, issue.expectation, issue.message))


def test_two_thousand_documents_in_one_chunk_split_exactly(validators):
    documents = []
    for n in range(2400):
        key = f"INV-{n:05d}"
        if n % 100 == 7:
            documents.append(with_line(ar_invoice(key), 1, account_no="6900", project_id=None))
        elif n % 100 == 42:
            documents.append(ar_invoice(key, term_name="NET 45"))
        else:
            documents.append(ar_invoice(key))
    outcome = validators["ar_invoice"].validate(documents)
    assert outcome.stats["documents"] == 2400 and outcome.stats["lines"] == 4800
    assert len(outcome.valid) == 2352
    assert Counter(f.error_class for f in outcome.failed) == {ErrorClass.INVALID_REFERENCE: 24,
                                                              ErrorClass.PAYMENT_TERM: 24}
    assert outcome.stats["failed_by_class"] == {"invalid_reference": 24, "payment_term": 24}


def test_generated_erp_defects_get_the_manifests_error_class(tmp_path, validators):
    from include.erp.generate import generate
    from include.erp.source import open_source

    manifest = generate(str(tmp_path / "erp.db"), lines=3000, seed=11, as_of=date(2026, 11, 22), defect_rate=0.2)
    expected = {(d["doc_type"], d["key"]): d["expected_error_class"] for d in manifest["documents"]}
    source = open_source(f"sqlite:///{tmp_path / 'erp.db'}")
    got = {}
    try:
        for doc_type, validator in validators.items():
            for chunk in source.iter_documents(doc_type, chunk_size=5000):
                outcome = validator.validate(chunk)
                got.update({(doc_type, d.key): None for d in outcome.valid})
                got.update({(doc_type, f.document.key): str(f.error_class) for f in outcome.failed})
    finally:
        source.close()
    mismatches = {key: (want, got.get(key)) for key, want in expected.items() if got.get(key) != want}
    assert not mismatches
    unexpected_failures = {key: cls for key, cls in got.items() if cls and key not in expected}
    assert not unexpected_failures
    assert len(expected) > 50


def test_document_of_another_type_is_refused_naming_it(validators):
    with pytest.raises(ValueError, match=r"ap_bill 'AP-1' given to the ar_invoice validator"):
        validators["ar_invoice"].validate([ar_invoice("AR-1"), ap_bill("AP-1")])


def test_unknown_document_type_is_refused():
    with pytest.raises(ValueError, match="unknown document type 'sales_order'"):
        DocumentValidator("sales_order", demo_snapshot())


def test_empty_chunk_gives_empty_outcome(validators):
    outcome = validators["journal_entry"].validate([])
    assert isinstance(outcome, ValidationOutcome)
    assert (outcome.valid, outcome.failed, outcome.stats["documents"]) == ([], [], 0)


def test_without_closed_books_date_no_document_is_held_for_period():
    snapshot = dataclasses.replace(demo_snapshot(), closed_books_date=None)
    outcome = DocumentValidator("journal_entry", snapshot).validate([journal_entry("JE-OLD",
                                                                                   entry_date=date(2020, 1, 31))])
    assert [d.key for d in outcome.valid] == ["JE-OLD"]


def test_ap_bills_are_checked_against_ap_terms_not_ar_terms():
    snapshot = demo_snapshot()
    snapshot = dataclasses.replace(snapshot, ap_terms={k: v for k, v in snapshot.ap_terms.items() if k != "N30"})
    ar = DocumentValidator("ar_invoice", snapshot).validate([ar_invoice("AR-N30", term_name="N30")])
    ap = DocumentValidator("ap_bill", snapshot).validate([ap_bill("AP-N30", term_name="N30")])
    assert [d.key for d in ar.valid] == ["AR-N30"]
    assert "active Intacct AP term" in ap.failed[0].message


def test_package_import_is_light_and_gx_logs_no_info_noise():
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "import include.quality\n"
        "assert 'great_expectations' not in sys.modules and 'pandas' not in sys.modules, 'heavy import'\n"
        "from tests.unit.quality.snapshots import demo_snapshot\n"
        "from tests.unit.quality.builders import ar_invoice\n"
        "outcome = include.quality.DocumentValidator('ar_invoice', demo_snapshot()).validate([ar_invoice()])\n"
        "print('valid', len(outcome.valid))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "valid 1" in done.stdout
    gx_lines = [line for line in done.stderr.splitlines() if "great_expectations" in line]
    assert gx_lines == []
    assert "Calculating Metrics" not in done.stderr


def test_expectation_that_crashes_is_raised_not_counted_as_failing_rows(validators):
    import pandas as pd

    from include.quality.checks import Check
    from include.quality.gx_suite import ExpectationError, SuiteRunner

    crashing = Check("compares_text_with_number", "line", ErrorClass.DATA_QUALITY,
                     lambda gxe: gxe.ExpectColumnValuesToBeBetween(column="memo", min_value=1), lambda f: [])
    runner = SuiteRunner("crash_suite", [crashing])
    with pytest.raises(ExpectationError, match="check 'compares_text_with_number' could not be evaluated"):
        runner.failing_rows(pd.DataFrame({"memo": ["a", "b"]}))


def test_row_flagged_by_gx_fails_even_when_its_check_explains_nothing(snapshot):
    validator = DocumentValidator("ar_invoice", snapshot)
    silent = dataclasses.replace(validator._checks_by_name["amount_not_zero"], explain=lambda finding: [])
    validator._checks_by_name["amount_not_zero"] = silent
    outcome = validator.validate([with_line(ar_invoice("AR-SILENT"), 0, amount=Decimal("0"))])
    assert [issue.message for issue in outcome.failed[0].issues] == [
        "ar_invoice 'AR-SILENT' line 1: failed check amount_not_zero"]
