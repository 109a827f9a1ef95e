"""The production path, for real: Airflow's scheduler, dag-processor, api-server and a Celery
worker started from the project's environment, with PostgreSQL as Airflow's metadata database
and as the integration ledger, Redis as Celery's broker; a master-data night then a transactions
night through the scheduler, and the reconciliation checked against what Intacct holds."""

import json
from collections import Counter
from datetime import timedelta

import pytest

from include.devtools.airflow_local import CELERY_WORKER, COMPONENTS, LocalAirflow, production_env
from include.intacct import IntacctConfig
from include.ledger import Ledger
from include.settings import load_settings
from tests.fixtures.airflow import STARTS_AIRFLOW_PROCESSES, intacct_connection_env
from tests.integration.pipeline.night import Night, assigned_error_classes

POSTED = {"ar_invoice": ("ARINVOICE", "RECORDID"), "ap_bill": ("APBILL", "RECORDID"),
          "journal_entry": ("GLBATCH", "REFERENCENO")}


def _run(airflow: LocalAirflow, dag_id: str, timeout: float) -> str:
    airflow.unpause(dag_id)
    run_id = airflow.trigger(dag_id)
    result = airflow.wait_for_run(dag_id, run_id, timeout=timeout)
    assert result.state == "success", result.task_states
    return run_id


@pytest.mark.postgres
@pytest.mark.slow
@STARTS_AIRFLOW_PROCESSES
def test_a_night_on_postgresql_and_celery_posts_every_document_once_and_reconciles(
        sandbox, postgres_url, metadata_database, redis_broker, tmp_path):
    night = Night(tmp_path, sandbox)
    night.as_of -= timedelta(days=2)  # every document changed before the scheduled night's interval ends
    night.env["INTEGRATION_DB_URL"] = postgres_url  # the ledger and reference store in PostgreSQL too
    night.settings = load_settings(night.env)
    manifest = night.generate(lines=120, seed=8, defect_rate=0.15)
    connection = {"max_concurrency": 2, "partitions": 2}  # two load partitions, on the Celery worker
    env = {**night.env, **intacct_connection_env(sandbox.config_kwargs, extra=connection),
           **production_env(metadata_database, redis_broker), "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0"}
    airflow = LocalAirflow(tmp_path / "airflow", env=env)
    airflow.start(components=(*COMPONENTS, CELERY_WORKER))
    try:
        airflow.ensure_intacct_pool(IntacctConfig(**sandbox.config_kwargs, **connection))
        for dag_id in ("intacct_master_data", "intacct_post_transactions"):
            airflow.wait_for_dag(dag_id)
        _run(airflow, "intacct_master_data", timeout=400)
        # Unpaused, the transactions DAG starts the latest complete night on its own (the master-data
        # asset event came while it was paused, so it queued nothing).
        airflow.unpause("intacct_post_transactions")
        [run] = airflow.wait_for_runs_finished("intacct_post_transactions", expected=1, timeout=400)
        states = airflow.task_states("intacct_post_transactions", run["dag_run_id"])
        assert (run["run_type"], run["state"]) == ("scheduled", "success"), states
        assert states["load[0]"] == states["load[1]"] == "success"
        labels = airflow.map_labels("intacct_post_transactions", run["dag_run_id"], "load")
        assert labels == ["partition 1", "partition 2"]
        assert "celery" in airflow.component_log(CELERY_WORKER, tail=200_000).lower()
    finally:
        airflow.stop()

    ledger = Ledger(postgres_url)
    # A defective document fails with its catalogued class, unless the night fixed its cause first (the
    # master-data run pushes the ERP's new vendors and customers to Intacct before the transactions run).
    assigned = assigned_error_classes(ledger, manifest["documents"])
    for document in manifest["documents"]:
        assert assigned[document["key"]] in (document["expected_error_class"], None), document
        if assigned[document["key"]] is None:
            assert ledger.get(document["doc_type"], document["key"]).status == "success", document
    assert ledger.count(status="pending") == 0
    succeeded = {row.key: row.intacct_record_no for row in ledger.find(category="finance", status="success")}
    in_intacct = {}
    for object_name, number in POSTED.values():
        records = sandbox.admin.posted(object_name)
        assert max(Counter(r[number] for r in records).values(), default=1) == 1  # nothing posted twice
        in_intacct.update({r[number]: str(r["RECORDNO"]) for r in records})
    assert succeeded == in_intacct and len(succeeded) > 20
    report = json.loads(sorted(night.settings.reports_dir.glob("reconciliation_*.json"))[-1].read_text())
    assert report["ok"] and not report["unaccounted"]
