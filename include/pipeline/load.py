"""The load step for one document type: post every document this run has claimed.

Reads this run's pending claims from the ledger in batches (memory stays flat),
posts each batch (``include.pipeline.posting``) and records the outcomes before
taking the next. A worker killed mid-load leaves some claims pending: the task's
retry finds them here and resends them with the same controlids, so what had
landed is answered "already recorded" (and linked), and the rest is posted.
"""

from __future__ import annotations

import logging

from include.ledger import Status
from include.pipeline.posting import PostingStats, claimed_from_rows, post_claimed

log = logging.getLogger(__name__)


def load_claimed(doc_type: str, run_id: str, *, ledger, source, client, closed_period_policy: dict[str, str],
                 batch_size: int) -> PostingStats:
    """Post every document of ``doc_type`` still pending under this run's claims."""
    stats = PostingStats()
    attempted: set[str] = set()
    offset = 0
    while True:
        page = ledger.find(object_type=doc_type, status=Status.PENDING.value, run_id=run_id, limit=batch_size,
                           offset=offset)
        if not page:
            break
        fresh = [r for r in page if r.claim_run_id == run_id and r.key not in attempted]
        if not fresh:  # re-claimed elsewhere, or outcomes refused: step past them instead of looping
            offset += len(page)
            continue
        attempted.update(r.key for r in fresh)
        batch = post_claimed(doc_type, claimed_from_rows(fresh), run_id=run_id, ledger=ledger, source=source,
                             client=client, closed_period_policy=closed_period_policy)
        stats.add(batch)
        log.info("%s: posted %d of %d in this batch (%d so far)", doc_type, batch.posted, len(fresh), stats.posted)
    return stats
