"""A migrated ledger on SQLite and on the local PostgreSQL, for every test here.

Migrating is the slow part of a test's setup, so it is done once per session: SQLite
tests copy a migrated file; PostgreSQL tests run, in their fresh schema, the SQL that
the migrations render for PostgreSQL. ``test_migrations.py`` runs the real ``migrate``.
"""

import shutil

import pytest
import sqlalchemy as sa

from include.ledger import Ledger, migrate
from include.ledger.db import migration_sql


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger-template") / "ledger.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_migration_sql():
    return migration_sql("postgresql")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request, tmp_path):
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql(request.getfixturevalue("_postgres_migration_sql"))
            conn.commit()
        engine.dispose()
        return url
    path = tmp_path / "ledger.db"
    shutil.copy(request.getfixturevalue("_migrated_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def ledger(ledger_url):
    with Ledger(ledger_url) as ledger:
        yield ledger
