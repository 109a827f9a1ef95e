"""Create the ledger: one row per synced object and an append-only event log.

Revision ID: 0001_ledger_objects_and_events
Revises:
"""

import sqlalchemy as sa
from alembic import op

from include.ledger.types import Amount, UtcDateTime

revision = "0001_ledger_objects_and_events"
down_revision = None
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_APPEND_ONLY = "ledger_events is append-only: events are never updated or deleted"


def upgrade() -> None:
    op.create_table(
        "ledger_objects",
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
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
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
        sa.UniqueConstraint("object_type", "key", name="uq_ledger_objects_type_key"),
        sa.CheckConstraint(
            "status in ('not_integrated', 'pending', 'success', 'error', 'desynchronized')",
            name="ck_ledger_objects_status",
        ),
        sa.CheckConstraint("category in ('finance', 'master')", name="ck_ledger_objects_category"),
        sa.CheckConstraint(
            "hold is null or hold in ('closed_period', 'dimension_unavailable', "
            "'invalid_reference', 'payment_term', 'manual')",
            name="ck_ledger_objects_hold",
        ),
        sa.CheckConstraint("status = 'pending' or claim_run_id is null", name="ck_ledger_objects_claim"),
    )
    op.create_index("ix_ledger_objects_status", "ledger_objects", ["status", "object_type"])
    op.create_index("ix_ledger_objects_error_class", "ledger_objects", ["error_class"])
    op.create_index("ix_ledger_objects_hold", "ledger_objects", ["hold", "held_for_period"])
    op.create_index("ix_ledger_objects_last_run_id", "ledger_objects", ["last_run_id"])
    op.create_index("ix_ledger_objects_key", "ledger_objects", ["key"])

    op.create_table(
        "ledger_events",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column(
            "object_id",
            _Id,
            sa.ForeignKey("ledger_objects.id", name="fk_ledger_events_object"),
            nullable=False,
        ),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20)),
        sa.Column("source_version", sa.String(64)),
        sa.Column("run_id", sa.String(250)),
        sa.Column("actor", sa.String(200)),
        sa.Column("reason", sa.Text),
        sa.Column("details", sa.JSON),
    )
    op.create_index("ix_ledger_events_object", "ledger_events", ["object_id", "id"])

    # The API never changes an event; the database refuses it too, whoever asks.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            create or replace function ledger_events_append_only() returns trigger language plpgsql as $$
            begin raise exception '{_APPEND_ONLY}'; end $$""")
        op.execute("""
            create trigger ledger_events_append_only before update or delete or truncate on ledger_events
            for each statement execute function ledger_events_append_only()""")
    else:
        for operation in ("update", "delete"):
            op.execute(f"""
                create trigger ledger_events_no_{operation} before {operation} on ledger_events
                begin select raise(abort, '{_APPEND_ONLY}'); end""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("drop trigger if exists ledger_events_append_only on ledger_events")
        op.execute("drop function if exists ledger_events_append_only()")
    op.drop_table("ledger_events")
    op.drop_table("ledger_objects")
