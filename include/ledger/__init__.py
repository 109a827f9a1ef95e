"""The integration ledger: per-object sync status and an append-only audit trail.

>>> from include.ledger import Ledger, Status
>>> ledger = Ledger(url); ledger.migrate()
"""

from include.ledger.db import default_url, migrate
from include.ledger.inputs import OBJECT_CATEGORIES, LedgerInputError, UnknownObject
from include.ledger.ledger import Ledger
from include.ledger.records import (
    Claim,
    Claims,
    Event,
    FailureGroup,
    LedgerRow,
    Observation,
    Outcome,
    OutcomeReport,
    Refusal,
)
from include.ledger.transitions import TRANSITIONS, Action, Category, Guard, Hold, Status, TransitionRefused

__all__ = [
    "OBJECT_CATEGORIES",
    "TRANSITIONS",
    "Action",
    "Category",
    "Claim",
    "Claims",
    "Event",
    "FailureGroup",
    "Guard",
    "Hold",
    "Ledger",
    "LedgerInputError",
    "LedgerRow",
    "Observation",
    "Outcome",
    "OutcomeReport",
    "Refusal",
    "Status",
    "TransitionRefused",
    "UnknownObject",
    "default_url",
    "migrate",
]
