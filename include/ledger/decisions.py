"""People's actions and the product's decisions outside a claim: mark as synced, hold, release,
and decisions logged with their reason."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from include.ledger.db import write_transaction
from include.ledger.inputs import UnknownObject, checked_enum, checked_period, checked_text
from include.ledger.schema import objects
from include.ledger.transitions import Action, Hold, Status, require
from include.ledger.types import utcnow
from include.ledger.writes import KEYS_PER_STATEMENT, LedgerWriter, key_chunks, sql_timestamp


class Deciding(LedgerWriter):
    """The Ledger's part for people's actions and the product's decisions outside a claim."""

    def mark_synced_manually(self, object_type: str, keys: Iterable[str], *, actor: str, reason: str) -> int:
        """A person says these objects are right in Intacct (e.g. adjusted by hand in a closed period).

        Applies to objects in error or desynchronized; all or nothing. The current source version
        counts as posted from now on.
        """
        checked_text(object_type, None, "actor", actor, 200)
        checked_text(object_type, None, "reason", reason, 10_000)
        t = objects
        return self._act_on_all(
            object_type,
            keys,
            Action.MARK_SYNCED,
            kind="marked_synced",
            actor=actor,
            reason=reason,
            values=lambda now: dict(
                status=Status.SUCCESS.value,
                posted_version=t.c.source_version,
                synced_at=sql_timestamp(now),
                error_class=None,
                hold=None,
                held_for_period=None,
                released_at=None,
                last_message=f"Marked as synced by {actor}: {reason}",
            ),
            details=lambda row: {
                "error_class": row["error_class"],
                "hold": row["hold"],
                "held_for_period": row["held_for_period"],
            },
        )

    def place_hold(
        self,
        object_type: str,
        keys: Iterable[str],
        *,
        hold: str,
        reason: str,
        actor: str | None = None,
        period: str | None = None,
        run_id: str | None = None,
    ) -> int:
        """Hold objects in error so the product's automatic retry leaves them alone; all or nothing."""
        hold = checked_enum(Hold, object_type, None, "hold", hold)
        checked_period(object_type, None, period)
        checked_text(object_type, None, "reason", reason, 10_000)
        return self._act_on_all(
            object_type,
            keys,
            Action.PLACE_HOLD,
            kind="hold_placed",
            actor=actor,
            reason=reason,
            run_id=run_id,
            values=lambda now: dict(hold=hold.value, held_for_period=period, released_at=None),
            details=lambda row: {"hold": hold.value, "held_for_period": period},
        )

    def _act_on_all(
        self,
        object_type: str,
        keys: Iterable[str],
        action: Action,
        *,
        kind: str,
        actor: str | None,
        reason: str,
        values,
        details,
        run_id: str | None = None,
    ) -> int:
        """Apply one person's action to every key, or to none if any is unknown or refused."""
        t = objects
        with write_transaction(self.engine) as conn:
            now = utcnow()
            ids, new_events = [], []
            wanted = sorted(checked_text(object_type, key, "key", key, 128) for key in dict.fromkeys(keys))
            for chunk in key_chunks(wanted):
                rows = self._lock_rows(
                    conn,
                    object_type,
                    chunk,
                    ("id", "key", "status", "source_version", "hold", "held_for_period", "error_class"),
                )
                for key in chunk:
                    row = rows.get(key)
                    if row is None:
                        raise UnknownObject(object_type, key)
                    transition = require(action, row["status"], object_type=object_type, key=key)
                    ids.append({"b_id": row["id"]})
                    new_events.append(
                        self._event(
                            row["id"],
                            kind,
                            row["status"],
                            transition.to_status,
                            row["source_version"],
                            run_id=run_id,
                            actor=actor,
                            reason=reason,
                            details=details(row),
                        )
                    )
            if ids:
                conn.execute(
                    t.update()
                    .where(t.c.id == sa.bindparam("b_id"))
                    .values(updated_at=sql_timestamp(now), **values(now)),
                    ids,
                )
            self._append(conn, now, new_events)
        return len(ids)

    def release_holds(
        self,
        *,
        hold: str,
        reason: str,
        period: str | None = None,
        object_type: str | None = None,
        actor: str | None = None,
        run_id: str | None = None,
        keys: Iterable[str] | None = None,
    ) -> int:
        """Release objects held for ``hold`` (optionally only for ``period`` / ``object_type`` / ``keys``).

        They stay in error, marked released (``find(released=True, held_for_period=...)``) and keeping
        the period they were held for, until a ``release`` claim retries them. Returns how many.
        """
        hold = checked_enum(Hold, object_type or "objects", None, "hold", hold)
        checked_period(object_type or "objects", None, period)
        checked_text(object_type or "objects", None, "reason", reason, 10_000)
        t = objects
        condition = (t.c.status == Status.ERROR.value) & (t.c.hold == hold.value)
        if period is not None:
            condition &= t.c.held_for_period == period
        if object_type is not None:
            condition &= t.c.object_type == object_type
        if keys is not None:
            wanted = sorted(checked_text(object_type or "objects", key, "key", key, 128) for key in dict.fromkeys(keys))
            if not wanted:
                return 0
            if len(wanted) > KEYS_PER_STATEMENT:  # one IN (...) list per statement: release chunk by chunk
                return sum(self.release_holds(hold=hold.value, reason=reason, period=period, object_type=object_type,
                                              actor=actor, run_id=run_id, keys=chunk) for chunk in key_chunks(wanted))
            condition &= t.c.key.in_(wanted)
        with write_transaction(self.engine) as conn:
            now = utcnow()
            released = conn.execute(
                t.update()
                .where(
                    t.c.id.in_(
                        sa.select(t.c.id)
                        .where(condition)
                        .order_by(t.c.id)
                        .with_for_update()
                        .scalar_subquery()
                    ),
                    condition,
                )
                .values(hold=None, released_at=sql_timestamp(now), updated_at=sql_timestamp(now))
                .returning(t.c.id, t.c.source_version)
            ).all()
            transition = require(
                Action.RELEASE_HOLD, Status.ERROR, object_type=object_type or "objects", key=""
            )
            self._append(
                conn,
                now,
                [
                    self._event(
                        r.id,
                        "hold_released",
                        Status.ERROR,
                        transition.to_status,
                        r.source_version,
                        run_id=run_id,
                        actor=actor,
                        reason=reason,
                        details={"hold": hold.value, "held_for_period": period},
                    )
                    for r in released
                ],
            )
        return len(released)

    def log_decision(
        self,
        object_type: str,
        key: str,
        *,
        run_id: str | None,
        decision: str,
        reason: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an automatic decision about an object (e.g. "re-dated to 2026-10-01") and why."""
        checked_text(object_type, key, "decision", decision, 32)
        checked_text(object_type, key, "reason", reason, 10_000)
        with write_transaction(self.engine) as conn:
            row = self._lock_rows(conn, object_type, [key], ("id", "status", "source_version")).get(key)
            if row is None:
                raise UnknownObject(object_type, key)
            now = utcnow()
            self._append(
                conn,
                now,
                [
                    self._event(
                        row["id"],
                        decision,
                        row["status"],
                        row["status"],
                        row["source_version"],
                        run_id=run_id,
                        reason=reason,
                        details=_jsonable(dict(details or {})),
                    )
                ],
            )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
