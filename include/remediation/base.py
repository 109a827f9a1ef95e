"""What every remediation handler gets and returns.

A handler takes the documents of one error class that this run left in error
and does what that class's route says (``include.error_classes``). Every
automatic decision it takes goes to the ledger's event log with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from include.error_classes import ErrorClass
from include.ledger import Status


@dataclass
class RemediationContext:
    run_id: str
    doc_types: tuple[str, ...]
    ledger: Any
    settings: Any
    source_factory: Callable[[], Any]
    client_factory: Callable[[], Any]

    @cached_property
    def source(self):
        return self.source_factory()

    @cached_property
    def client(self):
        return self.client_factory()

    @cached_property
    def term_mapping(self):
        """The payment-term mapping file, applied to every document a route posts."""
        from include.remediation.terms import TermMapping

        return TermMapping.load(self.settings.term_mapping_file)

    def rows_in_error(self, error_class: ErrorClass, doc_type: str) -> list:
        """This run's documents of ``doc_type`` left in error with ``error_class``."""
        return self.ledger.find(object_type=doc_type, status=Status.ERROR.value, error_class=error_class.value,
                                run_id=self.run_id)


@dataclass
class RemediationResult:
    error_class: str
    considered: int = 0
    outcomes: Counter = field(default_factory=Counter)  # what happened -> count
    files: list[str] = field(default_factory=list)
    api: dict[str, int] = field(default_factory=dict)  # the client's metrics, when it was used

    def to_json(self) -> dict:
        return {"error_class": self.error_class, "considered": self.considered, "outcomes": dict(self.outcomes),
                "files": self.files, "api": self.api}


class Handler:
    """Base class: subclasses implement ``remediate``; ``error_class`` is the class routed to it."""

    error_class: ClassVar[ErrorClass | None] = None

    def __init__(self, error_class: ErrorClass | str | None = None):
        if error_class is not None:
            self.error_class = ErrorClass(error_class)
        if self.error_class is None:
            raise ValueError(f"{type(self).__name__} needs the error class it handles")

    def remediate(self, context: RemediationContext) -> RemediationResult:
        raise NotImplementedError

    def rows_by_type(self, context: RemediationContext, result: RemediationResult, doc_types=None):
        """(doc_type, rows) for each document type with documents of this class left in error by the
        run; counts them as considered."""
        for doc_type in context.doc_types if doc_types is None else doc_types:
            rows = context.rows_in_error(self.error_class, doc_type)
            if rows:
                result.considered += len(rows)
                yield doc_type, rows
