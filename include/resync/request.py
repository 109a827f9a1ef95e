"""What a person asked the ``intacct_resync`` DAG to do, checked before anything runs.

Synchronize applies to objects that are not integrated or desynchronized; Force
synchronize to objects in error; neither to pending objects, which are already
synchronizing. The statuses come from the ledger's transition table, so this module
and the ledger can never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from include.error_classes import ErrorClass
from include.ledger.transitions import Action, Status, from_statuses
from include.settings import DOC_TYPES

MASTER_TYPES = ("customer", "vendor", "item")  # ERP-owned masters, pushed by include.masterdata
OBJECT_TYPES = (*DOC_TYPES, *MASTER_TYPES)
ACTIONS = (Action.SYNCHRONIZE.value, Action.FORCE_SYNCHRONIZE.value)
FILTER_STATUSES = tuple(s.value for s in Status)


class ResyncRequestError(ValueError):
    pass


def applicable_statuses(action: str) -> tuple[str, ...]:
    """The statuses an action applies to (the ledger's transition table)."""
    return tuple(s.value for s in from_statuses(Action(action)))


@dataclass(frozen=True)
class ResyncRequest:
    run_id: str
    object_type: str
    action: str
    keys: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # with no keys: which statuses to select (default: all the action applies to)
    error_class: str | None = None
    dry_run: bool = False

    @property
    def is_document(self) -> bool:
        return self.object_type in DOC_TYPES

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["keys"], data["statuses"] = list(self.keys), list(self.statuses)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResyncRequest:
        return cls(**{**data, "keys": tuple(data.get("keys") or ()), "statuses": tuple(data.get("statuses") or ())})

    def describe(self) -> str:
        what = ", ".join(self.keys) if self.keys else (
            f"every {self.object_type} that is {' or '.join(self.statuses)}"
            + (f" with error class {self.error_class}" if self.error_class else ""))
        verb = "Force synchronize" if self.action == Action.FORCE_SYNCHRONIZE.value else "Synchronize"
        return f"{'dry run: ' if self.dry_run else ''}{verb} {self.object_type}: {what}"


def request_from_params(params: dict[str, Any], run_id: str) -> ResyncRequest:
    """The request of a run's params; ResyncRequestError names the param that is wrong."""
    object_type = str(params.get("object_type") or "").strip()
    if object_type not in OBJECT_TYPES:
        raise ResyncRequestError(f"param object_type={object_type!r} is not one of {', '.join(OBJECT_TYPES)}")
    action = str(params.get("action") or "").strip()
    if action not in ACTIONS:
        raise ResyncRequestError(f"param action={action!r} is not one of {', '.join(ACTIONS)}")
    raw_keys = params.get("keys") or []
    if isinstance(raw_keys, str):
        raw_keys = raw_keys.replace("\n", ",").split(",")
    keys = tuple(dict.fromkeys(str(k).strip() for k in raw_keys if str(k).strip()))
    statuses = tuple(dict.fromkeys(str(s).strip() for s in params.get("statuses") or () if str(s).strip()))
    unknown = [s for s in statuses if s not in FILTER_STATUSES]
    if unknown:
        raise ResyncRequestError(f"param statuses has unknown statuses {unknown}; known: {', '.join(FILTER_STATUSES)}")
    allowed = applicable_statuses(action)
    if Status.PENDING.value in statuses:
        raise ResyncRequestError("param statuses: pending objects are already synchronizing; neither Synchronize "
                                 "nor Force synchronize applies to them")
    wrong = [s for s in statuses if s not in allowed]
    if wrong:
        other = ACTIONS[1] if action == ACTIONS[0] else ACTIONS[0]
        raise ResyncRequestError(f"param statuses {wrong}: {action} applies to objects that are "
                                 f"{' or '.join(allowed)}; use {other} for {' or '.join(wrong)} objects")
    if keys and statuses:
        raise ResyncRequestError("give either keys or a status filter, not both")
    error_class = params.get("error_class") or None
    if error_class is not None:
        if error_class not in {c.value for c in ErrorClass}:
            raise ResyncRequestError(f"param error_class={error_class!r} is not one of "
                                     f"{', '.join(c.value for c in ErrorClass)}")
        if action != Action.FORCE_SYNCHRONIZE.value or keys:
            raise ResyncRequestError("param error_class filters the objects in error that force_synchronize "
                                     "selects without keys")
    return ResyncRequest(run_id=run_id, object_type=object_type, action=action, keys=keys,
                         statuses=statuses or (() if keys else allowed), error_class=error_class,
                         dry_run=bool(params.get("dry_run")))
