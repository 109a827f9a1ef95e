"""The ledger's tables as SQLAlchemy Core objects, matching the head migration.

Migrations (``include/ledger/migrations``) create and change the tables; this module
only describes the current shape for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from include.ledger.types import Amount, UtcDateTime

metadata = sa.MetaData()

# An INTEGER PRIMARY KEY is SQLite's rowid; BIGINT elsewhere.
_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

objects = sa.Table(
    "ledger_objects",
    metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("object_type", sa.String(32), nullable=False),
    sa.Column("key", sa.String(128), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("source_version", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("error_class", sa.String(32)),
    sa.Column("last_message", sa.Text),
    sa.Column("intacct_record_no", sa.String(64)),
    sa.Column("intacct_key", sa.String(128)),
    sa.Column("controlid", sa.String(256)),
    sa.Column("controlid_version", sa.String(64)),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("hold", sa.String(32)),
    sa.Column("held_for_period", sa.String(7)),
    sa.Column("released_at", UtcDateTime),
    sa.Column("posting_date", sa.Date),
    sa.Column("amount", Amount),
    sa.Column("posted_version", sa.String(64)),
    sa.Column("claimed_version", sa.String(64)),
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("claim_run_id", sa.String(250)),
    sa.Column("claim_expires_at", UtcDateTime),
    sa.Column("claimed_from_status", sa.String(20)),
    sa.Column("last_run_id", sa.String(250)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("synced_at", UtcDateTime),
)

events = sa.Table(
    "ledger_events",
    metadata,
    sa.Column("id", _Id, primary_key=True, autoincrement=True),
    sa.Column("object_id", _Id, sa.ForeignKey("ledger_objects.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20)),
    sa.Column("source_version", sa.String(64)),
    sa.Column("run_id", sa.String(250)),
    sa.Column("actor", sa.String(200)),
    sa.Column("reason", sa.Text),
    sa.Column("details", sa.JSON(none_as_null=True)),
)
