"""Build the validation's ``ReferenceSnapshot`` from the reference store, refusing stale data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from include.intacct.responses import is_true
from include.masterdata.streams import CLOSED_BOOKS_STREAM, DIMENSIONS_STREAM, STREAMS

# GLACCOUNT REQUIRE* flag -> the document line field it makes mandatory.
REQUIRED_DIMENSION_FIELDS = {
    "REQUIREDEPT": "department_id",
    "REQUIRELOC": "location_id",
    "REQUIREPROJECT": "project_id",
    "REQUIRECLASS": "class_id",
    "REQUIRECUSTOMER": "customer_id",
    "REQUIREVENDOR": "vendor_id",
    "REQUIREITEM": "item_id",
    "REQUIREEMPLOYEE": "employee_id",
}
# ReferenceSnapshot field -> the stream that fills it.
STATUS_TABLES = {
    "customers": "CUSTOMER", "vendors": "VENDOR", "items": "ITEM", "departments": "DEPARTMENT",
    "locations": "LOCATION", "classes": "CLASS", "projects": "PROJECT", "journals": "GLJOURNAL",
    "ar_terms": "ARTERM", "ap_terms": "APTERM", "entities": "LOCATIONENTITY",
}
REQUIRED_STREAMS = (*STREAMS, DIMENSIONS_STREAM, CLOSED_BOOKS_STREAM)


class StaleReferenceData(RuntimeError):
    """Validation must not run on master data older than the configured age (or never read)."""

    def __init__(self, stale: dict[str, str], max_age_hours: float):
        self.stale = stale
        details = "; ".join(f"{name}: {why}" for name, why in sorted(stale.items()))
        super().__init__(
            f"reference data is stale (older than {max_age_hours:g} h) for {len(stale)} object(s): {details}. "
            f"Run the intacct_master_data DAG for these objects first."
        )



def current_udds(store, states: dict) -> list[str]:
    """UDD streams that getDimensions still lists (a dimension deleted in Intacct drops out)."""
    listed = {r.key for r in store.records(DIMENSIONS_STREAM) if r.active}
    return [name for name, s in states.items() if s.kind == "udd" and s.object_name in listed]


def stale_streams(store, *, max_age_hours: float, now: datetime | None = None,
                  required: tuple[str, ...] = REQUIRED_STREAMS) -> dict[str, str]:
    """Stream -> why it is stale, for every required stream and every current UDD."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    oldest_allowed = now - timedelta(hours=max_age_hours)
    states = store.states()
    names = list(required) + [name for name in current_udds(store, states) if name not in required]
    stale = {}
    for name in names:
        state = states.get(name)
        if state is None or state.last_refreshed_at is None:
            stale[name] = "never refreshed"
        elif state.last_refreshed_at < oldest_allowed:
            stale[name] = f"last refreshed {state.last_refreshed_at.isoformat(timespec='seconds')}Z"
    return stale


def build_snapshot(store, *, max_age_hours: float, now: datetime | None = None):
    """A ``ReferenceSnapshot`` of everything validation checks against.

    Raises ``StaleReferenceData`` naming each object older than ``max_age_hours``
    (settings.reference_max_age_hours) or never refreshed. A user-defined dimension
    that Intacct could not read (INT402) is not stale: it is present with
    ``available=False`` so documents using it are held, not posted.
    """
    from include.quality.reference_snapshot import AccountRef, ReferenceSnapshot, UddRef

    stale = stale_streams(store, max_age_hours=max_age_hours, now=now)
    if stale:
        raise StaleReferenceData(stale, max_age_hours)
    states = store.states()
    tables = {field: store.statuses(stream) for field, stream in STATUS_TABLES.items()}
    accounts = {
        record.key: AccountRef(
            status=record.status or "",
            required_dimensions=frozenset(
                line_field for flag, line_field in REQUIRED_DIMENSION_FIELDS.items() if is_true(record.data.get(flag))
            ),
        )
        for record in store.records("GLACCOUNT")
    }
    # A location read before LOCATION selected ENTITY has no entity on record: left out, not guessed.
    location_entities = {record.key: str(record.data["ENTITY"] or "") for record in store.records("LOCATION")
                         if "ENTITY" in record.data}
    udd_names = current_udds(store, states)
    udds = {
        states[name].object_name: UddRef(available=states[name].available, values=store.statuses(name))
        for name in udd_names
    }
    refreshed = [s.last_refreshed_at for name, s in states.items()
                 if (name in REQUIRED_STREAMS or name in udd_names) and s.last_refreshed_at]
    return ReferenceSnapshot(
        **tables,
        accounts=accounts,
        udds=udds,
        location_entities=location_entities,
        closed_books_date=store.closed_books_date(),
        refreshed_at=min(refreshed).replace(tzinfo=UTC) if refreshed else None,
    )
