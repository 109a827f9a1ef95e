"""What a refused document looked for in Intacct's master data, and how to say so.

A validation issue on a reference Intacct owns names a document field (``term_name``,
``department_id``, ``dimensions.REGION``). ``lookup_of`` turns it into a ``Lookup``: the
master-data stream that holds that list (what the run reads again before refusing the document)
and the value looked for. ``lookup_note`` then writes the sentence a person needs when the
read did not help: what was looked for, in which Intacct list, and when that list was last read.

References to masters the ERP owns (customer, vendor, item) are not lookups: the ERP pushes them
to Intacct (the invalid_reference route), reading Intacct again would not create them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from include.error_classes import ErrorClass
from include.masterdata.dimension_holds import DIMENSION_FIELD_PREFIX
from include.masterdata.streams import UDD_PREFIX, get_stream

# Document field -> the stream holding the Intacct-owned list it references.
FIELD_STREAMS: dict[str, str] = {
    "account_no": "GLACCOUNT", "department_id": "DEPARTMENT", "location_id": "LOCATION", "class_id": "CLASS",
    "project_id": "PROJECT", "employee_id": "EMPLOYEE", "journal": "GLJOURNAL", "entity_id": "LOCATIONENTITY",
}
TERM_STREAMS: dict[str, str] = {"ar_invoice": "ARTERM", "ap_bill": "APTERM"}
# Error classes a fresher copy of Intacct's lists can cure.
CURABLE_BY_READING = frozenset({ErrorClass.PAYMENT_TERM, ErrorClass.INVALID_REFERENCE,
                                ErrorClass.DIMENSION_UNAVAILABLE})


@dataclass(frozen=True)
class Lookup:
    """One value a document needs from a list Intacct owns."""

    stream: str  # the master-data stream of that list (ARTERM, DEPARTMENT, UDD:REGION, ...)
    field: str  # the document field: term_name, department_id, dimensions.REGION
    value: str | None  # what was looked for (None for a dimension that could not be used at all)
    line_no: int | None = None
    whole_dimension: bool = False  # the user-defined dimension itself cannot be used, not one value


def _value_of(document, field: str, line_no: int | None):
    if line_no is not None:
        for line in document.lines:
            if line.get("line_no") == line_no and field in line:
                return line.get(field)
    return document.header.get(field)


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else (str(value) if value is not None else None)


def lookup_of(document, issue) -> Lookup | None:
    """The lookup behind one validation issue (a ``quality.Issue``); None when reading Intacct's
    lists again cannot cure it (a data-quality problem, an ERP-owned master, a closed period)."""
    if issue.error_class not in CURABLE_BY_READING:
        return None
    field = issue.field
    if field.startswith(DIMENSION_FIELD_PREFIX):
        name = field[len(DIMENSION_FIELD_PREFIX):]
        dimensions = _value_of(document, "dimensions", issue.line_no)
        value = dimensions.get(name) if isinstance(dimensions, Mapping) else None
        return Lookup(f"{UDD_PREFIX}{name}", field, _text(value), issue.line_no,
                      whole_dimension=issue.error_class is ErrorClass.DIMENSION_UNAVAILABLE)
    stream = TERM_STREAMS.get(document.doc_type) if field == "term_name" else FIELD_STREAMS.get(field)
    if stream is None:
        return None
    return Lookup(stream, field, _text(_value_of(document, field, issue.line_no)), issue.line_no)


def lookups_of(failure, error_class: ErrorClass | str | None = None) -> list[Lookup]:
    """The lookups of a failure's issues of ``error_class`` (default: the class that decided it),
    each once. Empty when none of them can be cured by reading Intacct again."""
    wanted = ErrorClass(error_class) if error_class is not None else failure.error_class
    found = (lookup_of(failure.document, issue) for issue in failure.issues if issue.error_class == wanted)
    return list(dict.fromkeys(lookup for lookup in found if lookup is not None))


def referenced_lookups(document) -> list[Lookup]:
    """Every Intacct-owned list a document references (for a refusal from Intacct, which does not
    say which field it means in a form the product can rely on)."""
    found: list[Lookup] = []
    term_stream = TERM_STREAMS.get(document.doc_type)
    if term_stream and _text(document.header.get("term_name")):
        found.append(Lookup(term_stream, "term_name", _text(document.header.get("term_name"))))
    for field, stream in FIELD_STREAMS.items():
        if _text(document.header.get(field)):
            found.append(Lookup(stream, field, _text(document.header.get(field))))
        for line in document.lines:
            if _text(line.get(field)):
                found.append(Lookup(stream, field, _text(line.get(field)), line.get("line_no")))
    for line in document.lines:
        dimensions = line.get("dimensions")
        for name, value in (dimensions.items() if isinstance(dimensions, Mapping) else ()):
            if _text(value):
                found.append(Lookup(f"{UDD_PREFIX}{name}", f"{DIMENSION_FIELD_PREFIX}{name}", _text(value),
                                    line.get("line_no")))
    return list(dict.fromkeys(found))


def streams_of(lookups: Iterable[Lookup]) -> set[str]:
    return {lookup.stream for lookup in lookups}


def status_in_snapshot(snapshot, lookup: Lookup) -> tuple[str | None, bool | None]:
    """(the looked-for value's status in the snapshot, or None when absent; for a user-defined
    dimension whether it is available, else None)."""
    from include.reference_store.snapshot import STATUS_TABLES

    if lookup.stream.startswith(UDD_PREFIX):
        udd = snapshot.udds.get(lookup.stream[len(UDD_PREFIX):])
        available = bool(udd and udd.available)
        return (udd.values.get(lookup.value) if udd and lookup.value else None), available
    if lookup.stream == "GLACCOUNT":
        account = snapshot.accounts.get(lookup.value)
        return (account.status if account else None), None
    table = next((name for name, stream in STATUS_TABLES.items() if stream == lookup.stream), None)
    statuses = getattr(snapshot, table, {}) if table else {}
    return statuses.get(lookup.value), None


def _when(read_at: datetime | None) -> str:
    return f"{read_at:%Y-%m-%d %H:%M:%S} UTC" if read_at else "never"


def lookup_note(lookup: Lookup, *, read_at: datetime | None, read_now: bool, read_error: str | None = None,
                found_status: str | None = None, available: bool | None = None, label: str | None = None) -> str:
    """The sentence for the refusal message: what was looked for, where, when the list was read.

    ``read_now``: the run read the list again before refusing; ``found_status``: the value's status
    in that list (None: not in it); ``available``: for a user-defined dimension, whether Intacct
    returned its values; ``label``: the dimension's label, for the list's name.
    """
    stream = get_stream(lookup.stream)
    where = stream.intacct_list or stream.object_name
    if lookup.stream.startswith(UDD_PREFIX) and label:
        where = f"Platform Services > Objects > {label}"
    line = f" (line {lookup.line_no})" if lookup.line_no is not None else ""
    if read_error:
        when = f"it could not be read again ({read_error}); Intacct's list was last read {_when(read_at)}"
    elif read_now:
        when = f"read again from Intacct at {_when(read_at)} in this run"
    else:
        when = f"last read from Intacct {_when(read_at)}"
    if lookup.whole_dimension:
        name = lookup.stream[len(UDD_PREFIX):]
        state = ("Intacct returned its values" if available else
                 "Intacct still does not return its values to the integration user")
        return f"Looked for user-defined dimension {name}{line} in Intacct's {where}, {when}: {state}."
    if found_status is None:
        state = "not there"
    elif found_status.strip().lower() == "active":
        state = "there and active"
    else:
        state = f"there, but {found_status.strip().lower()}"
    return f"Looked for {stream.noun} {lookup.value!r}{line} in Intacct's list {where} ({stream.name}), {when}: {state}."
