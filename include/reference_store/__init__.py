"""The reference store: Intacct's master data cached locally, in the ledger's database.

Validation reads it (through ``build_snapshot``); the master-data DAG writes it.
Tables are created by the ledger's Alembic chain (revision ``reference_store_0001``).
"""

from include.reference_store.snapshot import StaleReferenceData, build_snapshot
from include.reference_store.store import ReferenceStore, StreamState

__all__ = ["ReferenceStore", "StaleReferenceData", "StreamState", "build_snapshot"]
