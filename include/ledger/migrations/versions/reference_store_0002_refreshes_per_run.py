"""Record the master-data streams a run read again before refusing a document.

Revision ID: reference_store_0002
Revises: pipeline_0001

One row per (run, stream): the run's claim on that read, so a stream is read at most once per
run however many of the run's tasks ask for it. Mirrors ``ref_refreshes`` in
include/reference_store/tables.py. Instants are naive UTC.
"""

import sqlalchemy as sa
from alembic import op

revision = "reference_store_0002"
down_revision = "pipeline_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ref_refreshes",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("stream", sa.String(120), primary_key=True),
        sa.Column("requested_by", sa.String(200)),
        sa.Column("reason", sa.Text),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("api_calls", sa.Integer, nullable=False, server_default="0"),
        sa.Column("records_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("records_changed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("available", sa.Boolean),
        sa.Column("error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("ref_refreshes")
