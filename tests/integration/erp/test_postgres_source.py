"""The ERP source on the local PostgreSQL: the generated dataset reads the same as
from SQLite and CSV, and natively typed columns (DATE, NUMERIC, TIMESTAMPTZ) read
and filter like text ones."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from include.erp.documents import DOCUMENT_SPECS, MASTER_SPECS
from include.erp.generate import generate
from include.erp.source import ErpSourceError, open_source

pytestmark = pytest.mark.postgres

AS_OF = date(2026, 11, 22)


def _snapshot(source, chunk_size):
    documents = {(d.doc_type, d.key): (d.header, d.lines, d.problems)
                 for doc_type in DOCUMENT_SPECS
                 for page in source.iter_documents(doc_type, chunk_size=chunk_size) for d in page}
    masters = {(m.object_type, m.key): (m.fields, m.problems)
               for object_type in MASTER_SPECS for page in source.iter_masters(object_type) for m in page}
    return documents, masters


def test_postgres_sqlite_and_csv_read_the_same_generated_erp_identically(postgres_url, tmp_path):
    arguments = {"lines": 1500, "seed": 11, "as_of": AS_OF, "defect_rate": 0.5}
    on_postgres = generate(postgres_url, **arguments)
    on_sqlite = generate(str(tmp_path / "erp.db"), csv_dir=tmp_path / "csv", **arguments)
    assert on_postgres == on_sqlite
    with open_source(postgres_url) as postgres, open_source(tmp_path / "erp.db") as sqlite, \
            open_source(tmp_path / "csv", staging_dir=tmp_path / "stage") as folder:
        from_postgres = _snapshot(postgres, chunk_size=97)
        assert from_postgres == _snapshot(sqlite, chunk_size=500)
        assert from_postgres == _snapshot(folder, chunk_size=2000)
        stamps = sorted(d[0]["updated_at"] for d in from_postgres[0].values() if d[0].get("updated_at"))
        since = stamps[len(stamps) // 2]
        changed = {(t, d.key) for t in DOCUMENT_SPECS
                   for page in postgres.iter_documents(t, changed_since=since) for d in page if d.header}
    assert changed == {k for k, d in from_postgres[0].items() if d[0] and d[0]["updated_at"]
                       and d[0]["updated_at"] > since}


@pytest.fixture
def typed_erp(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "create table ar_invoices (invoice_no varchar(20), customer_id varchar(20), invoice_date date, "
            "due_date date, term_name text, currency char(3), description text, entity_id text, "
            "updated_at timestamptz, erp_internal_flag boolean)")
        conn.exec_driver_sql(
            "create table ar_invoice_lines (invoice_no varchar(20), line_no integer, account_no varchar(10), "
            "amount numeric(14, 2), memo text, item_id text, department_id text, location_id text, "
            "class_id text, project_id text, dimensions jsonb)")
        conn.exec_driver_sql(
            "insert into ar_invoices values "
            "('INV-1', 'C-1001', '2026-10-05', '2026-11-04', 'Net 30', 'USD', 'first', null, "
            "'2026-10-06 09:00:00+00', true), "
            "('INV-2', 'C-1002', '2026-11-02', '2026-12-02', 'Net 30', 'USD', 'second', null, "
            "'2026-11-03 09:00:00-05', false)")
        conn.exec_driver_sql(
            "insert into ar_invoice_lines values "
            "('INV-1', 1, '4000', 125.50, 'parts', 'I-3001', null, null, null, null, '{\"REGION\": \"10001\"}'), "
            "('INV-2', 1, '4100', 80.00, 'labour', null, null, null, null, 'P-1001', null)")
    engine.dispose()
    return postgres_url


def test_natively_typed_postgres_columns_read_and_filter_like_text(typed_erp):
    with open_source(typed_erp) as source:
        everything = [d for page in source.iter_documents("ar_invoice") for d in page]
        changed = [d for page in source.iter_documents(
            "ar_invoice", changed_since=datetime(2026, 11, 3, 13, 59, tzinfo=UTC)) for d in page]
        october = [d for page in source.iter_documents(
            "ar_invoice", posting_date_from=date(2026, 10, 1), posting_date_to=date(2026, 10, 31)) for d in page]
    first = everything[0]
    assert first.problems == []
    assert first.header["invoice_date"] == date(2026, 10, 5)
    assert first.updated_at == datetime(2026, 10, 6, 9, tzinfo=UTC)
    assert first.lines[0]["amount"] == Decimal("125.50") and first.lines[0]["line_no"] == 1
    assert first.lines[0]["dimensions"] == {"REGION": "10001"}
    assert "erp_internal_flag" not in first.header
    assert [d.key for d in changed] == ["INV-2"]  # 09:00-05 is 14:00 UTC
    assert [d.key for d in october] == ["INV-1"]


def test_postgres_table_missing_a_required_column_fails_fast(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("create table items (item_id text, name text, updated_at timestamptz)")
    engine.dispose()
    with pytest.raises(ErpSourceError, match="'items'.*lacks required column status"):
        open_source(postgres_url)
