"""Every bad ERP row of the catalogue (tests/bad_input/erp_rows.py), all in one night against the
sandbox: each ends with its named outcome in the ledger, no step crashes, and every clean document
is posted exactly once."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from include import demo_company as demo
from include.ledger import Ledger
from tests.bad_input.erp_rows import CASES, TABLES
from tests.fixtures.sandbox import SandboxHandle
from tests.integration.pipeline.night import Night


def _documents(erp_path, doc_type: str) -> list[tuple[str, int]]:
    header_table, lines_table, key_column = TABLES[doc_type]
    with sqlite3.connect(erp_path) as erp:
        return erp.execute(f"SELECT h.{key_column}, count(l.{key_column}) FROM {header_table} h LEFT JOIN "
                           f"{lines_table} l ON l.{key_column} = h.{key_column} GROUP BY h.{key_column} "
                           f"ORDER BY h.{key_column}").fetchall()


@pytest.fixture(scope="module")
def catalogue_night(sandbox_server, master_data_db, tmp_path_factory):
    sandbox_server.admin.reset()
    handle = SandboxHandle(url=sandbox_server.url, base_url=sandbox_server.base_url, admin=sandbox_server.admin,
                           config_kwargs=sandbox_server.config_kwargs(demo.COMPANY_ID),
                           env=sandbox_server.env(demo.COMPANY_ID), process=sandbox_server)
    night = Night(tmp_path_factory.mktemp("bad-input-night"), handle)
    night.use_integration_db(master_data_db)
    night.generate(lines=700, seed=17)
    free = {doc_type: _documents(night.erp_path, doc_type) for doc_type in TABLES}
    known_as = {}
    with sqlite3.connect(night.erp_path) as erp:
        for case in CASES:
            key = next(k for k, lines in free[case.doc_type] if lines >= case.lines)
            free[case.doc_type] = [(k, n) for k, n in free[case.doc_type] if k != key]
            known_as[case.name] = case.damage(erp, key) or key
    clean = {doc_type: [k for k, _ in rows] for doc_type, rows in free.items()}
    result = night.run()  # every step, in the DAG's order: none may raise
    return night, Ledger(night.settings.integration_db_url), known_as, clean, result


def _row(ledger, case, erp_key: str):
    """The ledger row of a damaged document: by its number, or by the stand-in the ledger knows it by."""
    row = ledger.get(case.doc_type, erp_key) if len(erp_key) <= 128 and erp_key.isprintable() else None
    if row is not None:
        return row
    start = repr(erp_key)[1:-1][:20]
    matches = [r for r in ledger.find(object_type=case.doc_type) if r.key.startswith(start)]
    assert len(matches) == 1, (case.name, [r.key for r in matches])
    return matches[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_erp_row_ends_with_its_named_outcome(catalogue_night, case):
    _, ledger, known_as, _, _ = catalogue_night
    row = _row(ledger, case, known_as[case.name])
    assert (row.status, row.error_class) == ("error", case.error_class), (case.name, row.last_message)
    for phrase in case.message:
        assert phrase in row.last_message, (case.name, phrase, row.last_message)
    assert row.intacct_record_no is None and row.controlid is None  # never sent


def test_every_clean_document_of_the_bad_input_night_is_posted_exactly_once(catalogue_night):
    night, ledger, _, clean, result = catalogue_night
    for doc_type, (object_name, number_field) in {"ar_invoice": ("ARINVOICE", "RECORDID"),
                                                   "ap_bill": ("APBILL", "RECORDID"),
                                                   "journal_entry": ("GLBATCH", "REFERENCENO")}.items():
        posted = Counter(r[number_field] for r in night.sandbox.admin.posted(object_name))
        assert max(posted.values()) == 1
        for key in clean[doc_type]:
            row = ledger.get(doc_type, key)
            assert row.status == "success" and posted[key] == 1, (doc_type, key, row.last_message)
    assert result["summary"]["unaccounted"] == 0


def test_every_catalogue_case_has_its_own_name():
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_night_report_lists_what_to_correct_in_the_erp_bad_timestamps_included(catalogue_night):
    _, _, known_as, _, result = catalogue_night
    report = result["summary"]["report"]
    data = json.loads(Path(report).with_suffix(".json").read_text())
    listed = {(item["doc_type"], item["key"]): item["problem"] for item in data["to_correct"]}
    for name in ("updated_at_not_a_time", "updated_at_far_future", "updated_at_before_1900"):
        case = next(c for c in CASES if c.name == name)
        assert "column updated_at" in listed[(case.doc_type, known_as[name])]
    text = Path(report).read_text()
    assert "## To correct in the ERP" in text and "is in the future" in text
