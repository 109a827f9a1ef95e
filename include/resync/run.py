"""Synchronize / Force synchronize chosen objects: the logic of the ``intacct_resync`` DAG.

``select`` turns a request into the objects to act on and refuses, by name, those that are
pending (already synchronizing), unless the claim on a document is abandoned: Airflow shows
nothing of the run holding it still running, or its lease ran out (``include.ledger.leases``).
Those are recovered with the same controlid, so what had reached Intacct is never posted twice.
``synchronize`` reads each object's current ERP version, claims it under the requested action
(the ledger refuses what the action does not apply to), then reuses the transactions pipeline
for documents (validation, batched idempotent posting, the remediation route of each error
class) and the master-data push for customers, vendors and items. Every object ends with a line in the run's report: what happened and why.

A dry run changes nothing: it says what each object would become (and, for documents, whether
it would pass validation).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass

from include.ledger.leases import LeaseKeeper, abandoned_claims, end_leases, judge_claims
from include.ledger.owners import worker_name
from include.ledger.transitions import Action, Status, refusal_reason
from include.resync.request import ResyncRequest, applicable_statuses

log = logging.getLogger(__name__)

POSTED, FAILED, REFUSED, NOT_IN_ERP = "posted", "failed", "refused", "not in the ERP"
WOULD_SYNC, WOULD_FAIL = "would synchronize", "would fail validation"


@dataclass
class ObjectResult:
    key: str
    before: str | None  # status before the run; None: the ledger had never seen it
    result: str
    status: str | None = None  # status after the run
    error_class: str | None = None
    message: str | None = None
    record_no: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


def _worker() -> str:
    """This process, and the Airflow task instance it runs in (so others can ask Airflow about it)."""
    return worker_name(f"{socket.gethostname()}:{os.getpid()}:resync")


def select(request: ResyncRequest, ledger, *, task_states=None) -> dict:
    """The keys to act on, their ledger status, the pending keys refused and those whose claim is
    abandoned (to recover), with why (JSON-safe)."""
    before: dict[str, str | None] = {}
    refused: dict[str, str] = {}
    recover: dict[str, str] = {}
    if request.keys:
        pending = []
        for key in request.keys:
            row = ledger.get(request.object_type, key)
            before[key] = row.status.value if row else None
            if row is not None and row.status is Status.PENDING:
                pending.append(row)
        for verdict in judge_claims(pending, task_states=task_states):
            if verdict.abandoned and request.is_document:
                recover[verdict.row.key] = verdict.reason
            else:
                refused[verdict.row.key] = f"pending: already synchronizing ({verdict.reason}); try again later"
    else:
        filters = {"object_type": request.object_type, "status": list(request.statuses)}
        if request.error_class:
            filters["error_class"] = request.error_class
        before = {row.key: row.status.value for row in ledger.find(**filters)}
    selected = [key for key in before if key not in refused]
    for key, reason in refused.items():
        log.warning("%s %s refused: %s", request.object_type, key, reason)
    for key, reason in recover.items():
        log.warning("%s %s is pending under an abandoned claim, recovered: %s", request.object_type, key, reason)
    return {"selected": selected, "before": before, "refused": refused, "recover": recover}


def _status_after_change(row, source_version: str | None) -> str:
    """The status an object would have once its current ERP version is observed (for dry runs)."""
    if row is None:
        return Status.NOT_INTEGRATED.value
    if source_version is None or source_version == row.source_version:
        return row.status.value
    if row.posted_version == source_version:
        return Status.SUCCESS.value
    return {Status.SUCCESS: Status.DESYNCHRONIZED, Status.ERROR: Status.NOT_INTEGRATED}.get(row.status,
                                                                                           row.status).value


def _claim_plan(request: ResyncRequest, status_now: dict[str, str], before: dict[str, str | None],
                recover: dict[str, str] | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Which keys to claim under which action; the refused ones with why. ``recover``: pending keys
    whose claim is abandoned (key -> why), taken over with a ``recover`` claim."""
    allowed = applicable_statuses(request.action)
    plan: dict[str, list[str]] = {Action.SYNCHRONIZE.value: [], Action.FORCE_SYNCHRONIZE.value: [],
                                  Action.RECOVER.value: []}
    refused: dict[str, str] = {}
    for key, status in status_now.items():
        if status == Status.PENDING.value and key in (recover or {}):
            plan[Action.RECOVER.value].append(key)
        elif status in allowed:
            plan[request.action].append(key)
        elif (request.action == Action.FORCE_SYNCHRONIZE.value and status == Status.NOT_INTEGRATED.value
              and before.get(key) == Status.ERROR.value):
            plan[Action.SYNCHRONIZE.value].append(key)  # the ERP corrected the object in error: same intent
        elif status == Status.PENDING.value:
            refused[key] = "pending: already synchronizing; try again later"
        else:
            refused[key] = f"{status}: {refusal_reason(Action(request.action), Status(status))}"
    return plan, refused


