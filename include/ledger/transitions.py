"""Integration statuses and the transitions between them: defined once, enforced here.

Every change of an object's status goes through :func:`require`, and the SQL that
claims objects in bulk takes its status condition from :func:`from_statuses`, so
this table is the single answer to "can this object go from A to B, and why not".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    NOT_INTEGRATED = "not_integrated"
    PENDING = "pending"
    SUCCESS = "success"
    ERROR = "error"
    DESYNCHRONIZED = "desynchronized"


class Category(StrEnum):
    FINANCE = "finance"
    MASTER = "master"


class Hold(StrEnum):
    """Why an object in error waits for something outside the product before it is retried."""

    CLOSED_PERIOD = "closed_period"
    DIMENSION_UNAVAILABLE = "dimension_unavailable"
    INVALID_REFERENCE = "invalid_reference"
    PAYMENT_TERM = "payment_term"
    MANUAL = "manual"


class Action(StrEnum):
    FIRST_SEEN = "first_seen"  # the ERP shows an object the ledger has never seen
    SOURCE_CHANGED = "source_changed"  # the ERP shows a new version of a known object
    SOURCE_REVERTED = "source_reverted"  # the new version is the one already in Intacct
    SYNCHRONIZE = "synchronize"  # user or scheduled run: first or renewed synchronization
    FORCE_SYNCHRONIZE = "force_synchronize"  # user: try again an object in error
    RETRY = "retry"  # product: automatic retry of an error that is not held
    RELEASE = "release"  # product: retry of an error whose hold was released
    RECOVER = "recover"  # product: re-claim a claim abandoned by a crashed worker
    SUCCEED = "succeed"
    SUCCEED_OUTDATED = "succeed_outdated"  # posted, but the ERP changed while it was posting
    FAIL = "fail"
    FAIL_OUTDATED = "fail_outdated"  # failed, but the ERP already has a newer version to try
    MARK_SYNCED = "mark_synced"  # user: "mark as synced" after a manual adjustment in Intacct
    PLACE_HOLD = "place_hold"
    RELEASE_HOLD = "release_hold"


# Actions that claim an object for posting (moving it to pending).
CLAIM_ACTIONS = frozenset(
    {Action.SYNCHRONIZE, Action.FORCE_SYNCHRONIZE, Action.RETRY, Action.RELEASE, Action.RECOVER}
)
# Claim actions that the product takes on its own: each must say why.
AUTOMATIC_CLAIM_ACTIONS = frozenset({Action.RETRY, Action.RELEASE, Action.RECOVER})

_S = Status


class Guard(StrEnum):
    """A condition beyond the status that a claim also checks (in the same atomic UPDATE)."""

    NOT_HELD = "not_held"  # hold is null
    HOLD_RELEASED = "hold_released"  # hold is null and released_at is set
    LEASE_EXPIRED = "lease_expired"  # claim_expires_at is in the past


@dataclass(frozen=True)
class Transition:
    action: Action
    from_status: Status | None
    to_status: Status
    meaning: str
    guard: Guard | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.FIRST_SEEN, None, _S.NOT_INTEGRATED, "first observation of the object"),
    Transition(
        Action.SOURCE_CHANGED, _S.NOT_INTEGRATED, _S.NOT_INTEGRATED, "a newer version waits to be posted"
    ),
    Transition(
        Action.SOURCE_CHANGED,
        _S.SUCCESS,
        _S.DESYNCHRONIZED,
        "the ERP changed an object that is already in Intacct",
    ),
    Transition(
        Action.SOURCE_CHANGED, _S.DESYNCHRONIZED, _S.DESYNCHRONIZED, "a newer version waits to be posted"
    ),
    Transition(Action.SOURCE_CHANGED, _S.ERROR, _S.NOT_INTEGRATED, "a corrected ERP version is picked up"),
    Transition(
        Action.SOURCE_CHANGED,
        _S.PENDING,
        _S.PENDING,
        "the claim goes on; its outcome is recorded against the claimed version",
    ),
    Transition(
        Action.SOURCE_REVERTED, _S.DESYNCHRONIZED, _S.SUCCESS, "the ERP is back to the posted version"
    ),
    Transition(Action.SOURCE_REVERTED, _S.ERROR, _S.SUCCESS, "the ERP is back to the posted version"),
    Transition(
        Action.SOURCE_REVERTED, _S.NOT_INTEGRATED, _S.SUCCESS, "the ERP is back to the posted version"
    ),
    Transition(Action.SYNCHRONIZE, _S.NOT_INTEGRATED, _S.PENDING, "synchronize for the first time"),
    Transition(Action.SYNCHRONIZE, _S.DESYNCHRONIZED, _S.PENDING, "synchronize the changed object"),
    Transition(Action.FORCE_SYNCHRONIZE, _S.ERROR, _S.PENDING, "force synchronization of an object in error"),
    Transition(
        Action.RETRY, _S.ERROR, _S.PENDING, "automatic retry of an error that is not held", Guard.NOT_HELD
    ),
    Transition(
        Action.RELEASE, _S.ERROR, _S.PENDING, "retry of an error whose hold was released", Guard.HOLD_RELEASED
    ),
    Transition(
        Action.RECOVER, _S.PENDING, _S.PENDING, "re-claim a claim whose lease expired", Guard.LEASE_EXPIRED
    ),
    Transition(Action.SUCCEED, _S.PENDING, _S.SUCCESS, "posted to Intacct"),
    Transition(
        Action.SUCCEED_OUTDATED,
        _S.PENDING,
        _S.DESYNCHRONIZED,
        "posted, but the ERP changed the object meanwhile",
    ),
    Transition(Action.FAIL, _S.PENDING, _S.ERROR, "posting failed"),
    Transition(
        Action.FAIL_OUTDATED,
        _S.PENDING,
        _S.NOT_INTEGRATED,
        "posting failed, and a newer ERP version waits to be posted",
    ),
    Transition(Action.MARK_SYNCED, _S.ERROR, _S.SUCCESS, "marked as synced by a person"),
    Transition(Action.MARK_SYNCED, _S.DESYNCHRONIZED, _S.SUCCESS, "marked as synced by a person"),
    Transition(Action.PLACE_HOLD, _S.ERROR, _S.ERROR, "held until someone releases it"),
    Transition(Action.RELEASE_HOLD, _S.ERROR, _S.ERROR, "hold released; the object may be retried"),
)

_BY_KEY: dict[tuple[Action, Status | None], Transition] = {(t.action, t.from_status): t for t in TRANSITIONS}

# Why an action is refused, where a general "applies only to ..." would not help the reader.
_REFUSAL_REASONS: dict[tuple[Action, Status | None], str] = {
    **{(a, _S.PENDING): "already synchronizing" for a in CLAIM_ACTIONS - {Action.RECOVER}},
    (Action.SYNCHRONIZE, _S.ERROR): "objects in error need Force synchronize",
    (Action.SYNCHRONIZE, _S.SUCCESS): "already synchronized; nothing changed since",
    (Action.FORCE_SYNCHRONIZE, _S.NOT_INTEGRATED): "Force synchronize applies to objects in error; "
    "use Synchronize",
    (Action.FORCE_SYNCHRONIZE, _S.DESYNCHRONIZED): "Force synchronize applies to objects in error; "
    "use Synchronize",
    (Action.MARK_SYNCED, _S.PENDING): "already synchronizing",
    (Action.MARK_SYNCED, _S.SUCCESS): "already synchronized",
    **{
        (a, s): "no claim to record an outcome for"
        for a in (Action.SUCCEED, Action.SUCCEED_OUTDATED, Action.FAIL, Action.FAIL_OUTDATED)
        for s in Status
        if s is not _S.PENDING
    },
}


class TransitionRefused(Exception):
    """An action that the transition table does not allow for the object's status."""

    def __init__(
        self,
        object_type: str,
        key: str,
        from_status: Status | str | None,
        to_status: Status | str | None,
        reason: str,
    ):
        self.object_type = object_type
        self.key = key
        self.from_status = from_status
        self.to_status = to_status
        self.reason = reason
        super().__init__(
            f"{object_type} {key!r}: cannot go from {from_status or 'unknown'} to "
            f"{to_status or 'unknown'}: {reason}"
        )


