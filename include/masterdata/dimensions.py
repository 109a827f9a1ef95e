"""User-defined dimensions (UDDs) and the INT402 situation, plus the closed-books date.

``getDimensions`` lists every dimension; each user-defined one is read as its own
stream (``UDD:<name>``). When Intacct cannot return a UDD's values (inactive, or not
permitted for the integration user), the UDD is marked unavailable in the reference
store, the ledger records a ``dimension_unavailable`` error for the master-data
object ``dimension``/<name> with the administrator's steps, the other UDDs and
objects still sync, and the next successful read makes it available again and
releases the documents held for it (``include.masterdata.dimension_holds``).
``read_udd`` reads one UDD: the master-data sync reads them all, a transactions run
reads again only those its documents need (``include.masterdata.refresh``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from include.error_classes import ErrorClass
from include.intacct.responses import is_true
from include.masterdata.extract import MAX_PAGE_SIZE, ExtractResult, extract_stream
from include.masterdata.streams import CLOSED_BOOKS_STREAM, DIMENSIONS_STREAM, Stream, udd_stream
from include.reference_store.store import record_key

log = logging.getLogger(__name__)
DIMENSION_OBJECT_TYPE = "dimension"  # ledger object type of a UDD's availability
_UNREADABLE = (ErrorClass.PERMISSION, ErrorClass.DIMENSION_UNAVAILABLE)

# The administrator's steps for INT402, in one place (also rendered in the README).
INT402_STEPS = (
    "In Sage Intacct, go to Platform Services > Objects > List, filter by User-Defined Dimensions and open "
    "{dimension}: make sure it is fully configured and active.",
    "Grant {user} permission to view and read {dimension} (its role or user permissions "
    "on the dimension object), then Save.",
    "Nothing else to do: every transactions run (and a Force synchronize) reads {dimension} again before "
    "refusing a document, and posts the documents held for it once it reads. To release them right away, run the "
    "intacct_master_data DAG for DIMENSIONS (Airflow UI > Trigger with objects=[\"DIMENSIONS\"], or "
    "`airflow dags trigger intacct_master_data --conf '{{\"objects\": [\"DIMENSIONS\"]}}'`): documents held "
    "for a dimension are released as soon as that dimension reads, whatever the other dimensions do.",
)


def int402_steps(name: str | None = None, user: str | None = None) -> str:
    """The numbered steps an administrator takes to make a user-defined dimension readable again."""
    dimension = f"'{name}'" if name else "the dimension"
    who = f"the integration user ({user})" if user else "the integration user"
    return " ".join(f"{n}. {step.format(dimension=dimension, user=who)}" for n, step in enumerate(INT402_STEPS, 1))


def int402_message(name: str, user: str | None = None, cause: str = "") -> str:
    """The INT402 error text with every step an administrator takes, for the ledger and the run."""
    because = f" Intacct said: {cause}." if cause else ""
    return f"INT402: Sage Intacct couldn't return values for user-defined dimension '{name}'.{because} " \
           f"{int402_steps(name, user)}"


DIMENSIONS_LIST = Stream(DIMENSIONS_STREAM, "getDimensions", "objectName", ("objectLabel", "userDefinedDimension"),
                         description="Dimensions listed by getDimensions")



@dataclass
class DimensionsResult:
    dimensions: list[str] = field(default_factory=list)
    udds: dict[str, dict] = field(default_factory=dict)  # name -> ExtractResult.to_dict()
    unavailable: dict[str, str] = field(default_factory=dict)  # name -> message (with the steps)
    released_documents: int = 0  # documents held for dimension_unavailable, released for a retry
    api_calls: int = 0

    def to_dict(self) -> dict:
        return {"stream": DIMENSIONS_STREAM, "dimensions": self.dimensions, "udds": self.udds,
                "unavailable": self.unavailable, "released_documents": self.released_documents,
                "api_calls": self.api_calls}


def _versions(name: str) -> tuple[str, str]:
    """Ledger versions of a UDD's readable state: readable ("in Intacct") or not."""
    return f"{name}:readable", f"{name}:unavailable"


def _track_in_ledger(ledger, name: str, *, readable: bool, run_id: str, worker: str, message: str) -> None:
    """Keep the ledger's master-data object ``dimension``/<name> in step with what Intacct answered."""
    from include.ledger.transitions import Status

    readable_version, unavailable_version = _versions(name)
    version = readable_version if readable else unavailable_version
    observation = ledger.observe(DIMENSION_OBJECT_TYPE, name, version, category="master", run_id=run_id)
    if observation.status_after == Status.SUCCESS:
        return  # readable again: the ledger saw the version that is "in Intacct"
    if observation.status_after == Status.ERROR:
        ledger.log_decision(DIMENSION_OBJECT_TYPE, name, run_id=run_id, decision="still_unavailable",
                            reason="Intacct still cannot return the dimension's values", details={"message": message})
        return
    claims = ledger.claim(DIMENSION_OBJECT_TYPE, [name], run_id=run_id, worker=worker)
    if not claims:
        return
    if readable:
        ledger.record_success(DIMENSION_OBJECT_TYPE, name, run_id=run_id, record_no=None, intacct_key=name,
                              message="values read")
    else:
        ledger.record_error(DIMENSION_OBJECT_TYPE, name, run_id=run_id,
                            error_class=ErrorClass.DIMENSION_UNAVAILABLE.value, message=message)


