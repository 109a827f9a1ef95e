"""What a night left for a person, read from the ledger and the reference store.

A transactions night needs a person when it leaves documents in error (other than transient
failures, which the next run retries by itself), held, quarantined, or flagged for a manual
adjustment in a closed period. A master-data night needs one when a user-defined dimension could
not be read (the INT402 situation). A failed run always does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from include.error_classes import ErrorClass

TOP_MESSAGES = 5
MESSAGE_CHARACTERS = 300  # of one message in a notification
# Errors the product retries by itself on the next run: not a person's work yet.
SELF_HEALING = frozenset({ErrorClass.TRANSIENT.value})


@dataclass
class NightSummary:
    dag_id: str
    run_id: str
    failed: bool = False
    reason: str = ""  # why the run failed, when Airflow says
    counts: Counter = field(default_factory=Counter)  # "error: payment_term", "held: closed_period", ... -> n
    top_messages: list[tuple[str, str]] = field(default_factory=list)  # (what, message), most frequent first

    @property
    def needs_person(self) -> bool:
        return self.failed or sum(self.counts.values()) > 0

    def subject(self) -> str:
        if self.failed:
            return f"[Intacct integration] {self.dag_id} run {self.run_id} FAILED"
        return (f"[Intacct integration] {self.dag_id} run {self.run_id}: {sum(self.counts.values())} item(s) "
                "need a person")

    def lines(self) -> list[str]:
        lines = [f"Run {self.run_id} of {self.dag_id} " + ("failed." if self.failed else "finished.")]
        if self.reason:
            lines.append(f"Reason: {self.reason}")
        if self.counts:
            lines.append("Needs a person:")
            lines += [f"  {label}: {n}" for label, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        if self.top_messages:
            lines.append("Most frequent messages:")
            lines += [f"  {what}: {message}" for what, message in self.top_messages]
        return lines


def _first_line(message: str | None) -> str:
    text = (message or "").strip().splitlines()[0] if (message or "").strip() else "(no message)"
    return text if len(text) <= MESSAGE_CHARACTERS else text[:MESSAGE_CHARACTERS] + "…"


def transactions_summary(ledger, run_id: str, *, dag_id: str = "intacct_post_transactions") -> NightSummary:
    """The documents this run left for a person, counted by what they wait for."""
    from include.ledger import Status

    summary = NightSummary(dag_id, run_id)
    messages: Counter = Counter()
    examples: dict[str, str] = {}
    offset = 0
    while True:
        rows = ledger.find(status=Status.ERROR.value, run_id=run_id, limit=2000, offset=offset)
        if not rows:
            break
        offset += len(rows)
        for row in rows:
            if row.error_class in SELF_HEALING and not row.hold:
                continue
            label = (f"held: {row.hold}" if row.hold else "quarantined" if row.error_class ==
                     ErrorClass.DATA_QUALITY.value else f"error: {row.error_class or 'unclassified'}")
            summary.counts[label] += 1
            message = _first_line(row.last_message)
            messages[(label, message)] += 1
            examples.setdefault((label, message), f"{row.object_type} {row.key}")
    for row in ledger.find(status=Status.DESYNCHRONIZED.value, run_id=run_id):
        if any(event.kind == "manual_adjustment" for event in ledger.events(row.object_type, row.key)[-3:]):
            summary.counts["manual adjustment required (closed period)"] += 1
    summary.top_messages = [(f"{label} (e.g. {examples[(label, message)]}, {n}x)", message)
                            for (label, message), n in messages.most_common(TOP_MESSAGES)]
    return summary


def master_data_summary(store, run_id: str, *, dag_id: str = "intacct_master_data") -> NightSummary:
    """User-defined dimensions this run could not read, each with what Intacct said."""
    summary = NightSummary(dag_id, run_id)
    for state in store.states().values():
        if state.kind == "udd" and state.last_run_id == run_id and not state.available:
            summary.counts["user-defined dimension unavailable (INT402)"] += 1
            summary.top_messages.append((f"dimension {state.object_name}", _first_line(state.unavailable_reason)))
    summary.top_messages = summary.top_messages[:TOP_MESSAGES]
    return summary
