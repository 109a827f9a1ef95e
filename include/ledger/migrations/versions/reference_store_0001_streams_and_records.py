"""Create the master-data reference store: per-stream refresh state and the records read.

Revision ID: reference_store_0001
Revises: 0001_ledger_objects_and_events

Lives in the ledger's chain so one ``migrate(url)`` prepares the whole integration
database. Instants are naive UTC. Mirrors include/reference_store/tables.py.
"""

import sqlalchemy as sa
from alembic import op

revision = "reference_store_0001"
down_revision = "0001_ledger_objects_and_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ref_streams",
        sa.Column("stream", sa.String(120), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("object_name", sa.String(120), nullable=False),
        sa.Column("label", sa.String(255)),
        sa.Column("available", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("unavailable_reason", sa.Text),
        sa.Column("watermark", sa.DateTime),
        sa.Column("last_refreshed_at", sa.DateTime),
        sa.Column("last_full_refresh_at", sa.DateTime),
        sa.Column("last_run_id", sa.String(250)),
        sa.Column("records_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("api_calls", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quality", sa.Text),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ref_records",
        sa.Column("stream", sa.String(120), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("record_no", sa.BigInteger),
        sa.Column("status", sa.String(40)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("modified_at", sa.DateTime),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("last_seen_run", sa.String(250)),
        sa.Column("refreshed_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_ref_records_stream_active", "ref_records", ["stream", "active"])


def downgrade() -> None:
    op.drop_index("ix_ref_records_stream_active", table_name="ref_records")
    op.drop_table("ref_records")
    op.drop_table("ref_streams")
