"""A migrated ledger on SQLite and on the local PostgreSQL, for every test here.

SQLite tests copy a database migrated once per session (migrating is the slow part);
PostgreSQL tests migrate a fresh schema each.
"""

import shutil

import pytest

from include.ledger import Ledger, migrate


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger-template") / "ledger.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    path = tmp_path / "ledger.db"
    shutil.copy(request.getfixturevalue("_migrated_sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def ledger(ledger_url):
    with Ledger(ledger_url) as ledger:
        if ledger.url.get_backend_name() != "sqlite":
            ledger.migrate()
        yield ledger
