"""The integration ledger: what happened to every synced object, and why.

One row per object (``ledger_objects``) holds its current state; every change is
also appended to ``ledger_events``, which is never updated or deleted. Status
changes are checked against ``include.ledger.transitions``; claims are single
conditional UPDATE statements so two workers can never win the same object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from include.error_classes import ErrorClass
from include.ledger import queries
from include.ledger.db import create_ledger_engine, default_url, migrate, write_transaction
from include.ledger.records import (
    Claim,
    Claims,
    Event,
    FailureGroup,
    LedgerRow,
    Observation,
    Outcome,
    OutcomeReport,
    Refusal,
)
from include.ledger.schema import events as events_table
from include.ledger.schema import objects
from include.ledger.transitions import (
    AUTOMATIC_CLAIM_ACTIONS,
    CLAIM_ACTIONS,
    Action,
    Category,
    Guard,
    Hold,
    Status,
    TransitionRefused,
    from_statuses,
    guard,
    refusal_reason,
    require,
    target,
)
from include.ledger.types import to_amount, utcnow

OBJECT_CATEGORIES: dict[str, Category] = {
    "ar_invoice": Category.FINANCE,
    "ap_bill": Category.FINANCE,
    "journal_entry": Category.FINANCE,
    "customer": Category.MASTER,
    "vendor": Category.MASTER,
    "item": Category.MASTER,
}
DEFAULT_LEASE_SECONDS = 900
_CHUNK = 1000  # keys per IN (...) list: well inside every database's parameter limit
_OBSERVED_COLUMNS = ("id", "key", "status", "source_version", "posted_version")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class LedgerInputError(ValueError):
    """Bad input for one object: names the object, its key and the field."""

    def __init__(self, object_type: str, key: Any, field: str, problem: str):
        super().__init__(f"{object_type} {key!r}, field {field}: {problem}")


class UnknownObject(LookupError):
    def __init__(self, object_type: str, key: str):
        super().__init__(f"{object_type} {key!r} is not in the ledger (observe it first)")


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _text(object_type: str, key: Any, field: str, value: Any, max_length: int, *, required: bool = True):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LedgerInputError(object_type, key, field, f"must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise LedgerInputError(object_type, key, field, f"longer than {max_length} characters")
    return value


def _period(object_type: str, key: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _PERIOD.match(value):
        raise LedgerInputError(object_type, key, "held_for_period", f"must be 'YYYY-MM', got {value!r}")
    return value


def _enum(enum, object_type: str, key: str, field: str, value: Any):
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise LedgerInputError(object_type, key, field, f"{value!r} is not one of: {allowed}") from None


def _category(object_type: str, key: str, category: str | None) -> Category:
    known = OBJECT_CATEGORIES.get(object_type)
    if category is None:
        if known is None:
            raise LedgerInputError(
                object_type,
                key,
                "category",
                "required for an object type the ledger "
                f"does not know ({', '.join(OBJECT_CATEGORIES)} are known)",
            )
        return known
    given = _enum(Category, object_type, key, "category", category)
    if known is not None and given is not known:
        raise LedgerInputError(
            object_type, key, "category", f"{object_type} is {known.value} data, not {given.value}"
        )
    return given


class Ledger:
    """The integration ledger on one database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str | sa.URL | None = None):
        self.url = sa.make_url(url or default_url())
        self.engine = create_ledger_engine(self.url)

    def __repr__(self) -> str:
        return f"Ledger({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def migrate(self) -> str:
        """Create or upgrade the tables (idempotent); returns the revision now in place."""
        return migrate(self.engine)

    # -- observing the ERP ------------------------------------------------------------------

    def observe(
        self,
        object_type: str,
        key: str,
        source_version: str,
        *,
        category: str | None = None,
        posting_date: date | None = None,
        amount: Decimal | None = None,
        run_id: str | None = None,
    ) -> Observation:
        row = {
            "object_type": object_type,
            "key": key,
            "source_version": source_version,
            "category": category,
            "posting_date": posting_date,
            "amount": amount,
        }
        return self.observe_many([row], run_id=run_id)[0]

    def observe_many(
        self, rows: Iterable[Mapping[str, Any]], *, run_id: str | None = None
    ) -> list[Observation]:
        """Record what the ERP shows now; one Observation per distinct (object_type, key), in input order.

        Each row is a mapping with ``object_type``, ``key``, ``source_version`` and optionally
        ``category``, ``posting_date``, ``amount`` (see ``include.ledger.sources.observed``).
        A key given twice keeps its last row.
        """
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        categories: dict[tuple[str, str | None], str] = {}  # (object_type, given category) already checked
        for row in rows:
            clean = self._clean_observation(row, categories)
            latest.pop((clean["object_type"], clean["key"]), None)
            latest[(clean["object_type"], clean["key"])] = clean
        results: dict[tuple[str, str], Observation] = {}
        by_type: dict[str, list[dict[str, Any]]] = {}
        for (object_type, _), clean in latest.items():
            by_type.setdefault(object_type, []).append(clean)
        with write_transaction(self.engine) as conn:
            now = utcnow()
            for object_type, type_rows in by_type.items():
                # Sorted keys: concurrent writers lock rows in the same order (no PostgreSQL deadlock).
                for chunk in _chunks(sorted(type_rows, key=lambda r: r["key"])):
                    results.update(self._observe_chunk(conn, object_type, chunk, run_id, now))
        return [results[k] for k in latest]

    @staticmethod
    def _clean_observation(
        row: Mapping[str, Any], categories: dict[tuple[str, str | None], str]
    ) -> dict[str, Any]:
        object_type = _text("object", row.get("key"), "object_type", row.get("object_type"), 32)
        key = row.get("key")
        _text(object_type, key, "key", key, 128)
        version = _text(object_type, key, "source_version", row.get("source_version"), 64)
        posting_date = row.get("posting_date")
        if isinstance(posting_date, str):
            try:
                posting_date = date.fromisoformat(posting_date)
            except ValueError:
                raise LedgerInputError(
                    object_type, key, "posting_date", f"not an ISO date: {posting_date!r}"
                ) from None
        if isinstance(posting_date, datetime) or not (posting_date is None or isinstance(posting_date, date)):
            raise LedgerInputError(object_type, key, "posting_date", f"must be a date, got {posting_date!r}")
        amount = row.get("amount")
        if amount is not None:
            try:
                amount = to_amount(amount)
            except ValueError as exc:
                raise LedgerInputError(object_type, key, "amount", str(exc)) from None
        return {
            "object_type": object_type,
            "key": key,
            "source_version": version,
            "category": categories.get((object_type, row.get("category")))
            or categories.setdefault(
                (object_type, row.get("category")), _category(object_type, key, row.get("category")).value
            ),
            "posting_date": posting_date,
            "amount": amount,
        }

    def _observe_chunk(
        self,
        conn: Connection,
        object_type: str,
        rows: list[dict[str, Any]],
        run_id: str | None,
        now: datetime,
    ) -> dict[tuple[str, str], Observation]:
        results: dict[tuple[str, str], Observation] = {}
        wanted = {r["key"]: r for r in rows}
        existing = self._lock_rows(conn, object_type, list(wanted), _OBSERVED_COLUMNS)
        new_rows = [r for k, r in wanted.items() if k not in existing]
        if new_rows:
            inserted = self._insert_new(conn, object_type, new_rows, run_id, now)
            for key in inserted:
                results[(object_type, key)] = Observation(object_type, key, None, Status.NOT_INTEGRATED, True)
            raced = [r["key"] for r in new_rows if r["key"] not in inserted]
            if raced:  # another process inserted them since our read: treat them as known objects
                existing.update(self._lock_rows(conn, object_type, raced, _OBSERVED_COLUMNS))
        # Three shapes of update: a claim in flight keeps its state; a revert is synced again;
        # any other change leaves error details behind (they belonged to the previous version).
        in_flight, reverted, changed, new_events = [], [], [], []
        for key, current in existing.items():
            row = wanted[key]
            before = Status(current["status"])
            if row["source_version"] == current["source_version"]:
                results[(object_type, key)] = Observation(object_type, key, before, before, False)
                continue
            reverts = row["source_version"] == current["posted_version"] and before in from_statuses(
                Action.SOURCE_REVERTED
            )
            transition = require(
                Action.SOURCE_REVERTED if reverts else Action.SOURCE_CHANGED,
                before,
                object_type=object_type,
                key=key,
            )
            after = transition.to_status
            params = {
                "b_id": current["id"],
                "b_source_version": row["source_version"],
                "b_posting_date": row["posting_date"],
                "b_amount": row["amount"],
                "b_category": row["category"],
                "b_status": after.value,
            }
            (in_flight if after is Status.PENDING else reverted if reverts else changed).append(params)
            new_events.append(
                self._event(
                    current["id"],
                    "source_changed",
                    before,
                    after,
                    row["source_version"],
                    run_id=run_id,
                    reason=transition.meaning,
                    details={
                        "previous_version": current["source_version"],
                        "new_version": row["source_version"],
                        "posted_version": current["posted_version"],
                    },
                )
            )
            results[(object_type, key)] = Observation(object_type, key, before, after, True)
        t = objects
        amount_to_db = t.c.amount.type.bind_processor(conn.dialect) or (lambda value: value)
        date_to_db = t.c.posting_date.type.bind_processor(conn.dialect) or (lambda value: value)
        version_values = dict(
            source_version=sa.bindparam("b_source_version"),
            category=sa.bindparam("b_category"),
            posting_date=sa.bindparam("b_posting_date", type_=t.c.posting_date.type),
            amount=sa.bindparam("b_amount", type_=t.c.amount.type),
            updated_at=_timestamp(now),
            last_run_id=run_id if run_id is not None else t.c.last_run_id,
        )
        cleared = dict(
            status=sa.bindparam("b_status"),
            error_class=None,
            last_message=None,
            hold=None,
            held_for_period=None,
            released_at=None,
        )
        by_id = t.update().where(t.c.id == sa.bindparam("b_id"))
        for params, values in (
            (in_flight, {}),
            (changed, cleared),
            (reverted, {**cleared, "synced_at": _timestamp(now)}),
        ):
            if params:
                for row in params:
                    row["b_amount"] = amount_to_db(row["b_amount"])
                    row["b_posting_date"] = date_to_db(row["b_posting_date"])
                _executemany(conn, by_id.values(**version_values, **values), params)
        self._append(conn, now, new_events)
        return results

    def _insert_new(
        self,
        conn: Connection,
        object_type: str,
        rows: list[dict[str, Any]],
        run_id: str | None,
        now: datetime,
    ) -> dict[str, int]:
        """Insert objects not yet known; returns key -> id of those this transaction inserted."""
        values = [
            {
                "object_type": object_type,
                "key": r["key"],
                "category": r["category"],
                "source_version": r["source_version"],
                "status": Status.NOT_INTEGRATED.value,
                "attempts": 0,
                "posting_date": r["posting_date"],
                "amount": r["amount"],
                "last_run_id": run_id,
            }
            for r in rows
        ]
        insert = (
            _dialect_insert(conn)(objects)
            .values(created_at=_timestamp(now), updated_at=_timestamp(now))
            .on_conflict_do_nothing(index_elements=["object_type", "key"])
        )
        inserted = {
            row.key: row.id for row in conn.execute(insert.returning(objects.c.id, objects.c.key), values)
        }
        reason = require(Action.FIRST_SEEN, None, object_type=object_type, key="").meaning
        self._append(
            conn,
            now,
            [
                self._event(
                    inserted[r["key"]],
                    "observed",
                    None,
                    Status.NOT_INTEGRATED,
                    r["source_version"],
                    run_id=run_id,
                    reason=reason,
                )
                for r in rows
                if r["key"] in inserted
            ],
        )
        return inserted

    # -- claims ----------------------------------------------------------------------------

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
        action = _enum(Action, object_type, None, "action", action)
        if action not in CLAIM_ACTIONS:
            raise LedgerInputError(object_type, None, "action", f"{action.value} is not a claim action")
        if action in AUTOMATIC_CLAIM_ACTIONS and not (reason and reason.strip()):
            raise LedgerInputError(object_type, None, "reason", f"the product's {action.value} must say why")
        _text(object_type, None, "run_id", run_id, 250)
        _text(object_type, None, "worker", worker, 200)
        if lease_seconds < 0:
            raise LedgerInputError(object_type, None, "lease_seconds", "must not be negative")
        wanted = [_text(object_type, key, "key", key, 128) for key in dict.fromkeys(keys)]
        wanted.sort()  # the same lock order for every claimer
        claims, refused = Claims(), []
        with write_transaction(self.engine) as conn:
            now = utcnow()
            expires_at = now + timedelta(seconds=lease_seconds)
            for chunk in _chunks(wanted):
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
                updated_at=_timestamp(now),
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
            _text(object_type, key, "controlid", controlid, 256)
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

    # -- outcomes --------------------------------------------------------------------------

    def record_success(
        self,
        object_type: str,
        key: str,
        *,
        run_id: str,
        record_no: str | None,
        intacct_key: str | None = None,
        message: str | None = None,
    ) -> None:
        self._record_one(
            Outcome.success(object_type, key, record_no=record_no, intacct_key=intacct_key, message=message),
            run_id,
        )

    def record_error(
        self,
        object_type: str,
        key: str,
        *,
        run_id: str,
        error_class: str,
        message: str,
        hold: str | None = None,
        held_for_period: str | None = None,
    ) -> None:
        self._record_one(
            Outcome.error(
                object_type,
                key,
                error_class=error_class,
                message=message,
                hold=hold,
                held_for_period=held_for_period,
            ),
            run_id,
        )

    def _record_one(self, outcome: Outcome, run_id: str) -> None:
        report = self.record_outcomes([outcome], run_id=run_id)
        if report.refused:
            refusal = report.refused[0]
            to_status = Status.SUCCESS if outcome.ok else Status.ERROR
            raise TransitionRefused(
                refusal.object_type, refusal.key, refusal.status, to_status, refusal.reason
            )

    def record_outcomes(self, outcomes: Iterable[Outcome], *, run_id: str) -> OutcomeReport:
        """Record posting results in one transaction.

        An outcome for an object that this run no longer holds (not pending, or re-claimed by
        another run after its lease expired) is not applied: it is returned in ``refused`` and
        logged as an ``outcome_refused`` event with everything it said, so nothing is lost.
        Invalid input (unknown error class, bad period) fails before anything is written.
        """
        _text("outcome", None, "run_id", run_id, 250)
        by_type: dict[str, dict[str, Outcome]] = {}
        for outcome in outcomes:
            self._check_outcome(outcome)
            per_type = by_type.setdefault(outcome.object_type, {})
            if outcome.key in per_type:
                raise LedgerInputError(outcome.object_type, outcome.key, "key", "two outcomes in one batch")
            per_type[outcome.key] = outcome
        applied, refused = 0, []
        with write_transaction(self.engine) as conn:
            now = utcnow()
            for object_type, per_type in by_type.items():
                for chunk in _chunks(sorted(per_type)):
                    count, chunk_refused = self._record_chunk(
                        conn, object_type, [per_type[k] for k in chunk], run_id, now
                    )
                    applied += count
                    refused.extend(chunk_refused)
        return OutcomeReport(applied, refused)

    @staticmethod
    def _check_outcome(outcome: Outcome) -> None:
        ot, key = outcome.object_type, outcome.key
        _text("outcome", key, "object_type", ot, 32)
        _text(ot, key, "key", key, 128)
        _text(ot, key, "record_no", outcome.record_no, 64, required=False)
        _text(ot, key, "intacct_key", outcome.intacct_key, 128, required=False)
        _text(ot, key, "controlid", outcome.controlid, 256, required=False)
        if outcome.ok:
            if outcome.error_class or outcome.hold or outcome.held_for_period:
                raise LedgerInputError(ot, key, "error_class", "a success carries no error class or hold")
            return
        if outcome.error_class is None:
            raise LedgerInputError(ot, key, "error_class", "required for an error")
        _enum(ErrorClass, ot, key, "error_class", outcome.error_class)
        _text(ot, key, "message", outcome.message, 100_000)
        _enum(Hold, ot, key, "hold", outcome.hold)
        _period(ot, key, outcome.held_for_period)
        if outcome.held_for_period and not outcome.hold:
            raise LedgerInputError(ot, key, "held_for_period", "given without a hold")

    def _record_chunk(
        self, conn: Connection, object_type: str, outcomes: list[Outcome], run_id: str, now: datetime
    ) -> tuple[int, list[Refusal]]:
        t = objects
        rows = self._lock_rows(
            conn,
            object_type,
            [o.key for o in outcomes],
            (
                "id",
                "key",
                "status",
                "source_version",
                "claimed_version",
                "claim_run_id",
                "claimed_by",
                "posting_date",
                "controlid",
            ),
        )
        successes, errors, new_events, refused = [], [], [], []
        for outcome in outcomes:
            row = rows.get(outcome.key)
            details = {
                k: v
                for k, v in (
                    ("record_no", outcome.record_no),
                    ("intacct_key", outcome.intacct_key),
                    ("error_class", outcome.error_class),
                    ("hold", outcome.hold),
                    ("held_for_period", outcome.held_for_period),
                    ("message", outcome.message),
                )
                if v is not None
            }
            if row is None:
                refused.append(Refusal(object_type, outcome.key, None, "not in the ledger"))
                continue
            status = Status(row["status"])
            reason = None
            if status is not Status.PENDING:
                reason = refusal_reason(Action.SUCCEED if outcome.ok else Action.FAIL, status)
            elif row["claim_run_id"] != run_id:
                reason = (
                    f"claimed by run {row['claim_run_id']} ({row['claimed_by']}) "
                    "since this run's lease expired"
                )
            if reason:
                refused.append(Refusal(object_type, outcome.key, status, reason))
                new_events.append(
                    self._event(
                        row["id"],
                        "outcome_refused",
                        status,
                        status,
                        row["source_version"],
                        run_id=run_id,
                        reason=reason,
                        details={"ok": outcome.ok, **details},
                    )
                )
                continue
            outdated = row["source_version"] != row["claimed_version"]
            controlid = outcome.controlid or row["controlid"]
            if outcome.ok:
                action = Action.SUCCEED_OUTDATED if outdated else Action.SUCCEED
            else:
                action = Action.FAIL_OUTDATED if outdated else Action.FAIL
            transition = require(action, status, object_type=object_type, key=outcome.key)
            after = transition.to_status
            if outcome.ok:
                successes.append(
                    {
                        "b_id": row["id"],
                        "b_status": after.value,
                        "b_record_no": outcome.record_no,
                        "b_intacct_key": outcome.intacct_key,
                        "b_message": outcome.message,
                        "b_controlid": controlid,
                    }
                )
            else:
                hold = outcome.hold if after is Status.ERROR else None
                period = outcome.held_for_period
                if hold == Hold.CLOSED_PERIOD and period is None and row["posting_date"] is not None:
                    period = f"{row['posting_date']:%Y-%m}"
                errors.append(
                    {
                        "b_id": row["id"],
                        "b_status": after.value,
                        "b_error_class": outcome.error_class,
                        "b_message": outcome.message,
                        "b_hold": hold,
                        "b_held_for_period": period if hold else None,
                        "b_controlid": controlid,
                    }
                )
            new_events.append(
                self._event(
                    row["id"],
                    "succeeded" if outcome.ok else "failed",
                    status,
                    after,
                    row["claimed_version"],
                    run_id=run_id,
                    reason=_outcome_reason(outcome, transition),
                    details={"controlid": controlid, **details, **({"sent": False} if outcome.not_sent else {})},
                )
            )
        common = dict(
            claimed_by=None,
            claim_run_id=None,
            claim_expires_at=None,
            last_run_id=run_id,
            updated_at=_timestamp(now),
            controlid=sa.bindparam("b_controlid"),
            last_message=sa.bindparam("b_message"),
            status=sa.bindparam("b_status"),
        )
        if successes:
            conn.execute(
                t.update()
                .where(t.c.id == sa.bindparam("b_id"))
                .values(
                    intacct_record_no=sa.bindparam("b_record_no"),
                    intacct_key=sa.bindparam("b_intacct_key"),
                    posted_version=t.c.claimed_version,
                    synced_at=_timestamp(now),
                    error_class=None,
                    hold=None,
                    held_for_period=None,
                    **common,
                ),
                successes,
            )
        if errors:
            conn.execute(
                t.update()
                .where(t.c.id == sa.bindparam("b_id"))
                .values(
                    error_class=sa.bindparam("b_error_class"),
                    hold=sa.bindparam("b_hold"),
                    held_for_period=sa.bindparam("b_held_for_period"),
                    **common,
                ),
                errors,
            )
        self._append(conn, now, new_events)
        return len(successes) + len(errors), refused

    # -- people's actions and the product's decisions ----------------------------------------

    def mark_synced_manually(self, object_type: str, keys: Iterable[str], *, actor: str, reason: str) -> int:
        """A person says these objects are right in Intacct (e.g. adjusted by hand in a closed period).

        Applies to objects in error or desynchronized; all or nothing. The current source version
        counts as posted from now on.
        """
        _text(object_type, None, "actor", actor, 200)
        _text(object_type, None, "reason", reason, 10_000)
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
                synced_at=_timestamp(now),
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
        hold = _enum(Hold, object_type, None, "hold", hold)
        _period(object_type, None, period)
        _text(object_type, None, "reason", reason, 10_000)
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
            wanted = sorted(_text(object_type, key, "key", key, 128) for key in dict.fromkeys(keys))
            for chunk in _chunks(wanted):
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
                    .values(updated_at=_timestamp(now), **values(now)),
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
        hold = _enum(Hold, object_type or "objects", None, "hold", hold)
        _period(object_type or "objects", None, period)
        _text(object_type or "objects", None, "reason", reason, 10_000)
        t = objects
        condition = (t.c.status == Status.ERROR.value) & (t.c.hold == hold.value)
        if period is not None:
            condition &= t.c.held_for_period == period
        if object_type is not None:
            condition &= t.c.object_type == object_type
        if keys is not None:
            wanted = sorted(_text(object_type or "objects", key, "key", key, 128) for key in dict.fromkeys(keys))
            if not wanted:
                return 0
            if len(wanted) > _CHUNK:  # one IN (...) list per statement: release chunk by chunk
                return sum(self.release_holds(hold=hold.value, reason=reason, period=period, object_type=object_type,
                                              actor=actor, run_id=run_id, keys=chunk) for chunk in _chunks(wanted))
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
                .values(hold=None, released_at=_timestamp(now), updated_at=_timestamp(now))
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
        _text(object_type, key, "decision", decision, 32)
        _text(object_type, key, "reason", reason, 10_000)
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

    # -- reading -----------------------------------------------------------------------------

    def get(self, object_type: str, key: str) -> LedgerRow | None:
        return queries.get(self.engine, object_type, key)

    def events(self, object_type: str | None, key: str) -> list[Event]:
        return queries.events(self.engine, object_type, key)

    def find(self, **filters) -> list[LedgerRow]:
        """Filter the ledger like the integration page; see ``include.ledger.queries.find``."""
        return queries.find(self.engine, **filters)

    def count(self, **filters) -> int:
        return queries.count(self.engine, **filters)

    def failed_by_class(
        self, *, object_type: str | None = None, limit_per_class: int | None = 100
    ) -> list[FailureGroup]:
        return queries.failed_by_class(self.engine, object_type=object_type, limit_per_class=limit_per_class)

    def held_for_period(self, period: str, *, hold: str | None = None) -> list[LedgerRow]:
        _period("objects", None, period)
        return queries.find(self.engine, held_for_period=period, hold=hold, held=True)

    def reconciliation(self, run_id: str | None = None) -> list[dict[str, Any]]:
        return queries.reconciliation(self.engine, run_id=run_id)

    def recover_abandoned(self, now: datetime | None = None) -> list[LedgerRow]:
        """Pending objects whose claim lease has expired: their worker is gone.

        Re-claim them with ``claim(..., action="recover", reason=...)``; the claim keeps the
        controlid of the abandoned attempt so the resend cannot post twice.
        """
        return queries.abandoned(self.engine, now or utcnow())

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _lock_rows(
        conn: Connection, object_type: str, keys: Sequence[str], columns: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Rows for ``keys``, locked for update (in id order, so concurrent writers never deadlock)."""
        t = objects
        result = {}
        for chunk in _chunks(list(keys)):
            stmt = (
                sa.select(*(t.c[c] for c in dict.fromkeys(("key", *columns))))
                .where(t.c.object_type == object_type, t.c.key.in_(chunk))
                .order_by(t.c.id)
                .with_for_update()
            )
            for row in conn.execute(stmt):
                result[row.key] = row._asdict()
        return result

    @staticmethod
    def _event(
        object_id: int,
        kind: str,
        from_status,
        to_status,
        source_version: str | None,
        *,
        run_id: str | None = None,
        actor: str | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return {
            "object_id": object_id,
            "kind": kind,
            "from_status": from_status.value if isinstance(from_status, Status) else from_status,
            "to_status": to_status.value if isinstance(to_status, Status) else to_status,
            "source_version": source_version,
            "run_id": run_id,
            "actor": actor,
            "reason": reason,
            "details": details or None,
        }

    @staticmethod
    def _append(conn: Connection, at: datetime, new_events: list[dict[str, Any]]) -> None:
        """The only writer of the event log: it inserts, never updates or deletes."""
        if new_events:
            for event in new_events:
                if event["details"] is not None:
                    event["details"] = json.dumps(event["details"])
            _executemany(conn, events_table.insert().values(at=_timestamp(at)), new_events)


def _outcome_reason(outcome: Outcome, transition) -> str:
    """The event's reason: the transition's meaning ("posting failed"), unless nothing was sent."""
    if not outcome.not_sent:
        return transition.meaning
    if transition.action is Action.FAIL_OUTDATED:
        return f"{outcome.not_sent}; a newer ERP version waits to be posted"
    return outcome.not_sent


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


def _executemany(conn: Connection, statement, rows: list[dict[str, Any]]) -> None:
    """Run ``statement`` once per row, with values already in their database form.

    SQLAlchemy's per-row type processing is most of the cost of writing thousands of rows;
    the callers convert the few typed values (amounts, dates) once and pass the rest as is.
    """
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    fixed = {name: value for name, value in compiled.params.items() if name not in rows[0]}
    if fixed:
        rows = [{**fixed, **row} for row in rows]
    if compiled.positional:
        order = compiled.positiontup
        getter = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
        parameters = [getter(row) for row in rows]
    else:
        parameters = rows
    conn.exec_driver_sql(compiled.string, parameters)


def _timestamp(at: datetime):
    """A UTC instant as SQL text, so a batch of thousands of rows binds it once, not per row.

    The format is the one SQLAlchemy stores in SQLite and that PostgreSQL reads as a timestamp.
    """
    return sa.literal_column(f"'{at.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}'", type_=objects.c.updated_at.type)


def _dialect_insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
