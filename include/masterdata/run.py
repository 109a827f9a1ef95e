"""What the ``intacct_master_data`` DAG's tasks call: plain functions, JSON-safe results.

Each task opens its own client (from the Airflow connection ``intacct_default``, or
the INTACCT_* environment outside Airflow), reference store and ledger, all in the
integration database of ``include.settings``. Nothing here touches Airflow's
metadata database.
"""

from __future__ import annotations

import logging
import math
import os
import socket
from contextlib import contextmanager
from datetime import date

from include.masterdata.extract import MAX_PAGE_SIZE
from include.masterdata.streams import (
    ALL_STREAM_NAMES,
    CLOSED_BOOKS_STREAM,
    DIMENSIONS_STREAM,
    ERP_OWNED,
    get_stream,
    validate_stream_names,
)
from include.settings import Settings, load_settings

log = logging.getLogger(__name__)
ERP_MASTER_TYPES = tuple(s.erp_object_type for s in ERP_OWNED)


def plan_objects(objects: list[str] | None, settings: Settings | None = None) -> list[str]:
    """The requested streams in declaration order (all when none are named), after preparing the
    integration database (idempotent migration)."""
    from include.reference_store import ReferenceStore

    streams = validate_stream_names(list(objects) if objects else list(ALL_STREAM_NAMES))
    settings = settings or load_settings()
    store = ReferenceStore(settings.integration_db_url)
    try:
        store.migrate()
    finally:
        store.close()
    return streams


def plan_pushes(objects: list[str], push_erp_masters: bool) -> list[str]:
    """The ERP master types to push: those whose Intacct object is among ``objects``."""
    return [s.erp_object_type for s in ERP_OWNED if push_erp_masters and s.name in objects]


def open_client():
    """The Intacct client: from the Airflow connection when Airflow can resolve it, else INTACCT_* variables."""
    from include.intacct import IntacctClient
    from include.intacct.connection import resolve_config

    return IntacctClient(resolve_config())


@contextmanager
def _resources(settings: Settings, client=None):
    from include.ledger import Ledger
    from include.reference_store import ReferenceStore

    own_client = client is None
    client = client or open_client()
    ledger = Ledger(settings.integration_db_url)
    store = ReferenceStore(ledger.engine)  # the same database, one connection pool
    try:
        yield client, store, ledger
    finally:
        ledger.close()
        store.close()
        if own_client:
            client.close()


def _worker(run_id: str, name: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{run_id}:{name}"[:200]  # the ledger's limit


def extract(stream_name: str, *, run_id: str, full_refresh: bool = False, settings: Settings | None = None,
            client=None) -> dict:
    """Read one stream (or DIMENSIONS / CLOSEDBOOKS) into the reference store."""
    from include.masterdata.dimensions import sync_closed_books_date, sync_dimensions
    from include.masterdata.extract import extract_stream

    settings = settings or load_settings()
    with _resources(settings, client) as (client, store, ledger):
        if stream_name == CLOSED_BOOKS_STREAM:
            from include.backfill import handle_reopening

            previous = store.closed_books_date()
            result = sync_closed_books_date(client, store, run_id=run_id)
            current = result["closed_books_date"]
            # The date moved back: release what the reopened periods held and start their backfill.
            result["reopening"] = handle_reopening(previous, date.fromisoformat(current) if current else None,
                                                   ledger=ledger, run_id=run_id, settings=settings)
            return result
        if stream_name == DIMENSIONS_STREAM:
            return sync_dimensions(client, store, ledger, run_id=run_id, worker=_worker(run_id, stream_name),
                                   company_timezone=settings.company_timezone,
                                   lookback_minutes=settings.master_data_lookback_minutes,
                                   full_refresh=full_refresh, user_id=client.config.user_id).to_dict()
        return extract_stream(client, store, get_stream(stream_name), run_id=run_id,
                              company_timezone=settings.company_timezone,
                              lookback_minutes=settings.master_data_lookback_minutes,
                              full_refresh=full_refresh).to_dict()


def push(object_type: str, *, run_id: str, settings: Settings | None = None, client=None) -> dict:
    """Push the ERP's new and changed masters of one type to Intacct."""
    from include.erp.source import open_source
    from include.masterdata.push import push_masters

    settings = settings or load_settings()
    with _resources(settings, client) as (client, store, ledger):
        source = open_source(settings.erp_source)
        try:
            return push_masters(client, ledger, store, source, object_type, run_id=run_id,
                                worker=_worker(run_id, object_type),
                                lookback_minutes=settings.master_data_lookback_minutes).to_dict()
        finally:
            source.close()


def report(streams: list[str], *, run_id: str, pushes: list[str] = (), settings: Settings | None = None) -> dict:
    """Per-stream outcome of this run (from the reference store, so failed tasks show too).

    Returns ``{"streams": {...}, "failed": [...], "quality_failures": [...], "unavailable": {...}}``;
    ``failed`` names the streams, and the ERP pushes (``ERP:<type>``), not completed in this run.
    """
    from include.reference_store import ReferenceStore

    settings = settings or load_settings()
    store = ReferenceStore(settings.integration_db_url)
    try:
        states = store.states()
    finally:
        store.close()
    rows, failed, quality, unavailable = {}, [], [], {}
    for name in streams:
        state = states.get(name)
        if state is None or state.last_run_id != run_id:
            failed.append(name)
            continue
        rows[name] = {"records_read": state.records_read, "api_calls": state.api_calls,
                      "watermark": state.watermark.isoformat(timespec="seconds") if state.watermark else None}
        quality.extend(state.quality)
    failed.extend(f"ERP:{object_type}" for object_type in pushes
                  if getattr(states.get(f"ERP:{object_type}"), "last_run_id", None) != run_id)
    for name, state in states.items():
        if state.kind == "udd" and state.last_run_id == run_id:
            rows[name] = {"records_read": state.records_read, "api_calls": state.api_calls,
                          "available": state.available}
            quality.extend(state.quality)
            if not state.available:
                unavailable[state.object_name] = state.unavailable_reason
    for name, row in sorted(rows.items()):
        budget = math.ceil(row["records_read"] / MAX_PAGE_SIZE) + 1
        row["call_budget"] = budget  # ceil(records / page size) + 1
        log.info("%-22s read %6s record(s) in %4s API call(s) (budget %s)", name, row["records_read"],
                 row["api_calls"], budget)
    return {"streams": rows, "failed": failed, "quality_failures": quality, "unavailable": unavailable}


def check_fresh(*, settings: Settings | None = None) -> dict:
    """Build the validation snapshot; raises StaleReferenceData naming what is stale."""
    from include.reference_store import ReferenceStore, build_snapshot

    settings = settings or load_settings()
    store = ReferenceStore(settings.integration_db_url)
    try:
        snapshot = build_snapshot(store, max_age_hours=settings.reference_max_age_hours)
    finally:
        store.close()
    return snapshot.summary()
