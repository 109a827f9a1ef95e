"""Data-quality failures: quarantine with the failed expectations.

Writes one quarantine file per run (JSON Lines under ``<data dir>/quarantine/``):
each document with its version, posting date, amount, message and the Great
Expectations checks it failed. The document stays in error; when the ERP shows a
corrected version, the ledger moves it back to not integrated and the next run
validates and posts it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from include.error_classes import ErrorClass
from include.remediation.base import Handler, RemediationContext, RemediationResult


def safe_name(run_id: str) -> str:
    """A run id as a file name (run ids carry ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("_") or "run"


def quarantine_path(data_dir: Path, run_id: str) -> Path:
    return Path(data_dir) / "quarantine" / f"{safe_name(run_id)}.jsonl"


def _failed_expectations(ledger, doc_type: str, key: str) -> list[dict]:
    for event in reversed(ledger.events(doc_type, key)):
        if event.kind == "validation_failed" and event.details:
            return list(event.details.get("issues") or [])
    return []


class DataQualityHandler(Handler):
    error_class = ErrorClass.DATA_QUALITY

    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        path = quarantine_path(context.settings.data_dir, context.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".jsonl.tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for doc_type in context.doc_types:
                for row in context.rows_in_error(self.error_class, doc_type):
                    issues = _failed_expectations(context.ledger, doc_type, row.key)
                    out.write(json.dumps({
                        "doc_type": doc_type, "key": row.key, "source_version": row.source_version,
                        "posting_date": row.posting_date.isoformat() if row.posting_date else None,
                        "amount": str(row.amount) if row.amount is not None else None,
                        "message": row.last_message, "issues": issues,
                    }, sort_keys=True) + "\n")
                    context.ledger.log_decision(
                        doc_type, row.key, run_id=context.run_id, decision="quarantined",
                        reason="failed validation: quarantined until the ERP shows a corrected version",
                        details={"file": str(path), "expectations": sorted({i.get("expectation") for i in issues
                                                                              if i.get("expectation")})})
                    result.considered += 1
        temporary.replace(path)  # a retried task rewrites the whole file, never half of it
        result.outcomes["quarantined"] = result.considered
        result.files.append(str(path))
        return result
