"""The transactions DAG's tasks as plain functions: each builds what it needs from the
settings and the Airflow task context (a mapping) and returns a small JSON dict.

Nothing here reads Airflow's metadata database: the run's type, params and data
interval come from the task context. The Intacct client comes from the
``intacct_default`` connection through ``IntacctHook``.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

from include.pipeline.selection import RunPlan, Selection, plan_run
from include.settings import Settings, load_settings

log = logging.getLogger(__name__)



def _client_from_connection():
    from include.intacct.hook import IntacctHook

    return IntacctHook().get_conn()


def _ledger(settings: Settings):
    from include.ledger import Ledger

    return Ledger(settings.integration_db_url)


def _source(settings: Settings):
    from include.erp.source import open_source

    return open_source(settings.erp_source)


def _entities_hidden_from(client, ledger) -> list[str]:
    """The company's other entities when the connection signs in to one entity (its session
    sees only that entity's records); none for a top-level connection, which sees them all."""
    from include.reference_store import ReferenceStore

    own = ((client.config.entity_id or "").strip() if client is not None else "")
    if not own:
        return []
    return sorted(record.key for record in ReferenceStore(ledger.engine).records("LOCATIONENTITY")
                  if record.key != own)


def _snapshot(ledger, settings: Settings):
    from include.reference_store import ReferenceStore, build_snapshot

    return build_snapshot(ReferenceStore(ledger.engine), max_age_hours=settings.reference_max_age_hours)


def _term_mapping(settings: Settings):
    from include.remediation.terms import TermMapping, TermMappingError

    try:
        return TermMapping.load(settings.term_mapping_file)
    except TermMappingError as exc:
        raise _fail(f"The payment term mapping cannot be read: {exc}") from None


