"""The ``intacct_resync`` DAG's tasks as plain functions (JSON in, JSON out)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from include.resync.request import ResyncRequest, ResyncRequestError, request_from_params
from include.settings import Settings, load_settings

log = logging.getLogger(__name__)


def _fail(message: str):
    from airflow.sdk.exceptions import AirflowFailException

    return AirflowFailException(message)


def _client_from_connection():
    from include.intacct.hook import IntacctHook

    return IntacctHook().get_conn()


def select(context: Mapping[str, Any], *, settings: Settings | None = None) -> dict:
    """Check the params, pick the objects, refuse the pending ones by name."""
    from include.ledger import Ledger
    from include.resync.run import select as select_objects

    settings = settings or load_settings()
    try:
        request = request_from_params(dict(context.get("params") or {}), context["run_id"])
    except ResyncRequestError as exc:
        raise _fail(f"Cannot resync: {exc}") from None
    ledger = Ledger(settings.integration_db_url)
    try:
        ledger.migrate()
        selection = select_objects(request, ledger)
    finally:
        ledger.close()
    log.info("%s: %d selected, %d refused", request.describe(), len(selection["selected"]), len(selection["refused"]))
    if request.keys and not selection["selected"]:
        raise _fail("Nothing to synchronize: " + "; ".join(f"{k}: {why}" for k, why in selection["refused"].items()))
    return {"request": request.to_json(), **selection}


def synchronize(selected: dict, *, client_factory: Callable = _client_from_connection,
                settings: Settings | None = None) -> dict:
    """Act on the selection, write the report; fail naming every object that was refused."""
    from include.erp.source import open_source
    from include.ledger import Ledger
    from include.reference_store import StaleReferenceData
    from include.resync.report import markdown, summary, write_report
    from include.resync.run import REFUSED
    from include.resync.run import synchronize as act

    settings = settings or load_settings()
    request = ResyncRequest.from_json(selected["request"])
    ledger = Ledger(settings.integration_db_url)
    source = open_source(settings.erp_source)
    try:
        results = act(request, selected, ledger=ledger, source=source, client_factory=client_factory,
                      settings=settings)
    except StaleReferenceData as exc:
        raise _fail(str(exc)) from None
    finally:
        source.close()
        ledger.close()
    md_path, json_path = write_report(request, results, settings.reports_dir)
    log.info("Resync report: %s (JSON: %s)\n%s", md_path, json_path, markdown(request, results))
    refused = [r for r in results if r.result == REFUSED]
    if refused:
        raise _fail(f"{len(refused)} object(s) refused: "
                    + "; ".join(f"{request.object_type} {r.key}: {r.message}" for r in refused[:20])
                    + f" (the others are done; see {md_path})")
    return {"summary": summary(results), "report": str(md_path)}
