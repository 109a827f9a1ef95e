"""The load split into partitions: two worker processes, one PostgreSQL ledger, one sandbox,
every document posted exactly once, each worker within its share of the tenant's concurrency."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from include.ledger import Ledger
from include.pipeline import steps
from include.settings import REPO_ROOT, load_settings
from tests.integration.pipeline.night import Night

LOAD_ONE_PARTITION = """
import json, sys
from include.intacct import IntacctClient, IntacctConfig
from include.pipeline import steps
plan = json.load(open(sys.argv[1]))
result = steps.load(plan, int(sys.argv[2]), client_factory=lambda: IntacctClient(IntacctConfig.from_env()))
print(json.dumps(result))
"""
POSTED = {"ar_invoice": ("ARINVOICE", "RECORDID"), "ap_bill": ("APBILL", "RECORDID"),
          "journal_entry": ("GLBATCH", "REFERENCENO")}


@pytest.mark.postgres
@pytest.mark.slow
def test_two_partitions_in_two_processes_post_every_document_exactly_once(sandbox, postgres_url, tmp_path):
    night = Night(tmp_path, sandbox, client_options={"max_concurrency": 2, "partitions": 2,
                                                     "functions_per_request": 10})
    night.env["INTEGRATION_DB_URL"] = postgres_url
    night.settings = load_settings(night.env)
    night.refresh_master_data()
    night.generate(lines=400, seed=9)
    plan = steps.check(night.context(), client_factory=night.client, settings=night.settings)
    assert plan["load"] == {"partitions": 2, "requests_per_worker": 1, "max_concurrency": 2}
    assert steps.load_partitions(plan) == [0, 1]
    queued = sum(steps.extract_validate(t, plan, settings=night.settings)["queued"] for t in plan["doc_types"])
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    sandbox.admin.update_settings(latency_ms=30)
    env = {**os.environ, **night.env, **sandbox.env, "PYTHONPATH": str(REPO_ROOT), "INTACCT_MAX_CONCURRENCY": "2",
           "INTACCT_PARTITIONS": "2", "INTACCT_FUNCTIONS_PER_REQUEST": "10"}
    workers = [subprocess.Popen([sys.executable, "-c", LOAD_ONE_PARTITION, str(plan_file), str(p)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in (0, 1)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert [r["partition"] for r in results] == [0, 1] and all(r["window"] == 1 for r in results)
    assert all(r["posted"] > 0 for r in results) and sum(r["posted"] for r in results) == queued
    assert all(r["api"]["retries"] == 0 for r in results)  # never over the tenant's 2: no 429 to retry
    for doc_type, (object_name, number) in POSTED.items():
        counts = Counter(record[number] for record in sandbox.admin.posted(object_name))
        assert not counts or max(counts.values()) == 1, doc_type
    ledger = Ledger(postgres_url)
    assert ledger.count(category="finance", status="success") == queued and ledger.count(status="pending") == 0
    summary = steps.reconcile(plan, extract=[], load=results, remediation=[], metrics=[],
                              client_factory=night.client, settings=night.settings)
    assert summary["ok"]
