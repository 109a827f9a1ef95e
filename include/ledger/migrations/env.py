"""Alembic environment for the ledger, run programmatically (see ``include.ledger.db``).

Online: on the connection given in ``config.attributes["connection"]``. Offline (``as_sql``):
renders the SQL for ``config.attributes["dialect_name"]`` for review or for a DBA to apply.
"""

from alembic import context

from include.ledger.db import VERSION_TABLE

if context.is_offline_mode():
    context.configure(
        dialect_name=context.config.attributes["dialect_name"],
        version_table=VERSION_TABLE,
        literal_binds=True,
        transactional_ddl=False,
    )
else:
    context.configure(
        connection=context.config.attributes["connection"], version_table=VERSION_TABLE, render_as_batch=True
    )
with context.begin_transaction():
    context.run_migrations()
