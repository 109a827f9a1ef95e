"""Read-only questions to the ledger: the integration page, failures, holds, reconciliation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from include.ledger.db import read_transaction
from include.ledger.records import LEDGER_ROW_COLUMNS, Event, FailureGroup, LedgerRow
from include.ledger.schema import events as events_table
from include.ledger.schema import objects
from include.ledger.transitions import Status

_ROW_COLUMNS = [objects.c[name] for name in LEDGER_ROW_COLUMNS]


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _like_prefix(column, prefix: str):
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{escaped}%", escape="\\")


def _conditions(
    *,
    object_type=None,
    category=None,
    status=None,
    key=None,
    key_prefix=None,
    version=None,
    version_prefix=None,
    error_class=None,
    unclassified=None,
    hold=None,
    held=None,
    released=None,
    held_for_period=None,
    run_id=None,
    after_key=None,
) -> list:
    t = objects
    conditions = []
    for column, value in (
        (t.c.object_type, object_type),
        (t.c.category, category),
        (t.c.status, status),
        (t.c.error_class, error_class),
        (t.c.hold, hold),
    ):
        values = _as_list(value)
        if values is not None:
            conditions.append(column.in_(values))
    if key is not None:
        conditions.append(t.c.key == key)
    if key_prefix is not None:
        conditions.append(_like_prefix(t.c.key, key_prefix))
    if version is not None:  # the ERP version, or the version in Intacct
        conditions.append(sa.or_(t.c.source_version == version, t.c.posted_version == version))
    if version_prefix is not None:
        conditions.append(sa.or_(_like_prefix(t.c.source_version, version_prefix),
                                 _like_prefix(t.c.posted_version, version_prefix)))
    if unclassified:  # errors recorded without an error class
        conditions += [t.c.status == Status.ERROR.value, t.c.error_class.is_(None)]
    if released is not None:  # errors whose hold was released, waiting for a ``release`` claim
        released_at = t.c.released_at
        conditions.append(released_at.is_not(None) if released else released_at.is_(None))
    if held is not None:
        conditions.append(t.c.hold.is_not(None) if held else t.c.hold.is_(None))
    if held_for_period is not None:
        conditions.append(t.c.held_for_period == held_for_period)
    if run_id is not None:
        conditions.append(t.c.last_run_id == run_id)
    if after_key is not None:  # keyset paging: stable while earlier pages change status
        conditions.append(t.c.key > after_key)
    return conditions


def find(
    engine: Engine,
    *,
    object_type: str | Iterable[str] | None = None,
    category: str | None = None,
    status: str | Iterable[str] | None = None,
    key: str | None = None,
    key_prefix: str | None = None,
    version: str | None = None,
    version_prefix: str | None = None,
    error_class: str | Iterable[str] | None = None,
    unclassified: bool | None = None,
    hold: str | Iterable[str] | None = None,
    held: bool | None = None,
    released: bool | None = None,
    held_for_period: str | None = None,
    run_id: str | None = None,
    after_key: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[LedgerRow]:
    """Objects matching every given filter, ordered by object type and key.

    ``key`` is exact, ``key_prefix`` a prefix; ``version`` matches the ERP version or the
    version in Intacct (``version_prefix``: starts either); ``unclassified`` keeps errors recorded
    without a class; ``newest_first`` orders by last change instead; ``category`` is ``finance`` or ``master``; ``run_id`` the last run that
    touched the object; ``after_key`` keeps keys after it (keyset paging, with one
    ``object_type``); ``held`` objects wait on a hold, ``released`` ones had it released and wait
    for a ``release`` claim (both keep ``held_for_period``). List-valued filters accept several values.
    """
    stmt = (
        sa.select(*_ROW_COLUMNS)
        .where(
            *_conditions(
                object_type=object_type,
                category=category,
                status=status,
                key=key,
                key_prefix=key_prefix,
                version=version,
                version_prefix=version_prefix,
                error_class=error_class,
                unclassified=unclassified,
                hold=hold,
                held=held,
                released=released,
                held_for_period=held_for_period,
                run_id=run_id,
                after_key=after_key,
            )
        )
        .order_by(*((objects.c.updated_at.desc(), objects.c.id.desc()) if newest_first
                    else (objects.c.object_type, objects.c.key)))
        .offset(offset)
        .limit(limit)
    )
    with read_transaction(engine) as conn:
        return [LedgerRow.from_mapping(row) for row in conn.execute(stmt).mappings()]


def count(engine: Engine, **filters: Any) -> int:
    stmt = sa.select(sa.func.count()).select_from(objects).where(*_conditions(**filters))
    with read_transaction(engine) as conn:
        return conn.execute(stmt).scalar_one()


def get(engine: Engine, object_type: str, key: str) -> LedgerRow | None:
    rows = find(engine, object_type=object_type, key=key)
    return rows[0] if rows else None


def events(engine: Engine, object_type: str | None, key: str) -> list[Event]:
    """The event log of one object, oldest first (without ``object_type``: of every object with that key)."""
    t, e = objects, events_table
    stmt = (
        sa.select(
            e.c.id,
            t.c.object_type,
            t.c.key,
            e.c.at,
            e.c.kind,
            e.c.from_status,
            e.c.to_status,
            e.c.source_version,
            e.c.run_id,
            e.c.actor,
            e.c.reason,
            e.c.details,
        )
        .join(t, t.c.id == e.c.object_id)
        .where(t.c.key == key)
        .order_by(e.c.id)
    )
    if object_type is not None:
        stmt = stmt.where(t.c.object_type == object_type)
    with read_transaction(engine) as conn:
        return [Event(**row) for row in conn.execute(stmt).mappings()]


def failed_by_class(
    engine: Engine, *, object_type: str | None = None, limit_per_class: int | None = 100
) -> list[FailureGroup]:
    """Objects in error by error class, largest group first, with up to ``limit_per_class`` rows each."""
    t = objects
    conditions = _conditions(object_type=object_type, status=Status.ERROR.value)
    totals = (
        sa.select(t.c.error_class, sa.func.count().label("n"), sa.func.sum(t.c.amount).label("amount"))
        .where(*conditions)
        .group_by(t.c.error_class)
        .order_by(sa.func.count().desc(), t.c.error_class)
    )
    groups = []
    with read_transaction(engine) as conn:
        for row in conn.execute(totals).all():
            class_condition = (
                t.c.error_class.is_(None) if row.error_class is None else t.c.error_class == row.error_class
            )
            rows_stmt = (
                sa.select(*_ROW_COLUMNS)
                .where(*conditions, class_condition)
                .order_by(t.c.object_type, t.c.key)
                .limit(limit_per_class)
            )
            groups.append(
                FailureGroup(
                    row.error_class or "unclassified",
                    row.n,
                    row.amount or Decimal(0),
                    [LedgerRow.from_mapping(r) for r in conn.execute(rows_stmt).mappings()],
                )
            )
    return groups


def reconciliation(engine: Engine, *, run_id: str | None = None) -> list[dict[str, Any]]:
    """Counts and amount totals by object_type x status x error_class (optionally for one run)."""
    t = objects
    stmt = (
        sa.select(
            t.c.object_type,
            t.c.status,
            t.c.error_class,
            sa.func.count().label("count"),
            sa.func.sum(t.c.amount).label("amount"),
        )
        .where(*_conditions(run_id=run_id))
        .group_by(t.c.object_type, t.c.status, t.c.error_class)
        .order_by(t.c.object_type, t.c.status, t.c.error_class)
    )
    with read_transaction(engine) as conn:
        return [
            {
                "object_type": r.object_type,
                "status": r.status,
                "error_class": r.error_class,
                "count": r.count,
                "amount": r.amount or Decimal(0),
            }
            for r in conn.execute(stmt)
        ]


def abandoned(engine: Engine, now: datetime) -> list[LedgerRow]:
    t = objects
    stmt = (
        sa.select(*_ROW_COLUMNS)
        .where(t.c.status == Status.PENDING.value, t.c.claim_expires_at < now)
        .order_by(t.c.claim_expires_at, t.c.id)
    )
    with read_transaction(engine) as conn:
        return [LedgerRow.from_mapping(row) for row in conn.execute(stmt).mappings()]
