"""The generator's ground truth, checked by inspecting the data it wrote (read back
through the SQLite source), never by trusting the manifest."""

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from include import demo_company as dc
from include.erp.defects import CATALOGUE, DEFECTS, resolve_rates
from include.erp.documents import DOCUMENT_SPECS
from include.erp.generate import edit, generate, main
from include.erp.source import open_source
from include.erp.synthetic import DocumentFactory
from include.error_classes import ErrorClass
from tests.unit.erp.conftest import AS_OF

ACTIVE_TERMS = {t.name: t.due_days for t in dc.TERMS if t.status == "active"}
DIMENSIONS = {"department_id": dc.DEPARTMENTS, "location_id": dc.LOCATIONS, "class_id": dc.CLASSES,
              "project_id": dc.PROJECTS}
REGION = next(u for u in dc.UDDS if u.object_name == "REGION")
ACCOUNTS = {a.accountno: a for a in dc.ACCOUNTS}
CLOSED = dc.default_closed_books_date(AS_OF)
SEEDED = {
    "customer_id": {dc.customer(n)["customer_id"] for n in range(dc.SEEDED_CUSTOMER_COUNT)},
    "vendor_id": {dc.vendor(n)["vendor_id"] for n in range(dc.SEEDED_VENDOR_COUNT)},
    "item_id": {dc.item(n)["item_id"] for n in range(dc.SEEDED_ITEM_COUNT)},
}


def _squash(term: str) -> str:
    return term.lower().replace(" ", "")


def _dimension_state(column: str, value: str) -> str:
    records = {d.id: d.status for d in DIMENSIONS[column]} if column in DIMENSIONS else {
        v: status for v, _, status in REGION.values}
    return records.get(value, "unknown")


def _amounts(document):
    columns = ("debit", "credit") if document.doc_type == "journal_entry" else ("amount",)
    return [line[c] for line in document.lines for c in columns if line[c] is not None]


def detect_defects(document) -> set[str]:
    """Which catalogued defects a document shows, judged from its data alone."""
    header, spec = document.header, document.spec
    messages = [p.message for p in document.problems]
    if not header:
        return {"orphan_lines"}
    found = set()
    if any("has no lines" in m for m in messages):
        found.add("header_without_lines")
    if any("appears 2 times" in m for m in messages):
        found.add("duplicate_document_number")
    if any(p.column == spec.date_column for p in document.problems):
        found.add("bad_date")
    if any(p.column in ("amount", "debit", "credit") for p in document.problems) or any(
            a.as_tuple().exponent < -2 or a == 0 for a in _amounts(document)):
        found.add("bad_amount")
    required = spec.party_column or "journal"
    if header[required] is None or any(line["account_no"] is None for line in document.lines):
        found.add("missing_required_field")
    term = header.get("term_name")
    if spec.party_column and term not in ACTIVE_TERMS:
        near = _squash(term) in {_squash(t) for t in ACTIVE_TERMS}
        found.add("term_near_match" if near else "term_unknown")
    posting = header[spec.date_column]
    if posting and posting.replace(day=1) == CLOSED.replace(day=1):
        found.add("closed_period")
    for line in document.lines:
        values = [(c, line[c]) for c in DIMENSIONS if line[c]]
        values += [(name, v) for name, v in (line["dimensions"] or {}).items() if name == "REGION"]
        states = {_dimension_state(c, v) for c, v in values}
        if "inactive" in states:
            found.add("dimension_value_inactive")
        if "unknown" in states:
            found.add("dimension_value_unknown")
        if "CHANNEL" in (line["dimensions"] or {}):
            found.add("udd_unpermitted")
        if document.doc_type != "journal_entry" and line["item_id"] and line["item_id"] not in SEEDED["item_id"]:
            found.add("item_not_in_intacct")
    for party in ("customer_id", "vendor_id"):
        if header.get(party) and header[party] not in SEEDED[party]:
            found.add(f"{party.removesuffix('_id')}_not_in_intacct")
    if document.doc_type == "journal_entry" and not found and not document.problems:
        debit = sum(line["debit"] or Decimal(0) for line in document.lines)
        credit = sum(line["credit"] or Decimal(0) for line in document.lines)
        if debit != credit:
            found.add("unbalanced_je")
    return found


def _documents(path):
    with open_source(path) as source:
        return [d for doc_type in DOCUMENT_SPECS for page in source.iter_documents(doc_type) for d in page]


