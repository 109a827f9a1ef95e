"""The reconciliation: every document the run touched, accounted for, in a report.

Counts and amount totals per document type and outcome (posted, linked duplicate,
held, quarantined, error per class, released because the ERP changed, ...), the
comparison with Intacct (do the RECORDNOs this run recorded exist there?), the
run's API cost summed from every task's client metrics (the reads of master data
made before refusing a document included), and the extract counts. A document the run
extracted but another run is synchronizing has an outcome row of its own ("pending
under another run") and is listed with the run that holds it. Written as Markdown and
JSON under the reports folder. A document still pending under this run's claim is
unaccounted for: the report says which, and the run fails. Only a fully accounted,
non-dry incremental run advances the watermarks.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from include.ledger import Status
from include.pipeline.intacct_lookup import existing_record_nos
from include.pipeline.selection import INCREMENTAL, RunPlan
from include.remediation.data_quality import safe_name

UNACCOUNTED_LISTED = 50
CENT = Decimal("0.01")


class UnaccountedDocuments(RuntimeError):
    pass


LINKED_PREFIX = "linked to the existing Intacct"  # the duplicate route's success message
PENDING_ELSEWHERE = "pending under another run"


def outcome_of(status: str, error_class: str | None, hold: str | None, message: str | None = None) -> str:
    """The report's word for a ledger state at the end of a run."""
    if status == Status.SUCCESS:
        return "linked duplicate" if (message or "").startswith(LINKED_PREFIX) else "posted"
    if status == Status.PENDING:
        return "UNACCOUNTED (still pending)"
    if status == Status.NOT_INTEGRATED:
        return "released (changed in the ERP during the run)"
    if status == Status.DESYNCHRONIZED:
        return "desynchronized (changed after posting)"
    if hold:
        return f"held: {hold}"
    if error_class == "data_quality":
        return "quarantined"
    return f"error: {error_class or 'unclassified'}"


