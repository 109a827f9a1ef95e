"""Alembic environment for the ledger: always run programmatically on a given connection."""

from alembic import context

from include.ledger.db import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
