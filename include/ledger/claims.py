"""Claims: a worker wins objects for posting in one conditional UPDATE, so two workers never
win the same object; and the controlid each claimed object is sent with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from include.ledger.db import write_transaction
from include.ledger.inputs import LedgerInputError, UnknownObject, checked_enum, checked_text
from include.ledger.records import Claim, Claims, Refusal
from include.ledger.schema import objects
from include.ledger.transitions import (
    AUTOMATIC_CLAIM_ACTIONS,
    CLAIM_ACTIONS,
    Action,
    Guard,
    Status,
    TransitionRefused,
    from_statuses,
    guard,
    refusal_reason,
    require,
    target,
)
from include.ledger.types import utcnow
from include.ledger.writes import LedgerWriter, key_chunks, sql_timestamp

DEFAULT_LEASE_SECONDS = 900


class Claiming(LedgerWriter):
    """The Ledger's part that claims objects for posting and keeps the controlids they are sent with."""

    def claim(
        self,
        object_type: str,
        keys: Iterable[str],
        *,
        run_id: str,
        worker: str,
        action: str = Action.SYNCHRONIZE,
        reason: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        strict: bool = False,
    ) -> Claims:
        """Claim objects for posting; returns the claims won, with ``.refused`` for the others.

        ``action`` is ``synchronize`` (not integrated / desynchronized objects), ``force_synchronize``
        (objects in error), ``retry`` (product: errors that are not held), ``release`` (product:
        errors whose hold was released) or ``recover`` (product: pending objects whose lease
        expired). Product actions need a ``reason``. With ``strict=True`` nothing is claimed
        unless every key can be, and TransitionRefused names the first refused one.
        """
        action = checked_enum(Action, object_type, None, "action", action)
        if action not in CLAIM_ACTIONS:
            raise LedgerInputError(object_type, None, "action", f"{action.value} is not a claim action")
        if action in AUTOMATIC_CLAIM_ACTIONS and not (reason and reason.strip()):
            raise LedgerInputError(object_type, None, "reason", f"the product's {action.value} must say why")
        checked_text(object_type, None, "run_id", run_id, 250)
        checked_text(object_type, None, "worker", worker, 200)
        if lease_seconds < 0:
            raise LedgerInputError(object_type, None, "lease_seconds", "must not be negative")
        wanted = [checked_text(object_type, key, "key", key, 128) for key in dict.fromkeys(keys)]
        wanted.sort()  # the same lock order for every claimer
        claims, refused = Claims(), []
        with write_transaction(self.engine) as conn:
            now = utcnow()
            expires_at = now + timedelta(seconds=lease_seconds)
            for chunk in key_chunks(wanted):
                won = self._claim_chunk(
                    conn, object_type, chunk, action, reason, run_id, worker, now, expires_at
                )
                claims.extend(won)
                won_keys = {c.key for c in won}
                refused.extend(
                    self._refusals(conn, object_type, [k for k in chunk if k not in won_keys], action, now)
                )
            if strict and refused:
                first = refused[0]
                raise TransitionRefused(object_type, first.key, first.status, target(action), first.reason)
        claims.refused = refused
        return claims

    def _claim_condition(self, action: Action, now: datetime):
        t = objects
        condition = t.c.status.in_([s.value for s in from_statuses(action)])
        extra = guard(action)
        if extra is Guard.NOT_HELD:
            condition &= t.c.hold.is_(None)
        elif extra is Guard.HOLD_RELEASED:
            condition &= t.c.hold.is_(None) & t.c.released_at.is_not(None)
        elif extra is Guard.LEASE_EXPIRED:
            condition &= t.c.claim_expires_at < now
        return condition

    def _claim_chunk(
        self,
        conn: Connection,
        object_type: str,
        keys: Sequence[str],
        action: Action,
        reason: str | None,
        run_id: str,
        worker: str,
        now: datetime,
        expires_at: datetime,
    ) -> list[Claim]:
        t = objects
        condition = self._claim_condition(action, now)
        # Lock candidates in id order (PostgreSQL) so concurrent claimers queue instead of deadlocking;
        # the status/lease condition is re-checked on the locked row, so only one claimer wins each.
        candidates = (
            sa.select(t.c.id)
            .where(t.c.object_type == object_type, t.c.key.in_(keys), condition)
            .order_by(t.c.id)
            .with_for_update()
        )
        stmt = (
            t.update()
            .where(t.c.id.in_(candidates.scalar_subquery()), condition)
            .values(
                status=Status.PENDING.value,
                claimed_from_status=t.c.status,
                claimed_version=t.c.source_version,
                claimed_by=worker,
                claim_run_id=run_id,
                claim_expires_at=expires_at,
                attempts=t.c.attempts + 1,
                hold=None,
                held_for_period=None,
                released_at=None,
                last_run_id=run_id,
                updated_at=sql_timestamp(now),
            )
            .returning(
                t.c.id,
                t.c.key,
                t.c.source_version,
                t.c.controlid,
                t.c.controlid_version,
                t.c.attempts,
                t.c.claimed_from_status,
            )
        )
        won = sorted(conn.execute(stmt).all(), key=lambda r: r.id)
        claims, new_events = [], []
        for row in won:
            controlid = row.controlid if row.controlid_version == row.source_version else None
            from_status = Status(row.claimed_from_status)
            transition = require(action, from_status, object_type=object_type, key=row.key)
            claims.append(
                Claim(
                    object_type, row.key, row.source_version, controlid, row.attempts, from_status, expires_at
                )
            )
            new_events.append(
                self._event(
                    row.id,
                    "claimed",
                    from_status,
                    Status.PENDING,
                    row.source_version,
                    run_id=run_id,
                    actor=worker,
                    reason=reason or transition.meaning,
                    details={
                        "action": action.value,
                        "attempt": row.attempts,
                        "controlid": controlid,
                        "lease_expires_at": expires_at.isoformat(),
                    },
                )
            )
        self._append(conn, now, new_events)
        return claims

    def _refusals(
        self, conn: Connection, object_type: str, keys: Sequence[str], action: Action, now: datetime
    ) -> list[Refusal]:
        if not keys:
            return []
        t = objects
        found = {
            r.key: r
            for r in conn.execute(
                sa.select(
                    t.c.key, t.c.status, t.c.hold, t.c.released_at, t.c.claim_expires_at, t.c.claimed_by
                ).where(t.c.object_type == object_type, t.c.key.in_(keys))
            )
        }
        refused = []
        for key in keys:
            row = found.get(key)
            if row is None:
                refused.append(Refusal(object_type, key, None, "not in the ledger (observe it first)"))
                continue
            status = Status(row.status)
            if status not in from_statuses(action):
                reason = refusal_reason(action, status)
                if status is Status.PENDING:
                    reason += (
                        f" (claimed by {row.claimed_by} until {row.claim_expires_at:%Y-%m-%d %H:%M:%S} UTC)"
                    )
            elif action is Action.RECOVER:
                reason = f"the claim by {row.claimed_by} is still active until {row.claim_expires_at} UTC"
            elif row.hold is not None:
                reason = f"held for {row.hold}: release the hold first"
            elif action is Action.RELEASE:
                reason = "no hold was released for it; use retry"
            else:
                reason = "claimed concurrently by another worker"
            refused.append(Refusal(object_type, key, status, reason))
        return refused

    def set_controlid(self, object_type: str, key: str, controlid: str) -> None:
        self.set_controlids(object_type, {key: controlid})

    def set_controlids(self, object_type: str, controlids: Mapping[str, str]) -> None:
        """Remember the function controlid each claimed object is sent with (before sending it).

        It belongs to the claimed version: a re-claim of the same version gets it back in
        ``Claim.controlid`` so the resend is refused as a duplicate if the first send went through.
        """
        for key, controlid in controlids.items():
            checked_text(object_type, key, "controlid", controlid, 256)
        t = objects
        with write_transaction(self.engine) as conn:
            rows = self._lock_rows(
                conn, object_type, list(controlids), ("id", "key", "status", "claimed_version")
            )
            for key in controlids:
                row = rows.get(key)
                if row is None:
                    raise UnknownObject(object_type, key)
                if row["status"] != Status.PENDING:
                    raise TransitionRefused(
                        object_type,
                        key,
                        row["status"],
                        row["status"],
                        "a controlid is set only on a claimed (pending) object",
                    )
            conn.execute(
                t.update()
                .where(t.c.id == sa.bindparam("b_id"))
                .values(controlid=sa.bindparam("b_controlid"), controlid_version=t.c.claimed_version),
                [{"b_id": rows[k]["id"], "b_controlid": c} for k, c in controlids.items()],
            )
