"""Through the DAGs (dag.test() against the sandbox): a fix made in Intacct is picked up by the next
run, by a Force synchronize (intacct_resync), and a crashed run's documents are taken over by a
Force synchronize as soon as Airflow shows that run gone, each document posted once."""

import json
from collections import Counter
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest

from include.ledger import Ledger, owners
from include.ledger.owners import TaskOwner
from include.pipeline import steps
from include.reference_store import refreshes
from tests.fixtures.airflow import intacct_connection_env
from tests.integration.pipeline.conftest import master_data_db, night  # noqa: F401 (fixtures)
from tests.integration.remediation.helpers import erp_documents, planted

DAGS = Path(__file__).resolve().parents[2] / "dags"
_MINUTES = count(200)  # dag.test() run ids come from run_after: one distinct minute per run of the session


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture
def dags(dagbag, night, monkeypatch):  # noqa: F811 (the night fixture)
    for name, value in {**night.env, **intacct_connection_env(night.sandbox.config_kwargs),
                        "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0"}.items():
        monkeypatch.setenv(name, value)
    found = {dag_id: dagbag.get_dag(dag_id) for dag_id in ("intacct_post_transactions", "intacct_resync")}
    for dag in found.values():
        for task in dag.tasks:
            task.retries = 0  # dag.test() would wait out the retry delays
    return found


def _test(dag, night, conf=None):  # noqa: F811
    _, end = night.night_interval()
    run = dag.test(run_after=end + timedelta(minutes=next(_MINUTES)), run_conf=conf)
    return run, {ti.task_id: ti.state for ti in run.get_task_instances()}


def _resync(dags, night, **conf):  # noqa: F811
    conf = {"keys": [], "statuses": [], "error_class": None, "dry_run": False, **conf}
    run, states = _test(dags["intacct_resync"], night, conf)
    reports = sorted(night.settings.reports_dir.glob("resync_*.json"), key=lambda p: p.stat().st_mtime)
    return run, states, {o["key"]: o for o in json.loads(reports[-1].read_text())["objects"]}


def _posted(night) -> Counter:  # noqa: F811
    return Counter(r.get("RECORDID") or r.get("REFERENCENO") for r in night.sandbox.admin.posted())


def test_transactions_dag_run_after_a_term_is_created_in_intacct_posts_the_invoice_once(dags, night):  # noqa: F811
    manifest = night.generate(lines=80, seed=11, defect_rate=None, defect_rates={"term_unknown": 0.3})
    invoices = [k for t, k in planted(manifest, "term_unknown") if t == "ar_invoice"]
    terms = {k: d.header["term_name"] for k, d in erp_documents(night, "ar_invoice", invoices).items()}
    term = next(t for t in ("Net 120", "Net 10") if t in terms.values())  # terms Intacct lacks, readable names
    fixed = [k for k, name in terms.items() if name == term]
    first, states = _test(dags["intacct_post_transactions"], night, {"doc_types": ["ar_invoice"]})
    assert first.state == "success", states
    book = Ledger(night.settings.integration_db_url)
    assert {book.get("ar_invoice", k).error_class for k in fixed} == {"payment_term"}

    night.sandbox.admin.create_record("ARTERM", {"NAME": term, "STATUS": "active", "DUEDATE": term.split()[-1],
                                                 "DUEFROM": "from invoice date"})
    second, states = _test(dags["intacct_post_transactions"], night, {"doc_types": ["ar_invoice"]})

    assert second.state == "success", states
    posted = _posted(night)
    assert all(book.get("ar_invoice", k).status == "success" and posted[k] == 1 for k in fixed)
    reads = {r.stream: r.api_calls for r in refreshes.of_run(book.engine, second.run_id)}
    assert reads == {"ARTERM": 1}


def test_resync_force_synchronize_after_a_department_is_created_posts_it_once(dags, night):  # noqa: F811
    manifest = night.generate(lines=120, seed=17, defect_rate=None, defect_rates={"dimension_value_unknown": 0.3})
    held = [k for t, k in planted(manifest, "dimension_value_unknown") if t == "ar_invoice"]
    documents = erp_documents(night, "ar_invoice", held)
    chosen = [k for k, d in documents.items() if any(line.get("department_id") == "MKTG" for line in d.lines)]
    assert chosen
    night.run(params={"doc_types": ["ar_invoice"]})
    book = Ledger(night.settings.integration_db_url)
    assert {book.get("ar_invoice", k).hold for k in chosen} == {"invalid_reference"}

    night.sandbox.admin.create_record("DEPARTMENT", {"DEPARTMENTID": "MKTG", "TITLE": "Marketing"})
    run, states, report = _resync(dags, night, object_type="ar_invoice", action="force_synchronize", keys=chosen)

    assert run.state == "success", states
    assert {report[k]["result"] for k in chosen} == {"posted"}
    posted = _posted(night)
    assert all(posted[k] == 1 for k in chosen)
    assert {r.stream: r.api_calls for r in refreshes.of_run(book.engine, run.run_id)}["DEPARTMENT"] == 1


def test_resync_takes_over_a_crashed_transactions_run_that_airflow_does_not_run(dags, night, monkeypatch):  # noqa: F811
    night.generate(lines=30, seed=21)
    plan = steps.check(night.context(params={"doc_types": ["ar_invoice"]}), client_factory=night.client,
                       settings=night.settings)
    # Its claims name an Airflow task instance of a run that is not running (never was, here): crashed.
    monkeypatch.setattr(owners, "current_task",
                        lambda: TaskOwner("intacct_post_transactions", plan["run_id"], "extract_validate", 0, 1))
    steps.extract_validate("ar_invoice", plan, client_factory=night.client, settings=night.settings)
    monkeypatch.setattr(owners, "current_task", lambda: None)
    book = Ledger(night.settings.integration_db_url)
    keys = [r.key for r in book.find(object_type="ar_invoice", status="pending")]
    assert keys

    run, states, report = _resync(dags, night, object_type="ar_invoice", action="force_synchronize", keys=keys)

    assert run.state == "success", states  # no waiting for the claims' 15-minute lease
    assert {report[k]["result"] for k in keys} == {"posted"} and {report[k]["before"] for k in keys} == {"pending"}
    assert sorted(_posted(night)) == sorted(keys) and max(_posted(night).values()) == 1