def _result_of_row(key: str, before: str | None, row) -> ObjectResult:
    if row is None:
        return ObjectResult(key, before, FAILED, message="not recorded in the ledger")
    outcome = POSTED if row.status is Status.SUCCESS else FAILED
    if row.status is Status.ERROR and row.hold:
        outcome = f"held ({row.hold})"
    return ObjectResult(key, before, outcome, row.status.value, row.error_class, row.last_message,
                        row.intacct_record_no)


def synchronize(request: ResyncRequest, selection: dict, *, ledger, source, client_factory: Callable,
                settings, task_states=None) -> list[ObjectResult]:
    """Act on the selected objects; one result per requested key (refused ones included)."""
    before: dict[str, str | None] = selection["before"]
    results = {key: ObjectResult(key, before.get(key), REFUSED, before.get(key), message=reason)
               for key, reason in selection["refused"].items()}
    keys = list(selection["selected"])
    if keys:
        act = _documents if request.is_document else _masters
        # The run's claims stay its own while it works (a heartbeat), and follow it if it dies.
        with LeaseKeeper(ledger, request.run_id, settings.claim_lease_seconds):
            recover = _recoverable(request, selection, ledger, task_states) if request.is_document else {}
            for result in act(request, keys, before, ledger=ledger, source=source, client_factory=client_factory,
                              settings=settings, recover=recover):
                results[result.key] = result
    order = list(request.keys) or list(before)
    return [results[key] for key in order if key in results]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _recoverable(request: ResyncRequest, selection: dict, ledger, task_states) -> dict[str, str]:
    """The pending keys ``select`` found abandoned, judged again now (the run holding them may have
    come back): key -> why. The leases Airflow says are abandoned end here (not in a dry run)."""
    wanted = list(selection.get("recover") or {})
    if not wanted:
        return {}
    verdicts = abandoned_claims(ledger, object_type=request.object_type, keys=wanted, except_run_id=request.run_id,
                                task_states=task_states)
    if not request.dry_run:
        end_leases(ledger, verdicts, run_id=request.run_id, actor=_worker())
    return {v.row.key: v.reason for v in verdicts}


def _claim_reason(request: ResyncRequest, action: str, keys: list[str], recover: dict[str, str]) -> str | None:
    if action != Action.RECOVER.value:
        return None
    verb = "Force synchronize" if request.action == Action.FORCE_SYNCHRONIZE.value else "Synchronize"
    why = "; ".join(sorted({recover[k] for k in keys}))
    return f"{verb} asked by a person, the claim was abandoned ({why}): recovered with the same controlid"[:10_000]


def _documents(request: ResyncRequest, keys: list[str], before, *, ledger, source, client_factory, settings,
               recover: dict[str, str]):
    from include.pipeline import steps
    from include.pipeline.posting import observation_row
    from include.quality import DocumentValidator
    from include.reference_store import ReferenceStore, build_snapshot
    from include.remediation.terms import TermMapping

    doc_type = request.object_type
    documents = {d.key: d for chunk in _chunks(keys, settings.chunk_size)
                 for d in source.get_documents(doc_type, chunk)}
    results = [ObjectResult(k, before.get(k), NOT_IN_ERP, before.get(k),
                            message=f"{doc_type} {k!r} is not in the ERP") for k in keys if k not in documents]
    if not documents:
        return results
    client = client_factory()
    # Validate against Intacct's live closed-books date, as the nightly run does.
    steps.follow_closed_books_date(client.get_closed_books_date(), run_id=request.run_id, dry_run=request.dry_run,
                                   ledger=ledger, settings=settings)
    validator = DocumentValidator(doc_type, build_snapshot(ReferenceStore(ledger.engine),
                                                           max_age_hours=settings.reference_max_age_hours))
    term_mapping = TermMapping.load(settings.term_mapping_file)
    if request.dry_run:
        rows = {k: ledger.get(doc_type, k) for k in documents}
        status_now = {k: _status_after_change(rows[k], d.source_version) for k, d in documents.items()}
        to_claim, refused = _claim_plan(request, status_now, before, recover)
        results += [ObjectResult(k, before.get(k), REFUSED, status_now[k], message=why) for k, why in refused.items()]
        eligible = [documents[k] for keys_ in to_claim.values() for k in keys_]
        outcome = validator.validate([term_mapping.apply(d) for d in eligible]) if eligible else None
        for document in outcome.valid if outcome else ():
            results.append(ObjectResult(document.key, before.get(document.key), WOULD_SYNC, status_now[document.key]))
        for failure in outcome.failed if outcome else ():
            key = failure.document.key
            results.append(ObjectResult(key, before.get(key), WOULD_FAIL, status_now[key], str(failure.error_class),
                                        failure.message))
        return results
    observed = ledger.observe_many([observation_row(d) for d in documents.values()], run_id=request.run_id)
    status_now = {o.key: o.status_after.value for o in observed}
    to_claim, refused = _claim_plan(request, status_now, before, recover)
    results += [ObjectResult(k, before.get(k), REFUSED, status_now[k], message=why) for k, why in refused.items()]
    claimed: list[str] = []
    for action, action_keys in to_claim.items():
        if action_keys:
            claims = ledger.claim(doc_type, action_keys, run_id=request.run_id, worker=_worker(), action=action,
                                  reason=_claim_reason(request, action, action_keys, recover),
                                  lease_seconds=settings.claim_lease_seconds)
            claimed += [c.key for c in claims]
            results += [ObjectResult(r.key, before.get(r.key), REFUSED, r.status.value if r.status else None,
                                     message=r.reason) for r in claims.refused]
    if claimed:
        plan = _pipeline_plan(request, claimed)
        _validate_and_record([documents[k] for k in claimed], plan, validator, term_mapping, ledger=ledger,
                             source=source, settings=settings, client=client)
        steps.load(plan.to_json(), doc_types=[doc_type], client_factory=lambda: client, settings=settings)
        _remediate(plan, client=client, settings=settings)
        results += [_result_of_row(k, before.get(k), ledger.get(doc_type, k)) for k in claimed]
    return results