def test_defects_in_the_data_match_the_manifest_document_by_document(generated_erp):
    manifest = generated_erp["manifest"]
    expected = {(d["doc_type"], d["key"]): d["defects"] for d in manifest["documents"]}
    documents = _documents(generated_erp["db"])
    assert len(documents) == sum(manifest["documents_total"].values())
    seen = Counter()
    for document in documents:
        found = detect_defects(document)
        assert sorted(found) == expected.get((document.doc_type, document.key), []), document
        seen.update(found)
    assert {name: seen[name] for name in DEFECTS} == {name: manifest["defect_counts"][name] for name in DEFECTS}
    assert all(seen[name] > 0 for name in DEFECTS), seen


def test_manifest_names_the_catalogued_error_class_for_each_defect(generated_erp):
    for entry in generated_erp["manifest"]["documents"]:
        [defect] = entry["defects"]
        assert entry["expected_error_class"] == DEFECTS[defect].expected_error_class.value
        assert entry["doc_type"] in DEFECTS[defect].doc_types
    assert DEFECTS["udd_unpermitted"].expected_error_class is ErrorClass.DIMENSION_UNAVAILABLE
    assert DEFECTS["closed_period"].expected_error_class is ErrorClass.CLOSED_PERIOD


def test_every_catalogued_defect_can_be_planted():
    assert all(hasattr(DocumentFactory, f"_plant_{name}") for name in DEFECTS)
    assert set(CATALOGUE) == set(DEFECTS) | {"edited_after_post"}


def test_clean_documents_are_consistent_with_the_seeded_company(generated_erp):
    defective = {(d["doc_type"], d["key"]) for d in generated_erp["manifest"]["documents"]}
    lines_checked = 0
    for document in _documents(generated_erp["db"]):
        if (document.doc_type, document.key) in defective:
            continue
        header, spec = document.header, document.spec
        assert document.problems == []
        assert CLOSED < document.posting_date <= AS_OF
        assert document.updated_at >= datetime.combine(document.posting_date, datetime.min.time(), UTC)
        if spec.party_column:
            party = header[spec.party_column]
            make = dc.customer if spec.party_column == "customer_id" else dc.vendor
            seeded = {make(n)[spec.party_column]: make(n) for n in range(200)}
            assert party in SEEDED[spec.party_column] and seeded[party]["status"] == "active"
            assert header["due_date"] == document.posting_date + timedelta(days=ACTIVE_TERMS[header["term_name"]])
            allowed = dc.AR_REVENUE_ACCOUNTS if document.doc_type == "ar_invoice" else dc.AP_EXPENSE_ACCOUNTS
        else:
            assert header["journal"] in dc.JE_JOURNALS
            assert sum(line["debit"] or 0 for line in document.lines) == sum(
                line["credit"] or 0 for line in document.lines)
            allowed = dc.JE_ACCOUNTS
        for line in document.lines:
            lines_checked += 1
            account = ACCOUNTS[line["account_no"]]
            assert line["account_no"] in allowed and account.status == "active"
            for flag, column in (("require_dept", "department_id"), ("require_loc", "location_id"),
                                 ("require_class", "class_id"), ("require_project", "project_id")):
                if getattr(account, flag):
                    assert line[column], (document.key, line)
                if line[column]:
                    assert _dimension_state(column, line[column]) == "active"
            assert set(line["dimensions"]) <= {"REGION"}
            assert all(_dimension_state("REGION", v) == "active" for v in line["dimensions"].values())
            assert all(a > 0 and a.as_tuple().exponent == -2 for a in _amounts(document))
            if line.get("item_id"):
                assert line["item_id"] in SEEDED["item_id"]
    assert lines_checked > 1000


def test_masters_include_every_seeded_record_and_new_ones(generated_erp):
    manifest = generated_erp["manifest"]
    with open_source(generated_erp["db"]) as source:
        customers = {m.key: m.fields for page in source.iter_masters("customer") for m in page}
        items = {m.key for page in source.iter_masters("item") for m in page}
    for n in range(dc.SEEDED_CUSTOMER_COUNT):
        seeded = dc.customer(n)
        assert {k: customers[seeded["customer_id"]][k] for k in seeded} == seeded
    assert SEEDED["item_id"] < items
    assert set(manifest["new_masters"]["customer"]) == set(customers) - SEEDED["customer_id"]
    assert all(customers[c]["status"] == "active" for c in manifest["new_masters"]["customer"])


def _dump(path):
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def test_same_seed_and_arguments_give_byte_identical_data(tmp_path, generated_erp):
    from tests.unit.erp.conftest import DEFECT_RATE, LINES, SEED

    again = generate(str(tmp_path / "erp.db"), lines=LINES, seed=SEED, as_of=AS_OF, defect_rate=DEFECT_RATE,
                     manifest=tmp_path / "manifest.json", csv_dir=tmp_path / "csv")
    assert again == generated_erp["manifest"]
    assert (tmp_path / "manifest.json").read_bytes() == generated_erp["manifest_path"].read_bytes()
    for original in generated_erp["csv"].glob("*.csv"):
        assert (tmp_path / "csv" / original.name).read_bytes() == original.read_bytes(), original.name
    assert _dump(tmp_path / "erp.db") == _dump(generated_erp["db"])
    other = generate(str(tmp_path / "other.db"), lines=LINES, seed=SEED + 1, as_of=AS_OF, defect_rate=DEFECT_RATE)
    assert other["documents"] != again["documents"]


