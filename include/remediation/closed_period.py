"""Closed-period failures, by the policy of each document type (settings.closed_period_policy).

* ``hold`` (default): the document waits, held for its period ``YYYY-MM``
  (``ledger.held_for_period``); when accounting reopens the period, a backfill of it
  posts the documents (see the README's backfill recipe).
* ``next_open_period``: re-dated to the first open date, the day after the closed-books
  date (not "the first of the current month"), the original date kept in the
  description/title and in the event log, and posted in this run.
* ``manual``: flagged for a manual adjustment in Intacct; afterwards a person marks it
  synced (``python -m include.remediation mark-synced``).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, timedelta

from include.error_classes import ErrorClass
from include.pipeline.posting import PostingStats, claimed_from_rows, post_claimed
from include.remediation.base import Handler, RemediationContext, RemediationResult

# The header field that carries a re-dated document's original date to Intacct.
MEMO_FIELD = {"ar_invoice": "description", "ap_bill": "description", "journal_entry": "title"}
MEMO_LIMIT = 1000


def first_open_date(closed_books_date: date) -> date:
    """The first date Intacct accepts postings for: the day after the books are closed through."""
    return closed_books_date + timedelta(days=1)


def redate(document, new_date: date):
    """A copy of ``document`` dated ``new_date`` (the due date moves with it, so the term still holds),
    the original date named in its description (title for journal entries)."""
    spec = document.spec
    original = document.header.get(spec.date_column)
    header = {**document.header, spec.date_column: new_date}
    if document.header.get("due_date") and original:
        header["due_date"] = document.header["due_date"] + (new_date - original)
    memo_field = MEMO_FIELD[document.doc_type]
    note = f"originally dated {original.isoformat()}; re-dated to {new_date.isoformat()} (period closed)"
    previous = document.header.get(memo_field) or (document.key if memo_field == "title" else "")
    header[memo_field] = (f"{previous} ({note})" if previous else note)[:MEMO_LIMIT]
    return replace(document, header=header)


def mark_synced_command(doc_type: str, key: str) -> str:
    return (f"python -m include.remediation mark-synced --type {doc_type} --key {key} --actor <you> "
            "--reason \"adjusted manually in Intacct\"")


class ClosedPeriodHandler(Handler):
    error_class = ErrorClass.CLOSED_PERIOD

    def remediate(self, context: RemediationContext) -> RemediationResult:
        result = RemediationResult(self.error_class.value)
        policies = context.settings.closed_period_policy
        for doc_type, rows in self.rows_by_type(context, result):
            policy = policies.get(doc_type, "hold")
            if policy == "next_open_period":
                self._redate_and_post(context, doc_type, [r for r in rows if r.hold is None], result)
                continue
            for row in rows:
                if policy == "manual":
                    result.outcomes["flagged_manual"] += 1
                    context.ledger.log_decision(
                        doc_type, row.key, run_id=context.run_id, decision="manual_adjustment",
                        reason=f"closed period, policy manual: adjust it by hand in Intacct, then run "
                               f"{mark_synced_command(doc_type, row.key)}")
                else:
                    result.outcomes[f"held_for_{row.held_for_period}"] += 1
                    context.ledger.log_decision(
                        doc_type, row.key, run_id=context.run_id, decision="held_for_period",
                        reason=f"closed period, policy hold: waits for period {row.held_for_period} to reopen, "
                               f"then posts with a backfill of that period (airflow backfill create --dag-id "
                               f"intacct_post_transactions --from-date <period start> --to-date <period end>)",
                        details={"period": row.held_for_period})
        return result

    def _redate_and_post(self, context, doc_type: str, rows: list, result: RemediationResult) -> None:
        if not rows:
            return
        closed = context.client.get_closed_books_date()
        result.api = context.client.metrics.snapshot()
        if closed is None:
            # The books reopened since the failure: post the document as it is.
            new_date = None
        else:
            new_date = first_open_date(closed)
        claims = context.ledger.claim(
            doc_type, [r.key for r in rows], run_id=context.run_id, worker=f"remediate_closed_period:{os.getpid()}",
            action="retry", reason=f"closed period, policy next_open_period: re-date to {new_date} (the day after "
                                   f"the books are closed through {closed})" if closed else
                                   "closed period, policy next_open_period: the books are open again; post as dated",
            lease_seconds=context.settings.claim_lease_seconds)
        dates = {r.key: r.posting_date for r in rows}
        for claim in claims:
            original = dates.get(claim.key)
            if new_date is not None:
                context.ledger.log_decision(
                    doc_type, claim.key, run_id=context.run_id, decision="redated",
                    reason=f"re-dated from {original} to {new_date}: the books are closed through {closed} "
                           "(policy next_open_period); the original date is kept in the document's description",
                    details={"original_date": original, "new_date": new_date, "closed_books_date": closed})

        def transform(document):
            document = context.term_mapping.apply(document)
            if new_date is None or document.posting_date is None or document.posting_date > closed:
                return document
            return redate(document, new_date)

        stats = PostingStats()
        stats.add(post_claimed(doc_type, claimed_from_rows(claims), run_id=context.run_id, ledger=context.ledger,
                               source=context.source, client=context.client,
                               closed_period_policy=context.settings.closed_period_policy, transform=transform))
        result.outcomes["redated_posted"] += stats.posted
        result.outcomes.update({f"now_{cls}": n for cls, n in stats.failed.items()})
        result.api = context.client.metrics.snapshot()