def _pipeline_plan(request: ResyncRequest, keys: list[str]):
    from include.pipeline.selection import KEYS, RunPlan

    return RunPlan(run_id=request.run_id, mode=KEYS, doc_types=(request.object_type,), keys=tuple(keys))


def _validate_and_record(documents: list, plan, validator, term_mapping, *, ledger, source, settings,
                         client) -> None:
    """Validate claimed documents exactly as the nightly run does (term mapping, Intacct's lists read
    again before refusing one, failures recorded with class, message and hold, the failed expectations
    in the event log)."""
    from include.masterdata.refresh import ReferenceRefresher
    from include.pipeline.extract_validate import ExtractValidate
    from include.pipeline.selection import Selection

    refresher = ReferenceRefresher.for_run(plan.run_id, ledger=ledger, settings=settings, worker=_worker(),
                                           client=client)
    pipeline = ExtractValidate(Selection(plan.doc_types[0], plan), ledger=ledger, source=source, validator=validator,
                               worker=_worker(), chunk_size=settings.chunk_size,
                               closed_period_policy=settings.closed_period_policy, term_mapping=term_mapping,
                               lease_seconds=settings.claim_lease_seconds, refresher=refresher)
    pipeline.validate_and_record(documents, record=True)


def _remediate(plan, *, client, settings) -> None:
    """Send this run's failures down their error class's remediation route, as the nightly run does."""
    from include.pipeline import steps

    plan_json = plan.to_json()
    for task_id in steps.route(plan_json, settings=settings):
        result = steps.remediate(task_id.removeprefix("remediate_"), plan_json, client_factory=lambda: client,
                                 settings=settings)
        log.info("Remediation %s: %s", task_id, result)


def _masters(request: ResyncRequest, keys: list[str], before, *, ledger, source, client_factory, settings,
             recover: dict[str, str]):  # masters are never recovered here: select refuses them
    from include.ledger.records import Outcome
    from include.masterdata.push import PushResult, push_claimed

    object_type = request.object_type
    masters = {m.key: m for chunk in _chunks(keys, settings.chunk_size)
               for page in source.iter_masters(object_type, keys=chunk) for m in page}
    results = [ObjectResult(k, before.get(k), NOT_IN_ERP, before.get(k),
                            message=f"{object_type} {k!r} is not in the ERP") for k in keys if k not in masters]
    if not masters:
        return results
    if request.dry_run:
        status_now = {k: _status_after_change(ledger.get(object_type, k), m.source_version)
                      for k, m in masters.items()}
    else:
        observed = ledger.observe_many([{"object_type": object_type, "key": m.key, "source_version": m.source_version,
                                         "category": "master"} for m in masters.values()], run_id=request.run_id)
        status_now = {o.key: o.status_after.value for o in observed}
    to_claim, refused = _claim_plan(request, status_now, before)
    results += [ObjectResult(k, before.get(k), REFUSED, status_now[k], message=why) for k, why in refused.items()]
    if request.dry_run:
        for key in (k for action_keys in to_claim.values() for k in action_keys):
            problems = "; ".join(str(p) for p in masters[key].problems)
            results.append(ObjectResult(key, before.get(key), WOULD_FAIL if problems else WOULD_SYNC, status_now[key],
                                        "data_quality" if problems else None, problems or None))
        return results
    client = client_factory()
    push = PushResult(object_type)
    for action, action_keys in to_claim.items():
        if action_keys:
            push_claimed(client, ledger, masters, object_type, action_keys, run_id=request.run_id, worker=_worker(),
                          result=push, outcome_type=Outcome, action=action)
    log.info("Pushed %ss: %s", object_type, push.to_dict())
    results += [_result_of_row(k, before.get(k), ledger.get(object_type, k))
                for action_keys in to_claim.values() for k in action_keys]
    return results
