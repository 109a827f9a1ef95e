from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from include.erp import contract
from include.erp.documents import DOCUMENT_SPECS, MASTER_SPECS
from include.erp.source import ErpSourceError, open_source
from tests.unit.erp.builders import invoice, invoice_line, write_erp


def _all(source, doc_type, **kwargs):
    return [d for page in source.iter_documents(doc_type, **kwargs) for d in page]


def _problems(document):
    return [str(p) for p in document.problems]


def test_contract_lists_exactly_the_shared_spec_columns():
    for spec in DOCUMENT_SPECS.values():
        assert tuple(c.name for c in contract.columns(spec.header_table)) == spec.header_columns
        assert tuple(c.name for c in contract.columns(spec.lines_table)) == spec.line_columns
    for master in MASTER_SPECS.values():
        assert tuple(c.name for c in contract.columns(master.table)) == master.columns


def test_values_are_typed_by_the_contract(tmp_path):
    path = write_erp(tmp_path / "erp.db", {
        "ar_invoices": [invoice("INV-1", updated_at="2026-10-16 08:00:00")],
        "ar_invoice_lines": [invoice_line("INV-1", 2, "10.50", dimensions='{"REGION": "10001"}'),
                             invoice_line("INV-1", 10, "3")],
    })
    with open_source(path) as source:
        [document] = _all(source, "ar_invoice")
    assert document.problems == []
    assert document.header["invoice_date"] == date(2026, 10, 15)
    assert document.updated_at == datetime(2026, 10, 16, 8, tzinfo=UTC)  # naive text is UTC
    assert document.header["entity_id"] is None  # missing optional value
    assert [line["line_no"] for line in document.lines] == [2, 10]  # numeric order, not text order
    assert document.lines[0]["amount"] == Decimal("10.50")
    assert document.lines[0]["dimensions"] == {"REGION": "10001"}
    assert document.lines[1]["dimensions"] == {}


def test_every_malformed_row_kind_surfaces_with_table_key_and_column(tmp_path):
    path = write_erp(tmp_path / "erp.db", {
        "ar_invoices": [
            invoice("INV-1"),
            invoice("INV-2", invoice_date="2026-13-45"),
            invoice("INV-3"),  # no lines
            invoice("INV-4", updated_at="2026-10-16T08:00:00Z"),
            invoice("INV-4", updated_at="2026-10-17T08:00:00Z", description="re-entered"),
            invoice("INV-5", due_date="11/05/2026"),
            invoice("INV-6", updated_at="yesterday"),
        ],
        "ar_invoice_lines": [
            invoice_line("INV-1", 1),
            invoice_line("INV-2", 1),
            invoice_line("INV-4", 1),
            invoice_line("INV-5", 1),
            invoice_line("INV-5", 2, "12,5O"),
            invoice_line("INV-5", 3, dimensions='{"REGION": '),
            invoice_line("INV-5", 4, dimensions='["10001"]'),
            invoice_line("INV-5", "x"),
            invoice_line("INV-6", 1),
            invoice_line("INV-9", 1),  # orphan: INV-9 has no header
            invoice_line("INV-9", 2),
        ],
    })
    with open_source(path) as source:
        documents = {d.key: d for d in _all(source, "ar_invoice")}

    assert documents["INV-1"].problems == []
    assert _problems(documents["INV-2"]) == [
        "ar_invoices 'INV-2', column invoice_date: '2026-13-45' is not a valid calendar date"]
    assert documents["INV-2"].header["invoice_date"] is None
    assert _problems(documents["INV-3"]) == [
        "ar_invoice_lines 'INV-3', column invoice_no: the document has no lines in ar_invoice_lines"]
    assert _problems(documents["INV-4"]) == ["ar_invoices 'INV-4', column invoice_no: 'INV-4' appears 2 times in ar_invoices"]
    assert documents["INV-4"].header["description"] == "re-entered"  # the latest row
    assert _problems(documents["INV-5"]) == [
        "ar_invoices 'INV-5', column due_date: '11/05/2026' is not a date (expected YYYY-MM-DD)",
        "ar_invoice_lines 'INV-5 line 2', column amount: '12,5O' is not a number",
        "ar_invoice_lines 'INV-5 line 3', column dimensions: '{\"REGION\": ' is not valid JSON",
        "ar_invoice_lines 'INV-5 line 4', column dimensions: "
        "'[\"10001\"]' is not a JSON object of dimension name to value id",
        "ar_invoice_lines 'INV-5 line x', column line_no: 'x' is not a whole number",
    ]
    assert [line["amount"] for line in documents["INV-5"].lines][:2] == [Decimal("100.00"), None]
    assert _problems(documents["INV-6"]) == ["ar_invoices 'INV-6', column updated_at: 'yesterday' is not an ISO 8601 timestamp"]
    assert documents["INV-9"].header == {}
    assert _problems(documents["INV-9"]) == ["ar_invoice_lines 'INV-9', column invoice_no: lines have no header in ar_invoices"]
    assert len(documents["INV-9"].lines) == 2
    assert len(documents) == 7  # every key exactly once


