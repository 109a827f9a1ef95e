"""Plain values the ledger returns and accepts: rows, events, claims, observations, outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from include.ledger.transitions import Status


@dataclass(frozen=True)
class LedgerRow:
    """One synced object as the integration page shows it."""

    object_type: str
    key: str
    category: str
    source_version: str
    status: Status
    error_class: str | None
    last_message: str | None
    intacct_record_no: str | None
    intacct_key: str | None
    controlid: str | None
    controlid_version: str | None
    attempts: int
    hold: str | None
    held_for_period: str | None
    released_at: datetime | None
    posting_date: date | None
    amount: Decimal | None
    posted_version: str | None
    claimed_version: str | None
    claimed_by: str | None
    claim_run_id: str | None
    claim_expires_at: datetime | None
    claimed_from_status: str | None
    last_run_id: str | None
    created_at: datetime
    updated_at: datetime
    synced_at: datetime | None

    @classmethod
    def from_mapping(cls, row) -> LedgerRow:
        values = {f.name: row[f.name] for f in fields(cls)}
        values["status"] = Status(values["status"])
        return cls(**values)


LEDGER_ROW_COLUMNS = tuple(f.name for f in fields(LedgerRow))


@dataclass(frozen=True)
class Event:
    """One entry of the append-only log of an object."""

    id: int
    object_type: str
    key: str
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    source_version: str | None
    run_id: str | None
    actor: str | None
    reason: str | None
    details: dict[str, Any] | None


@dataclass(frozen=True)
class Observation:
    object_type: str
    key: str
    status_before: Status | None  # None: first time the ledger sees the object
    status_after: Status
    changed: bool  # a new object or a new source version was recorded


@dataclass(frozen=True)
class Claim:
    """An object won by a claim: post ``source_version``, re-using ``controlid`` when it is set."""

    object_type: str
    key: str
    source_version: str
    controlid: str | None  # set when this version was sent before: resend it for idempotency
    attempts: int  # including this one
    claimed_from_status: Status
    expires_at: datetime


@dataclass(frozen=True)
class Refusal:
    """Why an object was not claimed, or an outcome not applied."""

    object_type: str
    key: str
    status: Status | None  # None: the ledger does not know the object
    reason: str


class Claims(list):
    """The claims won (a list of :class:`Claim`) plus ``refused``: the keys not won and why."""

    def __init__(self, claims=(), refused=()):
        super().__init__(claims)
        self.refused: list[Refusal] = list(refused)


@dataclass(frozen=True)
class Outcome:
    """The result of posting one claimed object; build it with :meth:`success` or :meth:`error`."""

    object_type: str
    key: str
    ok: bool
    record_no: str | None = None
    intacct_key: str | None = None
    message: str | None = None
    error_class: str | None = None
    hold: str | None = None
    held_for_period: str | None = None
    controlid: str | None = None
    # Why it failed without reaching Intacct (e.g. "failed validation"): nothing was sent, so the
    # event log must not say "posting failed". None: the outcome of a send.
    not_sent: str | None = None

    @classmethod
    def success(
        cls,
        object_type: str,
        key: str,
        *,
        record_no: str | None,
        intacct_key: str | None = None,
        message: str | None = None,
        controlid: str | None = None,
    ) -> Outcome:
        return cls(
            object_type,
            key,
            True,
            record_no=record_no,
            intacct_key=intacct_key,
            message=message,
            controlid=controlid,
        )

    @classmethod
    def error(
        cls,
        object_type: str,
        key: str,
        *,
        error_class: str,
        message: str,
        hold: str | None = None,
        held_for_period: str | None = None,
        controlid: str | None = None,
        not_sent: str | None = None,
    ) -> Outcome:
        return cls(
            object_type,
            key,
            False,
            message=message,
            error_class=error_class,
            hold=hold,
            held_for_period=held_for_period,
            controlid=controlid,
            not_sent=not_sent,
        )


@dataclass(frozen=True)
class OutcomeReport:
    applied: int
    refused: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True)
class FailureGroup:
    """Objects in error with one error class: how many, how much, and (up to a limit) which."""

    error_class: str
    count: int
    amount: Decimal
    rows: list[LedgerRow]
