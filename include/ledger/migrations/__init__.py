"""Alembic migrations of the ledger's database (one chain, version table ``ledger_alembic_version``).

The chain lives inside the package so it ships with the code and can share a
database with Airflow's own tables. Run it with ``include.ledger.db.migrate(url)``
or ``python -m include.ledger --url URL upgrade``.

Adding a revision (for example the master-data reference store's tables):

1. Create ``versions/NNNN_<what_it_does>.py`` with ``revision = "NNNN_<what_it_does>"`` and
   ``down_revision`` set to the current head (the highest-numbered file), plus
   ``upgrade()`` (and ``downgrade()``) written with ``alembic.op``; ``script.py.mako``
   is the template.
2. Keep it portable: it runs on SQLite and PostgreSQL. On SQLite, alter tables with
   ``with op.batch_alter_table(...)``. Branch on ``op.get_bind().dialect.name`` for
   anything dialect-specific (triggers).
3. Never edit a revision that has been released; add a new one.
4. Update ``include/ledger/schema.py`` to the new shape, and add a test that the
   migration upgrades an existing database.
"""
