"""The valid / failed split of one chunk of ERP documents of one type.

    validator = DocumentValidator("ar_invoice", snapshot)   # builds the GX suite once
    outcome = validator.validate(documents)                 # per chunk, as often as needed

Every failing row of every expectation becomes an Issue on its document; a document
with any issue is failed (never reaches the gateway) and keeps all its issues.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from include.erp.documents import DOCUMENT_SPECS, SourceDocument
from include.quality.checks import Check, Finding, checks_for
from include.quality.frame import build_frame
from include.quality.gx_suite import SuiteRunner
from include.quality.limits import preview
from include.quality.outcome import (
    ERROR_CLASS_PRECEDENCE,
    DocumentFailure,
    Issue,
    ValidationOutcome,
    deciding_error_class,
)
from include.quality.reference_snapshot import ReferenceSnapshot


def document_label(document: SourceDocument, line: dict[str, Any] | None, line_index: int) -> str:
    label = f"{document.doc_type} {preview(document.key)}"
    if line is None:
        return label
    line_no = line.get("line_no")
    if isinstance(line_no, int) and not isinstance(line_no, bool):
        return f"{label} line {line_no}"
    return f"{label} line #{line_index + 1} (no line number)"


class DocumentValidator:
    """Validates chunks of one document type against one reference snapshot."""

    def __init__(self, doc_type: str, snapshot: ReferenceSnapshot):
        if doc_type not in DOCUMENT_SPECS:
            raise ValueError(f"unknown document type {doc_type!r}; expected one of {sorted(DOCUMENT_SPECS)}")
        if not isinstance(snapshot, ReferenceSnapshot):
            raise TypeError(f"snapshot must be a ReferenceSnapshot, got {type(snapshot).__name__}")
        self.doc_type = doc_type
        self.snapshot = snapshot
        self.checks: tuple[Check, ...] = checks_for(doc_type)
        self._checks_by_name = {check.name: check for check in self.checks}
        self._check_order = {check.name: position for position, check in enumerate(self.checks)}
        self._runner = SuiteRunner(f"{doc_type}_suite", self.checks)

    def __repr__(self) -> str:
        return f"DocumentValidator({self.doc_type!r}, {len(self.checks)} checks)"

    def validate(self, documents: list[SourceDocument]) -> ValidationOutcome:
        started = time.perf_counter()
        documents = list(documents)
        for position, document in enumerate(documents):
            if not isinstance(document, SourceDocument):
                raise TypeError(f"item {position} of the chunk is a {type(document).__name__}, not a SourceDocument")
            if document.doc_type != self.doc_type:
                raise ValueError(f"{document.doc_type} {document.key!r} given to the {self.doc_type} validator")
        if not documents:
            return ValidationOutcome(stats=self._stats(documents, [], {}, started))

        frame = build_frame(self.doc_type, documents, self.snapshot)
        failing = self._runner.failing_rows(frame.data)
        issues_by_document = self._issues(documents, frame.row_document, frame.row_line, failing)

        valid, failed = [], []
        for position, document in enumerate(documents):
            issues = issues_by_document.get(position)
            if not issues:
                valid.append(document)
                continue
            issues.sort(key=lambda i: (ERROR_CLASS_PRECEDENCE.index(i[1].error_class),
                                       -1 if i[1].line_no is None else i[1].line_no, i[0]))
            ordered = [issue for _, issue in issues]
            failed.append(DocumentFailure(document, deciding_error_class(ordered), ordered))
        return ValidationOutcome(valid, failed, self._stats(documents, failed, failing, started))

    def _issues(self, documents: list[SourceDocument], row_document: list[int], row_line: list[int],
                failing: dict[str, tuple[str, list[int]]]) -> dict[int, list[tuple[int, Issue]]]:
        key_counts = Counter(document.key for document in documents)
        issues: dict[int, list[tuple[int, Issue]]] = {}
        unexplained: dict[int, tuple[Check, str, str]] = {}
        for check_name, (expectation_type, rows) in failing.items():
            check = self._checks_by_name[check_name]
            seen_documents: set[int] = set()
            for row in rows:
                position, line_index = row_document[row], row_line[row]
                if check.scope == "header":
                    if position in seen_documents:
                        continue
                    seen_documents.add(position)
                    line = None
                elif line_index < 0:
                    continue  # a header without lines: the has_lines check reports it
                else:
                    line = documents[position].lines[line_index]
                document = documents[position]
                finding = Finding(document, line, line_index, self.snapshot, key_counts)
                label = document_label(document, line, line_index)
                line_no = line.get("line_no") if line is not None else None
                line_no = line_no if isinstance(line_no, int) and not isinstance(line_no, bool) else None
                explanation = check.explain(finding)
                if not explanation:
                    unexplained.setdefault(position, (check, expectation_type, label))
                for field_name, text in explanation:
                    issue = Issue(line_no, field_name, expectation_type, check.error_class,
                                  f"{label}, field {field_name}: {text}")
                    issues.setdefault(position, []).append((self._check_order[check_name], issue))
        # A check stays silent only where another check of the same document speaks (e.g. a
        # reader problem instead of "missing"); should none speak, the row must still fail.
        for position, (check, expectation_type, label) in unexplained.items():
            if position not in issues:
                issues[position] = [(self._check_order[check.name], Issue(
                    None, "document", expectation_type, check.error_class, f"{label}: failed check {check.name}"))]
        return issues

    def _stats(self, documents: list[SourceDocument], failed: list[DocumentFailure],
               failing: dict[str, tuple[str, list[int]]], started: float) -> dict[str, Any]:
        by_class = Counter(str(failure.error_class) for failure in failed)
        return {
            "doc_type": self.doc_type,
            "documents": len(documents),
            "lines": sum(len(document.lines) for document in documents),
            "valid": len(documents) - len(failed),
            "failed": len(failed),
            "failed_by_class": dict(sorted(by_class.items())),
            "failing_rows_by_check": {name: len(rows) for name, (_, rows) in sorted(failing.items())},
            "expectations": len(self.checks),
            "seconds": round(time.perf_counter() - started, 3),
        }
