"""The ledger's database: engine settings per dialect, the default location, migrations.

SQLite (the default) runs in WAL mode with a busy timeout and foreign keys on, and
every write transaction starts with ``BEGIN IMMEDIATE`` so read-then-write steps
of concurrent processes are serialized instead of failing with "database is locked".
PostgreSQL relies on row locks taken in id order (``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

REPO_ROOT = Path(__file__).resolve().parents[2]
URL_ENV = "INTEGRATION_DB_URL"
VERSION_TABLE = "ledger_alembic_version"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
_MIGRATION_LOCK_ID = 0x1ED6E5  # PostgreSQL advisory lock: one migrating process at a time
_WRITE = "ledger_write"


def default_url() -> str:
    """``$INTEGRATION_DB_URL``, else a SQLite file under the repository's data folder."""
    return os.environ.get(URL_ENV) or f"sqlite:///{REPO_ROOT / 'data' / 'integration.db'}"


def create_ledger_engine(url: str | sa.URL) -> Engine:
    url = sa.make_url(url)
    if url.get_backend_name() != "sqlite":
        options = {"executemany_mode": "values_plus_batch"} if url.get_driver_name() == "psycopg2" else {}
        return sa.create_engine(url, pool_pre_ping=True, **options)  # batch: one round trip per page, not row
    if url.database in (None, "", ":memory:"):
        raise ValueError(
            "the ledger needs a SQLite file (sqlite:///path/to/file.db), not an in-memory database"
        )
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        immediate = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: takes SQLite's write lock up front."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection, connection.begin():
        yield connection


def _alembic_config(**kwargs):
    from alembic.config import Config

    config = Config(**kwargs)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(url_or_engine: str | sa.URL | Engine) -> str:
    """Create or upgrade the ledger's tables to the newest revision; returns it. Idempotent."""
    from alembic import command

    engine = url_or_engine if isinstance(url_or_engine, Engine) else create_ledger_engine(url_or_engine)
    config = _alembic_config()
    try:
        with write_transaction(engine) as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("select pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            return current_revision(connection)
    finally:
        if engine is not url_or_engine:
            engine.dispose()


def current_revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(sa.text(f"select version_num from {VERSION_TABLE}")).scalar()


def migration_sql(dialect_name: str = "postgresql") -> str:
    """The SQL that ``migrate`` runs on an empty database, for review or for a DBA to apply by hand."""
    import io

    from alembic import command

    output = io.StringIO()
    config = _alembic_config(output_buffer=output)
    config.attributes["dialect_name"] = dialect_name
    command.upgrade(config, "head", sql=True)
    return output.getvalue()
