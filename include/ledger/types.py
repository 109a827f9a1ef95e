"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

AMOUNT_SCALE = 4  # decimal places kept for a document total
AMOUNT_PRECISION = 20  # digits in all (NUMERIC(20, 4) on PostgreSQL)
AMOUNT_LIMIT = Decimal(10) ** (AMOUNT_PRECISION - AMOUNT_SCALE)


class Amount(sa.types.TypeDecorator):
    """An exact decimal amount: NUMERIC on PostgreSQL, scaled INTEGER on SQLite.

    SQLite has no exact decimal type; storing 1/10,000ths as an integer keeps sums
    exact there too, so reconciliation totals agree to the cent on both databases.
    """

    impl = sa.Numeric(AMOUNT_PRECISION, AMOUNT_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(AMOUNT_PRECISION, AMOUNT_SCALE))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        amount = to_amount(value)
        if dialect.name == "sqlite":
            return int(amount.scaleb(AMOUNT_SCALE))
        return amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-AMOUNT_SCALE)
        return Decimal(value)


def to_amount(value) -> Decimal:
    """``value`` as a Decimal with at most AMOUNT_SCALE places; ValueError otherwise."""
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if abs(amount) >= AMOUNT_LIMIT:
        raise ValueError(f"out of range: {value!r} (the ledger keeps amounts below {AMOUNT_LIMIT:,})")
    if amount != amount.quantize(Decimal(1).scaleb(-AMOUNT_SCALE)):
        raise ValueError(f"more than {AMOUNT_SCALE} decimal places: {value!r}")
    return amount


class UtcDateTime(sa.types.TypeDecorator):
    """A UTC timestamp, stored naive and returned timezone-aware on every database."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp without time zone: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