def target(action: Action) -> Status | None:
    """The status an action leads to when that does not depend on where it starts, else None.

    Only ``source_changed`` depends on it (a success becomes desynchronized, an error not integrated).
    """
    targets = {t.to_status for t in TRANSITIONS if t.action is action}
    return targets.pop() if len(targets) == 1 else None


def guard(action: Action) -> Guard | None:
    """The extra condition of an action (the same from every status it allows)."""
    return next((t.guard for t in TRANSITIONS if t.action is action), None)


def from_statuses(action: Action) -> tuple[Status, ...]:
    return tuple(t.from_status for t in TRANSITIONS if t.action is action and t.from_status is not None)


def refusal_reason(action: Action, from_status: Status | None) -> str:
    reason = _REFUSAL_REASONS.get((action, from_status))
    if reason:
        return reason
    allowed = ", ".join(from_statuses(action)) or "new objects"
    return f"{action.value} applies only to objects that are {allowed}"


def require(action: Action, from_status: Status | str | None, *, object_type: str, key: str) -> Transition:
    """The transition for ``action`` from ``from_status``, or :class:`TransitionRefused`."""
    status = Status(from_status) if from_status is not None else None
    transition = _BY_KEY.get((action, status))
    if transition is None:
        raise TransitionRefused(object_type, key, status, target(action), refusal_reason(action, status))
    return transition
