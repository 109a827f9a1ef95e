"""Create the transactions pipeline's watermarks and per-run selections.

Revision ID: pipeline_0001
Revises: reference_store_0001

Lives in the ledger's chain so one ``migrate(url)`` prepares the whole integration
database. Mirrors include/pipeline/run_store.py (instants are ISO 8601 text with offset).
"""

import sqlalchemy as sa
from alembic import op

revision = "pipeline_0001"
down_revision = "reference_store_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_watermark",
        sa.Column("doc_type", sa.String(40), primary_key=True),
        sa.Column("updated_through", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("advanced_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "pipeline_run_selection",
        sa.Column("run_id", sa.String(250), primary_key=True),
        sa.Column("doc_type", sa.String(40), primary_key=True),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("changed_since", sa.String(40)),
        sa.Column("extracted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pipeline_run_selection")
    op.drop_table("pipeline_watermark")