def test_rows_without_updated_at_or_key_are_not_lost(tmp_path):
    path = write_erp(tmp_path / "erp.db", {
        "ar_invoices": [invoice("INV-1", updated_at=None), invoice(None, updated_at="2026-01-01T00:00:00Z")],
        "ar_invoice_lines": [invoice_line("INV-1", 1), invoice_line(None, 1)],
    })
    with open_source(path) as source:
        documents = _all(source, "ar_invoice", changed_since=datetime(2025, 1, 1, tzinfo=UTC))
    messages = sorted(str(p) for d in documents for p in d.problems)
    assert "ar_invoices 'INV-1', column updated_at: updated_at is missing, so the record is read on every run" in messages
    # Records without a number are known by a stable stand-in, so the ledger can record why they fail.
    [unnumbered] = [d for d in documents if d.header and d.key.startswith("(no invoice_no ")]
    assert [str(p) for p in unnumbered.problems] == [
        f"ar_invoices {unnumbered.key!r}, column invoice_no: invoice_no is missing"]
    [orphans] = [d for d in documents if not d.header]
    assert orphans.key.startswith("(no invoice_no ") and orphans.key != unnumbered.key
    assert [str(p) for p in orphans.problems][0] == (
        f"ar_invoice_lines {orphans.key!r}, column invoice_no: 1 line(s) have no document number")
    assert next(d for d in documents if d.key == "INV-1").lines[0]["line_no"] == 1
    again = {d.key for d in _all(open_source(path), "ar_invoice", changed_since=datetime(2025, 1, 1, tzinfo=UTC))}
    assert {unnumbered.key, orphans.key} <= again  # the same stand-ins on every read