@dataclass
class UddRead:
    """One user-defined dimension read: its values (``extracted``) or why Intacct refused them."""

    name: str
    extracted: ExtractResult | None = None
    unavailable: str | None = None  # the INT402 message, with the administrator's steps
    api_calls: int = 0

    @property
    def readable(self) -> bool:
        return self.unavailable is None


def read_dimension_list(client, store, *, run_id: str) -> list[dict]:
    """getDimensions (one call) into the store's DIMENSIONS list; the records Intacct listed."""
    dimensions = client.get_dimensions()
    listing = [(record, None) for record in dimensions]
    for record, _ in listing:
        record.setdefault("STATUS", "active")  # getDimensions lists the dimensions in use
    store.upsert_records(DIMENSIONS_LIST, listing, run_id=run_id)
    store.complete_refresh(DIMENSIONS_LIST, run_id=run_id, newest_change=None, records_read=len(dimensions),
                           api_calls=1, full_refresh=True, kind="dimensions")  # each UDD counts its own calls
    return dimensions


def read_udd(client, store, ledger, name: str, *, label: str = "", run_id: str, worker: str, company_timezone: str,
             lookback_minutes: int, full_refresh: bool = False, page_size: int = MAX_PAGE_SIZE,
             user_id: str = "the integration user") -> UddRead:
    """Read one UDD's values into the store (incrementally on its watermark), keeping its
    availability and the ledger's ``dimension``/<name> object in step with Intacct's answer.

    An unreadable UDD (INT402) is recorded and returned, never raised; any other gateway error is.
    """
    from include.intacct.classify import classify
    from include.intacct.errors import IntacctError

    stream = udd_stream(name, label)
    try:
        extracted = extract_stream(client, store, stream, run_id=run_id, company_timezone=company_timezone,
                                   lookback_minutes=lookback_minutes, full_refresh=full_refresh,
                                   page_size=page_size, kind="udd")
    except IntacctError as exc:
        if classify(exc) not in _UNREADABLE:
            raise
        message = int402_message(name, user_id, cause=str(exc))
        store.mark_unavailable(stream, run_id=run_id, reason=message, api_calls=1)
        _track_in_ledger(ledger, name, readable=False, run_id=run_id, worker=worker, message=message)
        log.error("%s", message)
        return UddRead(name, unavailable=message, api_calls=1)
    _track_in_ledger(ledger, name, readable=True, run_id=run_id, worker=worker, message="")
    return UddRead(name, extracted=extracted, api_calls=extracted.api_calls)


def sync_dimensions(client, store, ledger, *, run_id: str, worker: str, company_timezone: str,
                    lookback_minutes: int, full_refresh: bool = False, page_size: int = MAX_PAGE_SIZE,
                    user_id: str = "the integration user") -> DimensionsResult:
    """getDimensions, then every UDD's values. Unreadable UDDs are recorded, never fatal; the
    documents held for a dimension are released as soon as that dimension reads again.

    Other failures of one UDD are raised after every UDD has been tried.
    """
    from include.intacct.errors import IntacctError
    from include.masterdata.dimension_holds import release_for_readable_dimensions

    result = DimensionsResult()
    dimensions = read_dimension_list(client, store, run_id=run_id)
    result.api_calls += 1
    result.dimensions = [record_key(DIMENSIONS_LIST, r) for r in dimensions]
    failures: list[tuple[str, Exception]] = []
    readable: set[str] = set()
    for record in dimensions:
        if not is_true(record.get("userDefinedDimension")):
            continue
        name = str(record.get("objectName") or "").strip()
        try:
            read = read_udd(client, store, ledger, name, label=str(record.get("objectLabel") or ""), run_id=run_id,
                            worker=worker, company_timezone=company_timezone, lookback_minutes=lookback_minutes,
                            full_refresh=full_refresh, page_size=page_size, user_id=user_id)
        except IntacctError as exc:
            result.api_calls += 1
            failures.append((name, exc))
            continue
        result.api_calls += read.api_calls
        if read.readable:
            readable.add(name)
            result.udds[name] = read.extracted.to_dict()
        else:
            result.unavailable[name] = read.unavailable
    unreadable = set(result.unavailable) | {name for name, _ in failures}
    result.released_documents = release_for_readable_dimensions(
        ledger, readable=readable, unreadable=unreadable, run_id=run_id,
        reason_prefix="the master-data sync read")
    if failures:
        details = "; ".join(f"{name}: {exc}" for name, exc in failures)
        raise RuntimeError(f"user-defined dimension(s) could not be read: {details}")
    return result


def sync_closed_books_date(client, store, *, run_id: str) -> dict:
    closed_through = client.get_closed_books_date()
    store.set_closed_books_date(closed_through, run_id=run_id, api_calls=1)
    return {"stream": CLOSED_BOOKS_STREAM, "closed_books_date": closed_through.isoformat() if closed_through else None,
            "api_calls": 1}