def sum_metrics(metrics: Iterable[dict | None]) -> dict[str, int]:
    total: Counter = Counter()
    for snapshot in metrics:
        for name, value in (snapshot or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[name] += value
    return dict(sorted(total.items()))


@dataclass
class Reconciliation:
    run_id: str
    plan: dict
    generated_at: str
    rows: list[dict] = field(default_factory=list)  # doc_type, outcome, error_class, count, amount
    extract: list[dict] = field(default_factory=list)
    load: list[dict] = field(default_factory=list)
    remediation: list[dict] = field(default_factory=list)
    intacct_check: dict[str, dict] = field(default_factory=dict)
    api_cost: dict[str, int] = field(default_factory=dict)
    unaccounted: list[str] = field(default_factory=list)
    without_record_no: list[str] = field(default_factory=list)  # successes that do not say where they are
    to_correct: list[dict] = field(default_factory=list)  # quarantined documents (the first ones): what to fix
    pending_elsewhere: list[dict] = field(default_factory=list)  # doc_type, key, run holding it, worker, lease
    refreshed: list[dict] = field(default_factory=list)  # master data read again before refusing documents
    watermarks_advanced: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (not self.unaccounted and not self.without_record_no
                and all(not c.get("missing") for c in self.intacct_check.values()))

    def totals(self) -> dict[str, dict[str, Any]]:
        per_type: dict[str, dict[str, Any]] = defaultdict(lambda: {"count": 0, "amount": Decimal(0)})
        for row in self.rows:
            per_type[row["doc_type"]]["count"] += row["count"]
            per_type[row["doc_type"]]["amount"] += Decimal(row["amount"])
        return {k: {"count": v["count"], "amount": str(v["amount"])} for k, v in per_type.items()}

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "plan": self.plan, "generated_at": self.generated_at, "ok": self.ok,
                "rows": self.rows, "totals": self.totals(), "extract": self.extract, "load": self.load,
                "remediation": self.remediation, "intacct_check": self.intacct_check, "api_cost": self.api_cost,
                "unaccounted": self.unaccounted, "without_record_no": self.without_record_no,
                "to_correct": self.to_correct, "pending_elsewhere": self.pending_elsewhere,
                "refreshed": self.refreshed, "watermarks_advanced": self.watermarks_advanced}

    def summary(self) -> dict:
        """The small dict for XCom and the task log."""
        by_outcome: Counter = Counter()
        for row in self.rows:
            by_outcome[row["outcome"]] += row["count"]
        return {"run_id": self.run_id, "ok": self.ok, "outcomes": dict(by_outcome), "api_cost": self.api_cost,
                "unaccounted": len(self.unaccounted), "without_record_no": len(self.without_record_no)}

    def markdown(self) -> str:
        plan = RunPlan.from_json(self.plan)
        elsewhere = sum(row["count"] for row in self.rows if row["outcome"] == PENDING_ELSEWHERE)
        result = "every document accounted for" if self.ok else "**NOT RECONCILED**"
        if self.ok and elsewhere:
            result += f" ({elsewhere} by another run that is synchronizing them, listed below)"
        lines = [f"# Reconciliation of run `{self.run_id}`", "",
                 f"- Selection: {plan.describe()}", f"- Generated: {self.generated_at}",
                 f"- Result: {result}", ""]
        lines += ["## Documents by outcome", "", "| document type | outcome | error class | count | amount |",
                  "|---|---|---|---:|---:|"]
        for row in self.rows:
            lines.append(f"| {row['doc_type']} | {row['outcome']} | {row['error_class'] or ''} | {row['count']} "
                         f"| {row['amount']} |")
        for doc_type, total in sorted(self.totals().items()):
            lines.append(f"| **{doc_type}** | **total** | | **{total['count']}** | **{total['amount']}** |")
        lines += ["", "## Extracted", "", "| document type | extracted | queued | failed validation | already posted "
                  "| unchanged error | desynchronized | retried | pending under another run |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for item in self.extract:
            lines.append(f"| {item['doc_type']} | {item['extracted']} | {item['queued']} | "
                         f"{sum(item['failed'].values())} | {item['already_posted']} | {item['unchanged_error']} | "
                         f"{item['desynchronized']} | {item['retried']} | {item.get('claimed_elsewhere', 0)} |")
        if self.remediation:
            lines += ["", "## Remediation", ""]
            for item in self.remediation:
                done = ", ".join(f"{k}: {v}" for k, v in sorted(item["outcomes"].items()) if v) or "nothing to do"
                lines.append(f"- {item['error_class']}: {item['considered']} document(s); {done}"
                             + (f"; files: {', '.join(item['files'])}" if item.get("files") else ""))
        if self.pending_elsewhere:
            lines += ["", "## Pending under another run (that run posts them and accounts for them)", "",
                      "| document | run | claimed by | lease until (UTC) |", "|---|---|---|---|"]
            lines += [f"| {item['doc_type']} {item['key']} | {item['run_id'] or ''} | {item['claimed_by'] or ''} "
                      f"| {item['until'] or ''} |" for item in self.pending_elsewhere[:UNACCOUNTED_LISTED]]
            if len(self.pending_elsewhere) > UNACCOUNTED_LISTED:
                lines += ["", f"... and {len(self.pending_elsewhere) - UNACCOUNTED_LISTED} more"]
        if self.refreshed:
            lines += ["", "## Master data read again before refusing documents", ""]
            lines += [f"- {item['stream']}: {item['api_calls']} API call(s), read at {item['read_at'] or 'not finished'}"
                      + (f"; could not be read: {item['error']}" if item.get("error") else "")
                      + ("; the dimension is still unreadable" if item.get("available") is False else "")
                      for item in self.refreshed]
        lines += ["", "## Compared with Intacct", ""]
        for doc_type, check in sorted(self.intacct_check.items()):
            lines.append(f"- {doc_type}: {check['found']} of {check['recorded']} RECORDNOs recorded in this run "
                         f"found in Intacct" + (f"; missing: {', '.join(check['missing'][:20])}"
                                                if check["missing"] else ""))
        if not self.intacct_check:
            lines.append("- nothing posted in this run")
        lines += ["", "## API cost", ""]
        lines += [f"- {name}: {value}" for name, value in self.api_cost.items()] or ["- no Intacct calls"]
        if self.unaccounted:
            lines += ["", "## Unaccounted documents (still pending under this run's claim)", ""]
            lines += [f"- {key}" for key in self.unaccounted[:UNACCOUNTED_LISTED]]
            if len(self.unaccounted) > UNACCOUNTED_LISTED:
                lines.append(f"- ... and {len(self.unaccounted) - UNACCOUNTED_LISTED} more")
        if self.to_correct:
            quarantined = sum(row["count"] for row in self.rows if row["outcome"] == "quarantined")
            lines += ["", f"## To correct in the ERP ({quarantined} quarantined"
                          + (f", the first {len(self.to_correct)} listed" if quarantined > len(self.to_correct) else "")
                          + ")", "", "| document | what is wrong |", "|---|---|"]
            lines += [f"| {item['doc_type']} {item['key']} | {item['problem'].replace('|', '/')} |"
                      for item in self.to_correct]
        if self.without_record_no:
            lines += ["", "## Posted without a RECORDNO (where they are in Intacct is not known)", ""]
            lines += [f"- {key}" for key in self.without_record_no[:UNACCOUNTED_LISTED]]
            if len(self.without_record_no) > UNACCOUNTED_LISTED:
                lines.append(f"- ... and {len(self.without_record_no) - UNACCOUNTED_LISTED} more")
        if self.watermarks_advanced:
            lines += ["", "## Watermarks advanced", ""]
            lines += [f"- {k}: {v}" for k, v in sorted(self.watermarks_advanced.items())]
        return "\n".join(lines) + "\n"


def _pages(ledger, page_size: int = 5000, **filters):
    """Ledger rows page by page, so memory stays flat on large runs."""
    offset = 0
    while True:
        page = ledger.find(limit=page_size, offset=offset, **filters)
        if not page:
            return
        yield from page
        offset += len(page)


def build_reconciliation(plan: RunPlan, *, ledger, client=None, extract: list[dict], load: list[dict],
                         remediation: list[dict], metrics: list[dict], compare_with_intacct: bool = True,
                         other_entities: Sequence[str] = ()) -> Reconciliation:
    """Account for every document of the run. ``other_entities``: where to look for RECORDNOs
    the client's own session cannot see (an entity-level connection does not see documents
    posted in other entities by their ``entity_id``)."""
    run_id = plan.run_id
    result = Reconciliation(run_id, plan.to_json(), datetime.now(UTC).isoformat(timespec="seconds"),
                            extract=list(extract), load=list(load), remediation=list(remediation))
    for doc_type in plan.doc_types:
        grouped: dict[tuple[str, str | None], dict] = {}
        record_nos = []
        # Errors are split by hold, so "held: closed_period" and "error: unknown" are separate lines.
        for row in _pages(ledger, object_type=doc_type, run_id=run_id):
            outcome = outcome_of(row.status, row.error_class, row.hold, row.last_message)
            entry = grouped.setdefault((outcome, row.error_class), {"count": 0, "amount": Decimal(0)})
            entry["count"] += 1
            entry["amount"] += row.amount or Decimal(0)
            if row.status == Status.PENDING:
                result.unaccounted.append(f"{doc_type} {row.key}")
            elif row.status == Status.SUCCESS and row.intacct_record_no:
                record_nos.append(row.intacct_record_no)
            elif row.status == Status.SUCCESS:
                result.without_record_no.append(f"{doc_type} {row.key}")
            elif outcome == "quarantined" and len(result.to_correct) < UNACCOUNTED_LISTED:
                problem = (row.last_message or "").split("\n")[0]
                result.to_correct.append({"doc_type": doc_type, "key": row.key, "problem": problem})
        _add_pending_elsewhere(result, ledger, doc_type, extract, grouped)
        for (outcome, error_class), entry in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            result.rows.append({"doc_type": doc_type, "outcome": outcome, "error_class": error_class,
                                "count": entry["count"], "amount": str(entry["amount"].quantize(CENT))})
        if compare_with_intacct and client is not None and record_nos:
            missing = sorted(set(record_nos) - existing_record_nos(client, doc_type, record_nos))
            for entity_id in other_entities:
                if not missing:
                    break
                missing = sorted(set(missing) - existing_record_nos(client.for_entity(entity_id), doc_type, missing))
            result.intacct_check[doc_type] = {"recorded": len(record_nos), "found": len(record_nos) - len(missing),
                                              "missing": missing}
    if client is not None:
        metrics = [*metrics, client.metrics.snapshot()]
    # The extract step's reads of master data (before refusing documents) are part of the run's cost.
    result.api_cost = sum_metrics([*metrics, *(item.get("api") for item in extract)])
    result.refreshed = _refreshed_in_run(ledger, run_id)
    return result


def _add_pending_elsewhere(result: Reconciliation, ledger, doc_type: str, extract: Sequence[dict],
                           grouped: dict) -> None:
    """Documents this run extracted that another run was synchronizing: an outcome row (counted, with
    the amounts of those listed) and a list naming the run that holds each."""
    counted = sum(item.get("claimed_elsewhere", 0) for item in extract if item.get("doc_type") == doc_type)
    if not counted:
        return
    listed = [entry for item in extract if item.get("doc_type") == doc_type
              for entry in item.get("pending_elsewhere") or []]
    entry = grouped.setdefault((PENDING_ELSEWHERE, None), {"count": 0, "amount": Decimal(0)})
    entry["count"] += counted
    for item in listed:
        row = ledger.get(doc_type, item["key"])
        entry["amount"] += (row.amount if row is not None and row.amount is not None else Decimal(0))
        result.pending_elsewhere.append({"doc_type": doc_type, **item})


def _refreshed_in_run(ledger, run_id: str) -> list[dict]:
    from include.reference_store import refreshes

    return [record.to_json() for record in refreshes.of_run(ledger.engine, run_id)]


def write_report(reconciliation: Reconciliation, reports_dir: Path) -> tuple[Path, Path]:
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    base = reports_dir / f"reconciliation_{safe_name(reconciliation.run_id)}"
    markdown, data = base.with_suffix(".md"), base.with_suffix(".json")
    markdown.write_text(reconciliation.markdown(), encoding="utf-8")
    data.write_text(json.dumps(reconciliation.to_json(), indent=2, sort_keys=True, default=str), encoding="utf-8")
    return markdown, data


def advance_watermarks(reconciliation: Reconciliation, plan: RunPlan, run_store) -> None:
    """Only a complete, real, incremental run moves the watermarks (to its upper bound)."""
    if plan.dry_run or plan.mode != INCREMENTAL or not reconciliation.ok or plan.upper_bound is None:
        return
    for doc_type in plan.doc_types:
        if run_store.advance_watermark(doc_type, plan.upper_bound, run_id=plan.run_id):
            reconciliation.watermarks_advanced[doc_type] = plan.upper_bound.isoformat()
