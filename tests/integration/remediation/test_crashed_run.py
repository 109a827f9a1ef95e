"""A crashed run's documents: Force synchronize takes them over within minutes, never posting twice.

The crash: the run claimed its invoices, its load sent part of them to Intacct, then the worker
died before recording anything. Its claims name the Airflow task instance that took them; as soon
as Airflow shows nothing of that run running, they are released (whatever their 15-minute lease
says) and Force synchronize recovers them with the same controlids: what had reached Intacct is
answered "already recorded" and linked, the rest is posted, each invoice once. Without Airflow to
ask, the lease decides, and it is one setting (INTEGRATION_CLAIM_LEASE_SECONDS).
"""

import time
from collections import Counter
from dataclasses import replace

from include.erp.source import open_source
from include.ledger import owners
from include.ledger.owners import TaskOwner
from include.pipeline import steps
from include.pipeline.posting import claimed_from_rows, prepare_batch, send_batch
from include.resync.request import request_from_params
from include.resync.run import select, synchronize
from tests.integration.remediation.helpers import ledger

DAG_ID = "intacct_post_transactions"


def _claimed_by_a_run(night, monkeypatch, *, airflow: bool) -> dict:
    """check + extract_validate of one run of invoices: every valid invoice is pending under its claims,
    taken by an Airflow task instance when ``airflow``."""
    night.generate(lines=60, seed=21)
    plan = steps.check(night.context(params={"doc_types": ["ar_invoice"]}), client_factory=night.client,
                       settings=night.settings)
    if airflow:
        owner = TaskOwner(DAG_ID, plan["run_id"], "extract_validate", 0, 1)
        monkeypatch.setattr(owners, "current_task", lambda: owner)
    steps.extract_validate("ar_invoice", plan, client_factory=night.client, settings=night.settings)
    monkeypatch.undo()
    return plan


def _crash_mid_load(night, plan, share: float = 0.5) -> tuple[list[str], list[str]]:
    """The run's load sends a share of its claimed invoices, then its worker dies before recording
    anything: (every pending key, the keys that reached Intacct)."""
    book = ledger(night)
    rows = book.find(object_type="ar_invoice", status="pending", run_id=plan["run_id"])
    sent = rows[: int(len(rows) * share)]
    source = open_source(night.settings.erp_source)
    client = night.client()
    try:
        batch = prepare_batch("ar_invoice", claimed_from_rows(sent), run_id=plan["run_id"], ledger=book,
                              source=source, client=client)
        assert all(outcome.ok for outcome in send_batch(client, batch))
    finally:
        source.close()
    assert book.count(object_type="ar_invoice", status="pending") == len(rows)  # nothing was recorded
    return [r.key for r in rows], [r.key for r in sent]


def _force_synchronize(night, keys, run_id, task_states):
    book = ledger(night)
    request = request_from_params({"object_type": "ar_invoice", "action": "force_synchronize", "keys": keys}, run_id)
    selection = select(request, book, task_states=task_states)
    if not selection["selected"]:
        return selection, []
    source = open_source(night.settings.erp_source)
    try:
        return selection, synchronize(request, selection, ledger=book, source=source, client_factory=night.client,
                                      settings=night.settings, task_states=task_states)
    finally:
        source.close()


def _posted_once(night, keys) -> None:
    numbers = Counter(r["RECORDID"] for r in night.sandbox.admin.posted("ARINVOICE"))
    assert set(numbers) == set(keys) and max(numbers.values()) == 1


def test_force_synchronize_recovers_a_crashed_run_as_soon_as_airflow_shows_it_gone(night, monkeypatch):
    plan = _claimed_by_a_run(night, monkeypatch, airflow=True)
    keys, landed = _crash_mid_load(night, plan)
    assert keys and landed

    def still_working(dag_id, run_id):  # the crashed load's retry is queued: its run goes on
        return {"extract_validate_0": "success", "load_0": "queued"}

    selection, _ = _force_synchronize(night, keys, "manual__force-while-running", still_working)
    assert set(selection["refused"]) == set(keys)
    assert "Airflow shows the run still working (load_0 queued)" in selection["refused"][keys[0]]

    asked = []

    def crashed(dag_id, run_id):  # Airflow marked the try failed when the worker's heartbeat stopped
        asked.append((dag_id, run_id))
        return {"check": "success", "extract_validate_0": "success", "load_0": "failed",
                "reconcile": "upstream_failed"}

    selection, results = _force_synchronize(night, keys, "manual__force-after-crash", crashed)
    assert set(selection["recover"]) == set(keys) and not selection["refused"]
    assert {r.result for r in results} == {"posted"}
    assert set(asked) == {(DAG_ID, plan["run_id"])}  # the run named by the claims, asked about
    _posted_once(night, keys)  # what had landed was linked, not posted again
    book = ledger(night)
    ended = [e for e in book.events("ar_invoice", keys[0]) if e.kind == "lease_ended"]
    assert ended and "extract_validate[0] (try 1)" in ended[0].reason and "no task of that run" in ended[0].reason
    recovered = [e for e in book.events("ar_invoice", keys[0]) if e.kind == "claimed"][-1]
    assert recovered.details["action"] == "recover" and "same controlid" in recovered.reason


def test_without_airflow_the_lease_decides_and_it_is_one_setting(night, monkeypatch):
    night.settings = replace(night.settings, claim_lease_seconds=1.0)
    plan = _claimed_by_a_run(night, monkeypatch, airflow=False)
    keys, _ = _crash_mid_load(night, plan)

    def nobody_to_ask(dag_id, run_id):
        raise AssertionError("a claim taken outside Airflow is judged by its lease only")

    selection, _ = _force_synchronize(night, keys, "manual__force-early", nobody_to_ask)
    assert set(selection["refused"]) == set(keys) and "until" in selection["refused"][keys[0]]

    time.sleep(1.5)  # one lease after the crash, no heartbeat came
    selection, results = _force_synchronize(night, keys, "manual__force-later", nobody_to_ask)
    assert {r.result for r in results} == {"posted"}
    _posted_once(night, keys)


def test_the_next_run_takes_over_a_crashed_runs_claims_and_reports_every_document(night, monkeypatch):
    plan = _claimed_by_a_run(night, monkeypatch, airflow=True)
    keys, _ = _crash_mid_load(night, plan)

    class Gone:  # Airflow knows the crashed run failed
        def __call__(self, dag_id, run_id):
            return {"load_0": "failed"} if run_id == plan["run_id"] else None

    monkeypatch.setattr("include.ledger.leases.AirflowTaskStates", Gone)
    result = night.run(params={"doc_types": ["ar_invoice"]})

    assert result["extracted"][0]["recovered"] == len(keys)
    assert result["summary"]["ok"] and result["summary"]["unaccounted"] == 0
    _posted_once(night, keys)


def test_a_document_pending_under_another_live_run_has_its_own_line_in_the_report(night, monkeypatch):
    plan = _claimed_by_a_run(night, monkeypatch, airflow=False)
    keys, _ = _crash_mid_load(night, plan, share=0.0)  # nothing sent yet: the other run holds them, lease running

    result = night.run(params={"doc_types": ["ar_invoice"], "keys": keys[:1]})

    summary = result["summary"]
    assert summary["ok"] and summary["outcomes"] == {"pending under another run": 1}
    extract = result["extracted"][0]
    assert (extract["extracted"], extract["queued"], extract["claimed_elsewhere"]) == (1, 0, 1)
    report = open(summary["report"]).read()
    assert "pending under another run" in report and plan["run_id"] in report
    assert "every document accounted for (1 by another run that is synchronizing them" in report
