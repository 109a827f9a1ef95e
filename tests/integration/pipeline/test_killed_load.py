"""A worker killed in the middle of the load step, then the task's retry."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from include.ledger import Ledger
from include.pipeline import steps
from include.settings import REPO_ROOT

LOAD_IN_A_WORKER = """
import json, sys
from include.intacct import IntacctClient, IntacctConfig
from include.pipeline import steps
plan = json.load(open(sys.argv[1]))
steps.load(plan, client_factory=lambda: IntacctClient(IntacctConfig.from_env()))
"""


def test_worker_killed_mid_load_leaves_nothing_lost_and_the_retry_posts_nothing_twice(night, tmp_path):
    night.generate(lines=700, seed=21)
    plan = steps.check(night.context(params={"doc_types": ["ar_invoice"]}), client_factory=night.client,
                       settings=night.settings)
    extracted = steps.extract_validate("ar_invoice", plan, settings=night.settings)
    to_post = extracted["queued"]
    assert to_post > 60
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    night.sandbox.admin.update_settings(latency_ms=150)
    env = {**os.environ, **night.env, **night.sandbox.env, "PYTHONPATH": str(REPO_ROOT),
           "INTACCT_FUNCTIONS_PER_REQUEST": "10", "INTACCT_MAX_CONCURRENCY": "1"}
    worker = subprocess.Popen([sys.executable, "-c", LOAD_IN_A_WORKER, str(plan_file)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(night.sandbox.admin.posted("ARINVOICE")) < 20 and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker finished before it could be killed"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    night.sandbox.admin.update_settings(latency_ms=0)
    time.sleep(0.5)  # let the request the worker was waiting on finish on the server
    ledger = Ledger(night.settings.integration_db_url)
    posted_at_kill = len(night.sandbox.admin.posted("ARINVOICE"))
    assert 0 < posted_at_kill < to_post
    assert ledger.count(object_type="ar_invoice", status="pending") > 0  # the killed worker's claims
    recorded_at_kill = ledger.count(object_type="ar_invoice", status="success")

    retry = steps.load(plan, client_factory=night.client, settings=night.settings)

    invoices = night.sandbox.admin.posted("ARINVOICE")
    numbers = Counter(r["RECORDID"] for r in invoices)
    assert len(invoices) == to_post and max(numbers.values()) == 1  # everything once
    rows = ledger.find(object_type="ar_invoice", status="success")
    assert len(rows) == to_post and ledger.count(object_type="ar_invoice", status="pending") == 0
    assert {r.intacct_record_no for r in rows} == {str(r["RECORDNO"]) for r in invoices}
    assert retry["posted"] == to_post - recorded_at_kill
    # Landed in Intacct but not yet recorded when the worker died: the resend is "already recorded", and linked.
    assert retry["resolutions"].get("already_recorded", 0) == posted_at_kill - recorded_at_kill
    summary = steps.reconcile(plan, extract=[extracted], load=[retry], remediation=[], metrics=[],
                              client_factory=night.client, settings=night.settings)
    assert summary["ok"] and summary["unaccounted"] == 0
