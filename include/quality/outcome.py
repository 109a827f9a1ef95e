"""What validation returns: valid documents, failures with every issue, and counts.

A failed document's error class is the one of its issues that comes first in
``ERROR_CLASS_PRECEDENCE``: the fix a person must make first wins, and
``closed_period`` comes last so a held document is otherwise clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from include.erp.documents import SourceDocument
from include.error_classes import ErrorClass

ERROR_CLASS_PRECEDENCE: tuple[ErrorClass, ...] = (
    ErrorClass.DATA_QUALITY,
    ErrorClass.INVALID_REFERENCE,
    ErrorClass.DIMENSION_UNAVAILABLE,
    ErrorClass.PAYMENT_TERM,
    ErrorClass.CLOSED_PERIOD,
)


def deciding_error_class(issues: list[Issue]) -> ErrorClass:
    if not issues:
        raise ValueError("a failure needs at least one issue")
    return min((issue.error_class for issue in issues), key=ERROR_CLASS_PRECEDENCE.index)


@dataclass(frozen=True)
class Issue:
    """One failed check on one document: ``line_no`` is None for header-level checks."""

    line_no: int | None
    field: str
    expectation: str  # the Great Expectations expectation type that failed
    error_class: ErrorClass
    message: str

    def to_json_dict(self) -> dict[str, Any]:
        return {"line_no": self.line_no, "field": self.field, "expectation": self.expectation,
                "error_class": str(self.error_class), "message": self.message}


@dataclass
class DocumentFailure:
    document: SourceDocument
    error_class: ErrorClass
    issues: list[Issue]

    @property
    def message(self) -> str:
        """Every issue, one per line, deciding class first."""
        return "\n".join(issue.message for issue in self.issues)

    def to_json_dict(self) -> dict[str, Any]:
        return {"doc_type": self.document.doc_type, "key": self.document.key,
                "source_version": self.document.source_version, "error_class": str(self.error_class),
                "message": self.message, "issues": [issue.to_json_dict() for issue in self.issues]}


@dataclass
class ValidationOutcome:
    valid: list[SourceDocument] = field(default_factory=list)
    failed: list[DocumentFailure] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON types only (safe for XCom): valid keys, failures and stats."""
        return {"valid": [document.key for document in self.valid],
                "failed": [failure.to_json_dict() for failure in self.failed],
                "stats": self.stats}