def test_incremental_read_returns_exactly_the_documents_changed_in_the_window(generated_erp):
    with open_source(generated_erp["db"]) as source:
        everything = [d for d in _all(source, "ar_invoice") if d.header]
        stamps = sorted({d.updated_at for d in everything if d.updated_at})
        since, until = stamps[len(stamps) // 3], stamps[2 * len(stamps) // 3]
        changed = [d for d in _all(source, "ar_invoice", changed_since=since, changed_until=until) if d.header]
        naive = _all(source, "ar_invoice", changed_since=since.replace(tzinfo=None), changed_until=until)
    expected = {d.key for d in everything if since < d.updated_at <= until}
    assert {d.key for d in changed} == expected
    assert {d.key for d in naive if d.header} == expected  # a naive bound is UTC
    order = [(d.updated_at, d.key) for d in changed]
    assert order == sorted(order)  # a caller can checkpoint on the last (updated_at, key)


def test_orphan_lines_come_with_every_read_without_a_posting_window(generated_erp):
    orphan_keys = {d["key"] for d in generated_erp["manifest"]["documents"]
                   if d["defects"] == ["orphan_lines"] and d["doc_type"] == "ap_bill"}
    assert orphan_keys
    with open_source(generated_erp["db"]) as source:
        late = _all(source, "ap_bill", changed_since=datetime(2099, 1, 1, tzinfo=UTC))
        windowed = _all(source, "ap_bill", posting_date_from=date(2026, 10, 1), posting_date_to=date(2026, 11, 22))
    assert {d.key for d in late} == orphan_keys
    assert all(d.header == {} for d in late)
    assert not orphan_keys & {d.key for d in windowed}


def test_posting_date_window_selects_by_document_date(generated_erp):
    start, end = date(2026, 10, 10), date(2026, 10, 20)
    with open_source(generated_erp["db"]) as source:
        everything = [d for d in _all(source, "journal_entry") if d.header]
        windowed = _all(source, "journal_entry", posting_date_from=start, posting_date_to=end)
    expected = {d.key for d in everything if d.posting_date and start <= d.posting_date <= end}
    assert expected and {d.key for d in windowed} == expected


def test_headers_are_read_in_pages_of_at_most_chunk_size(generated_erp):
    with open_source(generated_erp["db"]) as source:
        header_selects = []

        @sa.event.listens_for(source._engine, "before_cursor_execute")
        def record(conn, cursor, statement, parameters, context, executemany):
            if "FROM ar_invoices" in statement and "ar_invoice_lines" not in statement and "count" not in statement:
                header_selects.append(statement)

        pages = list(source.iter_documents("ar_invoice", chunk_size=50))
    documents = sum(len(page) for page in pages)
    assert all(len(page) <= 50 for page in pages)
    assert len(pages) >= documents // 50
    keyset = [s for s in header_selects if "updated_at IS NOT NULL" in s]
    assert len(keyset) >= documents // 50 and all("LIMIT" in s for s in header_selects)


def test_key_filter_and_get_documents_return_the_named_documents(generated_erp):
    manifest = generated_erp["manifest"]
    orphan = next(d["key"] for d in manifest["documents"] if d["defects"] == ["orphan_lines"]
                  and d["doc_type"] == "ar_invoice")
    duplicate = next(d["key"] for d in manifest["documents"] if d["defects"] == ["duplicate_document_number"]
                     and d["doc_type"] == "ar_invoice")
    wanted = ["INV-100001", "INV-100002", orphan, duplicate, "INV-0"]
    with open_source(generated_erp["db"]) as source:
        found = source.get_documents("ar_invoice", wanted)
        paged = list(source.iter_documents("ar_invoice", keys=wanted, chunk_size=2))
    assert sorted(d.key for d in found) == sorted(wanted[:4])
    assert sorted(d.key for page in paged for d in page) == sorted(wanted[:4])


def test_masters_are_read_incrementally(generated_erp):
    with open_source(generated_erp["db"]) as source:
        customers = [m for page in source.iter_masters("customer", chunk_size=40) for m in page]
        since = sorted(m.updated_at for m in customers)[100]
        recent = [m for page in source.iter_masters("customer", changed_since=since) for m in page]
    assert {m.key for m in recent} == {m.key for m in customers if m.updated_at > since}
    assert customers[0].fields["customer_id"] == customers[0].key and customers[0].problems == []


def test_missing_required_column_fails_fast_naming_table_and_column(tmp_path):
    path = write_erp(tmp_path / "erp.db", {}, drop_columns={"ap_bills": ["vendor_id"]})
    with pytest.raises(ErpSourceError, match=r"'ap_bills'.*lacks required column vendor_id"):
        open_source(path)


def test_missing_optional_and_extra_columns_are_tolerated(tmp_path):
    path = write_erp(tmp_path / "erp.db", {
        "ar_invoices": [invoice("INV-1", legacy_flag="Y")],
        "ar_invoice_lines": [invoice_line("INV-1", 1)],
    }, extra_columns={"ar_invoices": ["legacy_flag"]}, drop_columns={"ar_invoice_lines": ["memo", "dimensions"]})
    with open_source(path) as source:
        [document] = _all(source, "ar_invoice")
    assert "legacy_flag" not in document.header
    assert document.lines[0]["memo"] is None and document.lines[0]["dimensions"] == {}


def test_missing_table_is_reported_when_read(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("create table customers (customer_id TEXT, name TEXT, status TEXT, updated_at TEXT)")
    source = open_source(f"sqlite:///{tmp_path / 'erp.db'}")
    with pytest.raises(ErpSourceError, match="has no table 'ap_bills'"):
        list(source.iter_documents("ap_bill"))
    source.close()


def test_csv_folder_reads_like_the_database(generated_erp):
    def snapshot(source):
        return {(d.doc_type, d.key): (d.header, d.lines, d.problems)
                for doc_type in DOCUMENT_SPECS for d in _all(source, doc_type, chunk_size=300)}

    with open_source(generated_erp["db"]) as database, \
            open_source(f"csv:{generated_erp['csv']}", staging_dir=generated_erp["stage"]) as folder:
        from_database, from_csv = snapshot(database), snapshot(folder)
        masters_db = [m for page in database.iter_masters("vendor") for m in page]
        masters_csv = [m for page in folder.iter_masters("vendor") for m in page]
    assert from_csv == from_database
    assert masters_csv == masters_db


def test_csv_folder_is_restaged_only_when_a_file_changed(tmp_path, generated_erp):
    import shutil

    folder = tmp_path / "csv"
    shutil.copytree(generated_erp["csv"], folder)
    stage_dir = tmp_path / "stage"
    with open_source(folder, staging_dir=stage_dir):
        pass
    [stage] = stage_dir.glob("*.sqlite")
    first = stage.stat().st_mtime_ns
    with open_source(folder, staging_dir=stage_dir):
        pass
    assert stage.stat().st_mtime_ns == first
    with (folder / "items.csv").open("a") as handle:
        handle.write("I-9999,Widget,Non-Inventory,active,2026-11-22T10:00:00Z\n")
    with open_source(folder, staging_dir=stage_dir) as source:
        items = [m.key for page in source.iter_masters("item") for m in page]
    assert "I-9999" in items
    assert stage.stat().st_mtime_ns != first


def test_csv_file_missing_a_required_column_fails_naming_file_and_column(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "items.csv").write_text("item_id,name,updated_at\nI-1,Widget,2026-11-22\n")
    with pytest.raises(ErpSourceError, match=r"items.csv \(table 'items'\) lacks required column status"):
        open_source(folder, staging_dir=tmp_path / "stage")


def test_views_with_the_contract_names_serve_as_a_source(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("create table erp_items (code TEXT, label TEXT, active INTEGER, changed TEXT)")
        conn.exec_driver_sql("insert into erp_items values ('I-1', 'Widget', 1, '2026-11-01 10:00:00')")
        conn.exec_driver_sql("create view items as select code as item_id, label as name, "
                             "case active when 1 then 'active' else 'inactive' end as status, "
                             "changed as updated_at from erp_items")
        conn.exec_driver_sql("create view vendors as select code as vendor_id from erp_items")
    engine.dispose()
    with pytest.raises(ErpSourceError, match="'vendors'.*lacks required column name, status, updated_at"):
        open_source(tmp_path / "erp.db")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("drop view vendors")
    engine.dispose()
    with open_source(tmp_path / "erp.db") as source:
        [[item]] = list(source.iter_masters("item"))
    assert item.fields == {"item_id": "I-1", "name": "Widget", "item_type": None, "status": "active",
                           "updated_at": datetime(2026, 11, 1, 10, tzinfo=UTC)}


def test_key_filter_longer_than_one_query_batch_finds_every_document(generated_erp):
    with open_source(generated_erp["db"]) as source:
        everything = {d.key: d for d in _all(source, "ar_invoice")}
        assert len(everything) > 500  # more than one IN-list batch
        found = source.get_documents("ar_invoice", list(everything))
    assert {d.key: d for d in found} == everything


def test_readme_section_shows_the_current_contract_and_defect_tables():
    from pathlib import Path

    from include.erp import defects

    readme = (Path(__file__).resolve().parents[3] / "docs" / "reference" / "erp-contract.md").read_text()
    assert contract.markdown_tables().strip() in readme
    assert defects.markdown_table().strip() in readme


def test_a_missing_sqlite_erp_is_refused_not_created_empty(tmp_path):
    from include.erp.source import ErpSourceError

    missing = tmp_path / "nowhere" / "erp.db"
    with pytest.raises(ErpSourceError, match="the SQLite file .*erp.db does not exist"):
        open_source(f"sqlite:///{missing}")
    assert not missing.exists()


def test_the_document_count_for_progress_lines_is_about_what_a_read_yields(generated_erp):
    with open_source(generated_erp["db"]) as source:
        everything = [d for d in _all(source, "ar_invoice") if d.header]
        stamps = sorted({d.updated_at for d in everything if d.updated_at})
        since = stamps[len(stamps) // 2]
        window = [d for d in _all(source, "ar_invoice", changed_since=since) if d.header]
        assert source.count_documents("ar_invoice") >= len(everything) * 0.98
        # Text timestamps are pre-filtered with a day of slack: the count errs on the high side.
        assert len(window) <= source.count_documents("ar_invoice", changed_since=since) <= len(everything)
        assert source.count_documents("ar_invoice", keys=["INV-1", "INV-2", "INV-1"]) == 2
