"""Great Expectations validation of ERP documents before they reach Intacct.

Importing this package does not import pandas or Great Expectations; creating a
``DocumentValidator`` does.
"""

from include.quality.outcome import ERROR_CLASS_PRECEDENCE, DocumentFailure, Issue, ValidationOutcome
from include.quality.reference_snapshot import AccountRef, ReferenceSnapshot, UddRef
from include.quality.validator import DocumentValidator

__all__ = [
    "ERROR_CLASS_PRECEDENCE",
    "AccountRef",
    "DocumentFailure",
    "DocumentValidator",
    "Issue",
    "ReferenceSnapshot",
    "UddRef",
    "ValidationOutcome",
]
