"""Migrations create the ledger in an empty database, are idempotent, and share a database politely."""

import sqlalchemy as sa

from include.ledger import Ledger, migrate
from include.ledger.db import VERSION_TABLE


def test_migrate_creates_the_tables_on_an_empty_database_and_is_idempotent(ledger_url):
    engine = sa.create_engine(ledger_url)
    with engine.begin() as conn:  # whatever else lives in the database is left alone
        conn.execute(sa.text("drop table if exists ledger_events"))
        conn.execute(sa.text("drop table if exists ledger_objects"))
        conn.execute(sa.text(f"drop table if exists {VERSION_TABLE}"))
        for name in sa.inspect(conn).get_table_names():
            conn.execute(sa.text(f"drop table {name}"))
        conn.execute(sa.text("create table alembic_version (version_num varchar(32) primary key)"))
        conn.execute(sa.text("insert into alembic_version values ('someone_elses_head')"))

    first = migrate(ledger_url)
    second = migrate(ledger_url)

    assert first == second is not None
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert {"ledger_objects", "ledger_events", VERSION_TABLE} <= tables
        assert conn.execute(sa.text(f"select count(*) from {VERSION_TABLE}")).scalar() == 1
        assert (
            conn.execute(sa.text("select version_num from alembic_version")).scalar() == "someone_elses_head"
        )
    engine.dispose()
    with Ledger(ledger_url) as ledger:
        assert ledger.observe("customer", "C-1", "v1").changed