def _undated_rows(path) -> dict[str, list[tuple]]:
    """Every table's rows without their date and timestamp columns."""
    dated = {"invoice_date", "bill_date", "entry_date", "due_date", "reverse_date", "updated_at"}
    with sqlite3.connect(path) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for table in tables:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] not in dated]
            out[table] = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
        return out


@pytest.mark.parametrize("later", [timedelta(days=1), timedelta(days=17), timedelta(days=400)])
def test_same_seed_on_another_day_gives_the_same_documents_with_moved_dates(tmp_path, later):
    first = generate(str(tmp_path / "a.db"), lines=400, seed=11, as_of=AS_OF, defect_rate=0.3)
    second = generate(str(tmp_path / "b.db"), lines=400, seed=11, as_of=AS_OF + later, defect_rate=0.3)
    assert first["documents"] == second["documents"] and first["defect_counts"] == second["defect_counts"]
    assert _undated_rows(tmp_path / "a.db") == _undated_rows(tmp_path / "b.db")


def test_line_count_scales_with_the_lines_argument(tmp_path):
    manifest = generate(str(tmp_path / "erp.db"), lines=100, seed=1, as_of=AS_OF, defect_rate=0)
    assert sum(manifest["rows"][s.lines_table] for s in DOCUMENT_SPECS.values()) == 100
    assert manifest["documents"] == [] and sum(manifest["defect_counts"].values()) == 0


def test_command_line_with_one_explicit_defect_rate(tmp_path, capsys):
    out, manifest = tmp_path / "erp.db", tmp_path / "manifest.json"
    assert main(["--out", str(out), "--lines", "600", "--seed", "3", "--as-of", "2026-11-22",
                 "--defect", "term_near_match=0.5", "--manifest", str(manifest)]) == 0
    assert "documents" in capsys.readouterr().out
    written = json.loads(manifest.read_text())
    assert {d["defects"][0] for d in written["documents"]} == {"term_near_match"}
    assert written["defect_counts"]["term_near_match"] == len(written["documents"]) > 0
    found = Counter(name for d in _documents(out) for name in detect_defects(d))
    assert found == Counter({"term_near_match": len(written["documents"])})


def test_defect_rates_are_validated():
    with pytest.raises(ValueError, match="unknown defect no_such"):
        resolve_rates(None, {"no_such": 0.1})
    with pytest.raises(ValueError, match="more than 1"):
        resolve_rates(None, {"closed_period": 0.6, "bad_date": 0.6})
    with pytest.raises(ValueError, match="either"):
        resolve_rates(0.1, {"closed_period": 0.1})
    spread = resolve_rates(0.3, None)
    assert all(abs(sum(rates.values()) - 0.3) < 1e-9 for rates in spread.values())


def test_edits_after_posting_change_content_and_bump_updated_at(tmp_path):
    out, manifest = tmp_path / "erp.db", tmp_path / "manifest.json"
    generate(str(out), lines=1500, seed=5, as_of=AS_OF, defect_rate=0.2, manifest=manifest)
    before = {(d.doc_type, d.key): d for d in _documents(out)}
    latest = max(d.updated_at for d in before.values() if d.updated_at)
    defective = {(d["doc_type"], d["key"]) for d in json.loads(manifest.read_text())["documents"]}

    result = edit(str(out), rate=0.1, seed=7, manifest=manifest)

    edited = {(d["doc_type"], d["key"]) for d in result["documents"] if d["defects"] == ["edited_after_post"]}
    assert edited and result["defect_counts"]["edited_after_post"] == len(edited)
    assert not edited & defective
    after = {(d.doc_type, d.key): d for d in _documents(out)}
    changed = {k for k, d in after.items() if d.source_version != before[k].source_version}
    assert changed == edited
    with open_source(out) as source:
        recent = {(t, d.key) for t in DOCUMENT_SPECS for page in source.iter_documents(t, changed_since=latest)
                  for d in page if d.header}
    assert recent == edited
    for key in edited:  # an edited journal entry stays balanced: only the edit is news
        if key[0] == "journal_entry":
            lines = after[key].lines
            assert sum(line["debit"] or 0 for line in lines) == sum(line["credit"] or 0 for line in lines)

