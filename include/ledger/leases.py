"""Claims that follow their owner: a lease kept alive while the owner works, and Airflow's word.

A claim belongs to the run that took it (``claim_run_id``) until its lease ends. One setting,
``INTEGRATION_CLAIM_LEASE_SECONDS`` (15 minutes by default), is the lease of every claim. A run
shows it is alive in two ways:

* while one of its steps works, ``LeaseKeeper`` renews the lease of every claim the run holds,
  every third of the lease: a crashed worker's claims end one lease after its last heartbeat;
* a claim taken in an Airflow task names that task instance (``include.ledger.owners``), so
  whoever finds it pending asks Airflow about the run. While any task of that run is still to
  run or running, the claim stays the run's, even past its lease (a long load, a retry about to
  start). As soon as Airflow shows nothing of the run running (the worker died and its try
  failed, the run failed or was marked failed), the claim is abandoned, whatever the lease says.

``judge_claims`` gives each pending claim its verdict with the reason; ``end_leases`` ends the
lease of those Airflow says are abandoned (an event says why), so a ``recover`` claim can take
them over. Recovery keeps the controlid of the earlier attempt: the resend is answered "already
recorded" by Intacct, never posted twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from include.ledger.db import write_transaction
from include.ledger.owners import AirflowTaskStates, TaskStates, active_tasks, owner_of
from include.ledger.records import LedgerRow
from include.ledger.schema import objects
from include.ledger.transitions import Status
from include.ledger.types import utcnow

log = logging.getLogger(__name__)

HEARTBEATS_PER_LEASE = 3  # a lease survives two missed heartbeats (a busy database, a long GC pause)


def renew_leases(ledger, run_id: str, lease_seconds: float, now: datetime | None = None) -> int:
    """Extend every claim ``run_id`` holds to ``now + lease`` (never shortens one); how many."""
    t = objects
    until = (now or utcnow()) + timedelta(seconds=lease_seconds)
    with write_transaction(ledger.engine) as conn:
        return conn.execute(
            t.update()
            .where(t.c.status == Status.PENDING.value, t.c.claim_run_id == run_id,
                   sa.or_(t.c.claim_expires_at.is_(None), t.c.claim_expires_at < until))
            .values(claim_expires_at=until)
        ).rowcount


class LeaseKeeper:
    """While a step works, renews its run's claims in the background (a daemon thread).

    ``with LeaseKeeper(ledger, run_id, lease_seconds): ...`` renews once on entry, then every
    third of the lease until the block ends. A failed renewal is logged, never raised: the
    step's own work decides its fate.
    """

    def __init__(self, ledger, run_id: str, lease_seconds: float, interval: float | None = None):
        self.ledger, self.run_id, self.lease_seconds = ledger, run_id, lease_seconds
        self.interval = interval if interval is not None else lease_seconds / HEARTBEATS_PER_LEASE
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.beats = 0

    def __enter__(self) -> LeaseKeeper:
        self._beat()
        self._thread = threading.Thread(target=self._run, name=f"lease-keeper:{self.run_id}"[:60], daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(self.interval, 1.0))

    def _run(self) -> None:
        # Short sleeps, not Event.wait(interval): under libfaketime (the suite runs with the clock a year
        # ahead) a timed wait on a condition never times out, and the claims would never be renewed.
        step = min(1.0, self.interval / 10)
        next_beat = time.monotonic() + self.interval
        while not self._stop.is_set():
            if time.monotonic() >= next_beat:
                self._beat()
                next_beat = time.monotonic() + self.interval
            time.sleep(max(0.0, min(step, next_beat - time.monotonic())))

    def _beat(self) -> None:
        try:
            renew_leases(self.ledger, self.run_id, self.lease_seconds)
            self.beats += 1
        except Exception as exc:  # the database was busy or away: the next beat tries again
            log.warning("Could not renew the claims of run %s: %s", self.run_id, exc)


@dataclass(frozen=True)
class ClaimVerdict:
    row: LedgerRow
    abandoned: bool
    reason: str  # why, for the event log, the refusal message or the report
    by_airflow: bool  # decided by what Airflow knows (else by the lease)

    @property
    def lease_running(self) -> bool:
        return not self.abandoned or self.by_airflow


def _until(row: LedgerRow) -> str:
    return f"{row.claim_expires_at:%Y-%m-%d %H:%M:%S} UTC" if row.claim_expires_at else "no lease"


def judge_claim(row: LedgerRow, *, now: datetime, task_states: TaskStates | None) -> ClaimVerdict:
    """Is this pending claim still its run's, or abandoned? Airflow's word first, else the lease."""
    owner = owner_of(row.claimed_by, row.claim_run_id)
    if owner is not None and task_states is not None:
        states = task_states(owner.dag_id, owner.run_id)
        if states is not None:
            active = active_tasks(states)
            if active:
                return ClaimVerdict(row, False, f"claimed by {owner.describe()}; Airflow shows the run still "
                                                f"working ({', '.join(active[:3])}), lease until {_until(row)}",
                                    by_airflow=True)
            own_state = states.get(owner.state_key)
            return ClaimVerdict(row, True, f"claimed by {owner.describe()}, which Airflow shows "
                                           f"{own_state or 'gone'}, and no task of that run is running or "
                                           "about to run", by_airflow=True)
    if row.claim_expires_at is None or row.claim_expires_at < now:
        return ClaimVerdict(row, True, f"the lease of {row.claimed_by or 'its worker'} (run {row.claim_run_id}) "
                                       f"ended at {_until(row)} without a sign of life", by_airflow=False)
    return ClaimVerdict(row, False, f"claimed by {row.claimed_by or 'another worker'} (run {row.claim_run_id}) "
                                    f"until {_until(row)}", by_airflow=False)


def judge_claims(rows: Iterable[LedgerRow], *, now: datetime | None = None,
                 task_states: TaskStates | None = None) -> list[ClaimVerdict]:
    """A verdict for each pending row (others are skipped); Airflow is asked once per run."""
    now = now or utcnow()
    task_states = task_states if task_states is not None else AirflowTaskStates()
    return [judge_claim(row, now=now, task_states=task_states) for row in rows if row.status is Status.PENDING]


def end_leases(ledger, verdicts: Iterable[ClaimVerdict], *, run_id: str | None, actor: str | None = None) -> int:
    """End now the still-running lease of each claim Airflow shows abandoned, so a ``recover``
    claim may take it over; each gets a ``lease_ended`` event with the reason. A claim that
    changed hands since it was judged is left alone. Returns how many leases ended."""
    t = objects
    wanted = [v for v in verdicts if v.abandoned and v.by_airflow]
    if not wanted:
        return 0
    ended = 0
    with write_transaction(ledger.engine) as conn:
        now = utcnow()
        new_events = []
        for verdict in wanted:
            row = verdict.row
            same_claim = ((t.c.object_type == row.object_type) & (t.c.key == row.key)
                          & (t.c.status == Status.PENDING.value) & (t.c.claim_run_id == row.claim_run_id)
                          & (t.c.claimed_by == row.claimed_by))
            changed = conn.execute(
                t.update().where(same_claim).values(claim_expires_at=now).returning(t.c.id, t.c.source_version)
            ).all()
            for object_id, version in changed:
                ended += 1
                new_events.append(ledger._event(object_id, "lease_ended", Status.PENDING, Status.PENDING, version,
                                                run_id=run_id, actor=actor, reason=verdict.reason,
                                                details={"claim_run_id": row.claim_run_id,
                                                         "claimed_by": row.claimed_by}))
        ledger._append(conn, now, new_events)
    return ended


def abandoned_claims(ledger, *, object_type: str, keys: Iterable[str] | None = None,
                     except_run_id: str | None = None, now: datetime | None = None,
                     task_states: TaskStates | None = None) -> list[ClaimVerdict]:
    """Pending claims of ``object_type`` (of ``keys``, when given) held by other runs than
    ``except_run_id`` that are abandoned, with why; their leases are not ended yet."""
    rows = ledger.find(object_type=object_type, status=Status.PENDING.value)
    if keys is not None:
        wanted = set(keys)
        rows = [r for r in rows if r.key in wanted]
    rows = [r for r in rows if r.claim_run_id != except_run_id]
    return [v for v in judge_claims(rows, now=now, task_states=task_states) if v.abandoned]