def _worker(plan: RunPlan, doc_type: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{doc_type}"


class MasterDataNotReady(RuntimeError):
    """Master data is older than allowed or was never read: posting waits for a fresh sync."""


def _fail(message: str):
    from airflow.sdk.exceptions import AirflowFailException

    return AirflowFailException(message)


def plan_from_context(context: Mapping[str, Any], settings: Settings) -> RunPlan:
    dag_run = context["dag_run"]
    return plan_run(
        run_id=context["run_id"],
        run_type=str(getattr(dag_run, "run_type", "manual")).lower().rsplit(".", 1)[-1],
        params=dict(context.get("params") or {}),
        data_interval_start=context.get("data_interval_start"),
        data_interval_end=context.get("data_interval_end"),
        run_after=getattr(dag_run, "run_after", None),
        schedule_timezone=settings.schedule_timezone,
    )


def check(context: Mapping[str, Any], *, client_factory: Callable = _client_from_connection,
          settings: Settings | None = None) -> dict:
    """Plan the run; stop it early, with one message, on auth/permission or stale master data."""
    from include.intacct.errors import IntacctError
    from include.pipeline.selection import SelectionError
    from include.reference_store import StaleReferenceData

    settings = settings or load_settings()
    try:
        plan = plan_from_context(context, settings)
    except SelectionError as exc:
        raise _fail(f"Cannot select documents: {exc}") from None
    ledger = _ledger(settings)
    ledger.migrate()
    try:
        snapshot = _snapshot(ledger, settings)
    except StaleReferenceData as exc:
        # Retryable: the night's master-data run may still be running (or started with this one).
        raise MasterDataNotReady(f"{exc} The task's retries wait for it; once they are used up, run "
                                 "intacct_master_data, then clear this task.") from None
    client = client_factory()
    try:
        closed_books_date = client.get_closed_books_date()
    except IntacctError as exc:
        from include.error_classes import ERROR_CLASSES, ErrorClass
        from include.intacct.classify import classify

        error_class = classify(exc)
        if ERROR_CLASSES[error_class].stops_run:
            raise _fail(f"Intacct refused the integration user ({error_class.value}): {exc}. "
                        f"{ERROR_CLASSES[ErrorClass(error_class)].person_does}") from None
        raise
    reopening = follow_closed_books_date(closed_books_date, run_id=plan.run_id, dry_run=plan.dry_run, ledger=ledger,
                                         settings=settings)
    config = client.config
    layout = {"partitions": config.partitions, "requests_per_worker": config.requests_per_worker,
              "max_concurrency": config.max_concurrency}
    log.info("Run %s: %s; load in %d partition(s) of %d request(s) in flight (the tenant allows %d)", plan.run_id,
             plan.describe(), config.partitions, config.requests_per_worker, config.max_concurrency)
    return {**plan.to_json(), "load": layout,
            "check": {"closed_books_date": closed_books_date.isoformat() if closed_books_date else None,
                      "reference": snapshot.summary(), "reopening": reopening, "api": client.metrics.snapshot()}}


def follow_closed_books_date(closed_books_date, *, run_id: str, dry_run: bool, ledger,
                             settings: Settings) -> dict | None:
    """Keep validation on Intacct's live closed-books date (every run that posts reads it first).
    When it moved back, release the closed-period holds of the reopened periods now, so that
    `airflow backfill create` alone posts them (this run is the backfill: no other one is
    started). A dry run changes nothing."""
    from include.reference_store import ReferenceStore

    store = ReferenceStore(ledger.engine)
    stored = store.closed_books_date()
    if closed_books_date == stored or dry_run:
        return None
    from include.backfill import handle_reopening

    store.set_closed_books_date(closed_books_date, run_id=run_id)
    log.info("Intacct's closed-books date changed from %s to %s", stored, closed_books_date)
    return handle_reopening(stored, closed_books_date, ledger=ledger, run_id=run_id, settings=settings,
                            start_backfill=False)


def extract_validate(doc_type: str, plan_json: dict, *, client_factory: Callable = _client_from_connection,
                     settings: Settings | None = None) -> dict:
    from include.pipeline.extract_validate import extract_and_validate
    from include.pipeline.run_store import RunStore
    from include.quality import DocumentValidator

    settings = settings or load_settings()
    plan = RunPlan.from_json(plan_json)
    ledger = _ledger(settings)
    run_store = RunStore(settings.integration_db_url)
    stored = run_store.record_selection(plan.run_id, doc_type, plan.to_json(), run_store.watermark(doc_type))
    selection = Selection(doc_type, plan, changed_since=stored.changed_since)
    validator = DocumentValidator(doc_type, _snapshot(ledger, settings))
    term_mapping = _term_mapping(settings)
    source = _source(settings)
    try:
        summary = extract_and_validate(selection, ledger=ledger, source=source, validator=validator,
                                       worker=_worker(plan, doc_type), chunk_size=settings.chunk_size,
                                       closed_period_policy=settings.closed_period_policy,
                                       term_mapping=term_mapping, settings=settings, client_factory=client_factory)
    finally:
        source.close()
    run_store.set_extracted(plan.run_id, doc_type, summary["extracted"])
    log.info("Extracted %s: %s", doc_type, summary)
    return summary


def load(plan_json: dict, partition: int = 0, *, doc_types: list[str] | None = None,
         client_factory: Callable = _client_from_connection, settings: Settings | None = None) -> dict:
    """Post this run's claimed documents of every document type (of ``doc_types``), those of one
    partition when the connection splits the load (``plan["load"]["partitions"]``)."""
    from include.pipeline.load import load_claimed
    from include.pipeline.posting import RunStopped

    settings = settings or load_settings()
    plan = RunPlan.from_json(plan_json)
    doc_types = list(doc_types or plan.doc_types)
    partitions = int((plan_json.get("load") or {}).get("partitions", 1))
    if not 0 <= partition < partitions:
        raise _fail(f"load partition {partition} does not exist: this run has {partitions} partition(s)")
    if plan.dry_run:
        return {"partition": partition, "dry_run": True, "sent": 0, "posted": 0, "api": {}}
    from include.ledger.leases import LeaseKeeper

    client = client_factory()
    source = _source(settings)
    ledger = _ledger(settings)
    try:
        with LeaseKeeper(ledger, plan.run_id, settings.claim_lease_seconds):  # the claims live while this works
            loaded = load_claimed(doc_types, plan.run_id, ledger=ledger, source=source, client=client,
                                  closed_period_policy=settings.closed_period_policy,
                                  transform=_term_mapping(settings).apply, partition=partition,
                                  partitions=partitions)
    except RunStopped as exc:
        raise _fail(str(exc)) from None
    finally:
        source.close()
    result = {**loaded.to_json(), "api": client.metrics.snapshot()}
    log.info("Loaded partition %d of %d (%d requests in flight): %s", partition + 1, partitions, loaded.window,
             result)
    loaded.total.raise_if_unresolved(", ".join(doc_types))  # retryable: the retry resends them, same controlids
    return result


def load_partitions(plan_json: dict) -> list[int]:
    """The partitions the load is split into (the DAG maps its load task over them)."""
    return list(range(int((plan_json.get("load") or {}).get("partitions", 1))))


def route(plan_json: dict, *, settings: Settings | None = None) -> list[str]:
    from include.pipeline.routing import remediation_tasks

    settings = settings or load_settings()
    plan = RunPlan.from_json(plan_json)
    if plan.dry_run:
        return []
    tasks = remediation_tasks(_ledger(settings), plan.run_id, plan.doc_types)
    log.info("Remediation routes for run %s: %s", plan.run_id, tasks or "none")
    return tasks


def remediate(error_class: str, plan_json: dict, *, client_factory: Callable = _client_from_connection,
              settings: Settings | None = None) -> dict:
    from include.remediation import RemediationContext, load_handler

    settings = settings or load_settings()
    plan = RunPlan.from_json(plan_json)
    context = RemediationContext(run_id=plan.run_id, doc_types=plan.doc_types, ledger=_ledger(settings),
                                 settings=settings, source_factory=lambda: _source(settings),
                                 client_factory=client_factory)
    from include.ledger.leases import LeaseKeeper

    with LeaseKeeper(context.ledger, plan.run_id, settings.claim_lease_seconds):  # its claims live while it works
        _settle_route(context, error_class)  # what an earlier try of this task left pending
        result = load_handler(error_class).remediate(context).to_json()
        settled = _settle_route(context, error_class)
    log.info("Remediation %s: %s", error_class, result)
    if settled is not None and settled.unresolved:
        from include.pipeline.posting import OutcomesUnresolved

        raise OutcomesUnresolved(
            f"{len(settled.unresolved)} document(s) re-posted by remediate_{error_class} reached Intacct or may "
            f"have, but looking them up failed ({', '.join(settled.unresolved[:10])}); their claims stay pending "
            "and the task's retry looks them up again")
    return result


def _settle_route(context, error_class: str):
    """Settle the documents a remediation route sent whose outcome is not known (None: there were none)."""
    from include.pipeline.settle import pending_sent_by, settle_pending
    from include.remediation import task_id_for

    prefix = f"{task_id_for(error_class)}:"
    if not any(pending_sent_by(context.ledger, run_id=context.run_id, doc_type=d, worker_prefix=prefix)
               for d in context.doc_types):
        return None
    settled = settle_pending(context.ledger, context.client, run_id=context.run_id, doc_types=context.doc_types,
                             worker_prefix=prefix, other_entities=_entities_hidden_from(context.client,
                                                                                         context.ledger))
    log.info("Settled the documents remediate_%s left pending: %s", error_class, settled.to_json())
    return settled


def reconcile(plan_json: dict, *, extract: list[dict], load: list[dict], remediation: list[dict],
              metrics: list[dict], client_factory: Callable | None = _client_from_connection,
              settings: Settings | None = None) -> dict:
    from include.pipeline.reconcile import (
        UnaccountedDocuments,
        advance_watermarks,
        build_reconciliation,
        write_report,
    )
    from include.pipeline.run_store import RunStore

    settings = settings or load_settings()
    plan = RunPlan.from_json(plan_json)
    client = client_factory() if client_factory and not plan.dry_run else None
    ledger = _ledger(settings)
    result = build_reconciliation(plan, ledger=ledger, client=client, extract=extract, load=load,
                                  remediation=remediation, metrics=metrics,
                                  other_entities=_entities_hidden_from(client, ledger))
    advance_watermarks(result, plan, RunStore(settings.integration_db_url))
    markdown, data = write_report(result, settings.reports_dir)
    log.info("Reconciliation report: %s (JSON: %s)\n%s", markdown, data, result.markdown())
    if result.unaccounted:
        raise UnaccountedDocuments(f"{len(result.unaccounted)} document(s) are unaccounted for (still pending "
                                   f"under run {plan.run_id}), e.g. {', '.join(result.unaccounted[:5])}; "
                                   f"see {markdown}")
    if result.without_record_no:
        raise UnaccountedDocuments(f"{len(result.without_record_no)} document(s) recorded as posted in this run have "
                                   f"no RECORDNO, e.g. {', '.join(result.without_record_no[:5])}; see {markdown}")
    missing = {d: c["missing"] for d, c in result.intacct_check.items() if c["missing"]}
    if missing:
        raise UnaccountedDocuments(f"RECORDNOs recorded in this run are missing in Intacct: {missing}; see {markdown}")
    return {**result.summary(), "report": str(markdown)}
