"""The reference store's tables (SQLAlchemy Core). Instants are naive UTC.

The schema itself is created by the Alembic revisions
``include/ledger/migrations/versions/reference_store_0001_streams_and_records.py`` and
``reference_store_0002_refreshes_per_run.py``; keep them in step.
"""

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per stream: when it was last refreshed, up to which change it has been read.
ref_streams = sa.Table(
    "ref_streams",
    metadata,
    sa.Column("stream", sa.String(120), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # object | udd | dimensions | closed_books
    sa.Column("object_name", sa.String(120), nullable=False),
    sa.Column("label", sa.String(255)),
    sa.Column("available", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("unavailable_reason", sa.Text),
    sa.Column("watermark", sa.DateTime),  # newest WHENMODIFIED (or WHENCREATED) actually read
    sa.Column("last_refreshed_at", sa.DateTime),
    sa.Column("last_full_refresh_at", sa.DateTime),
    sa.Column("last_run_id", sa.String(250)),
    sa.Column("records_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("api_calls", sa.Integer, nullable=False, server_default="0"),
    sa.Column("quality", sa.Text),  # JSON: the last run's failed checks
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# One row per master record, by the stream's business key.
ref_records = sa.Table(
    "ref_records",
    metadata,
    sa.Column("stream", sa.String(120), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("record_no", sa.BigInteger),
    sa.Column("status", sa.String(40)),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("modified_at", sa.DateTime),
    sa.Column("data", sa.Text, nullable=False),  # JSON of the fields read
    sa.Column("last_seen_run", sa.String(250)),
    sa.Column("refreshed_at", sa.DateTime, nullable=False),
    sa.Index("ix_ref_records_stream_active", "stream", "active"),
)

# One row per stream a transactions or resync run read again from Intacct before refusing a document
# (created by the revision reference_store_0002): the run's claim on that read, so it happens at most
# once per stream per run, even with several of the run's tasks asking at the same time.
ref_refreshes = sa.Table(
    "ref_refreshes",
    metadata,
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
