"""Documents that reached Intacct but whose RECORDNO cannot be looked up are never recorded as
anything but success: their claims stay pending, the task fails for a retry, and the retry settles
them with their RECORDNO."""

import pytest

from include.erp.source import open_source
from include.ledger import Ledger
from include.pipeline import steps
from include.pipeline.payloads import build_payload, to_function
from include.pipeline.posting import OutcomesUnresolved
from include.pipeline.settle import settle_pending

QUERIES_FAIL = {"probabilities": {"unavailable": 1.0}, "target": "function:query"}


def _land_behind_the_ledgers_back(night, keys):
    """Send the documents the way the load would, as an attempt whose outcome nobody recorded."""
    with open_source(night.settings.erp_source) as source:
        functions = [to_function(build_payload(d)) for d in source.get_documents("ar_invoice", keys)]
    with night.client() as client:
        assert all(o.ok for o in client.execute_writes(functions))


@pytest.fixture
def claimed(night):
    night.client_options = {"max_retries": 1, "backoff_base": 0.01, "backoff_max": 0.02}
    night.generate(lines=40, seed=3)
    plan = steps.check(night.context(params={"doc_types": ["ar_invoice"]}), client_factory=night.client,
                       settings=night.settings)
    extracted = steps.extract_validate("ar_invoice", plan, settings=night.settings)
    keys = [r.key for r in Ledger(night.settings.integration_db_url).find(object_type="ar_invoice",
                                                                          status="pending")]
    assert extracted["queued"] == len(keys) > 3
    return plan, extracted, keys


def test_already_recorded_documents_whose_lookup_fails_stay_pending_and_the_retry_records_them(night, claimed):
    plan, extracted, keys = claimed
    _land_behind_the_ledgers_back(night, keys)
    night.sandbox.admin.set_faults(**QUERIES_FAIL)
    ledger = Ledger(night.settings.integration_db_url)

    with pytest.raises(OutcomesUnresolved, match=f"{len(keys)} ar_invoice document"):
        steps.load(plan, doc_types=["ar_invoice"], client_factory=night.client, settings=night.settings)
    assert ledger.count(object_type="ar_invoice", status="pending") == len(keys)
    assert ledger.count(object_type="ar_invoice", status="success") == 0  # never a success without RECORDNO

    night.sandbox.admin.clear_faults()
    retry = steps.load(plan, doc_types=["ar_invoice"], client_factory=night.client, settings=night.settings)
    assert retry["posted"] == len(keys) and retry["resolutions"] == {"already_recorded": len(keys)}
    posted = {r["RECORDID"]: str(r["RECORDNO"]) for r in night.sandbox.admin.posted("ARINVOICE")}
    assert {r.key: r.intacct_record_no for r in ledger.find(object_type="ar_invoice")} == posted
    summary = steps.reconcile(plan, extract=[extracted], load=[retry], remediation=[], metrics=[],
                              client_factory=night.client, settings=night.settings)
    assert summary["ok"] and summary["without_record_no"] == 0


def test_settling_looks_pending_documents_up_by_number_and_records_both_answers(night, claimed):
    plan, _, keys = claimed
    ledger = Ledger(night.settings.integration_db_url)
    landed, missing = keys[:2], keys[2:]
    _land_behind_the_ledgers_back(night, landed)
    ledger.set_controlids("ar_invoice", {k: f"ar_invoice:{k}:sent" for k in keys})
    for row in ledger.find(object_type="ar_invoice", status="pending"):
        assert row.claimed_by and row.controlid
    prefix = ledger.find(object_type="ar_invoice", status="pending")[0].claimed_by  # the extract's worker

    night.sandbox.admin.set_faults(**QUERIES_FAIL)
    with night.client() as client:
        failed = settle_pending(ledger, client, run_id=plan["run_id"], doc_types=["ar_invoice"],
                                worker_prefix=prefix)
    assert len(failed.unresolved) == len(keys) and ledger.count(status="pending") == len(keys)

    night.sandbox.admin.clear_faults()
    with night.client() as client:
        settled = settle_pending(ledger, client, run_id=plan["run_id"], doc_types=["ar_invoice"],
                                 worker_prefix=prefix)
    assert (settled.found, settled.not_found, settled.unresolved) == (len(landed), len(missing), [])
    for key in landed:
        row = ledger.get("ar_invoice", key)
        assert row.status == "success" and row.intacct_record_no and "found in Intacct" in row.last_message
    for key in missing:
        row = ledger.get("ar_invoice", key)
        assert (row.status, row.error_class) == ("error", "transient") and "same controlid" in row.last_message


def test_a_pending_document_of_another_worker_is_left_alone(night, claimed):
    plan, _, keys = claimed
    ledger = Ledger(night.settings.integration_db_url)
    ledger.set_controlids("ar_invoice", {k: f"ar_invoice:{k}:sent" for k in keys})
    with night.client() as client:
        settled = settle_pending(ledger, client, run_id=plan["run_id"], doc_types=["ar_invoice"],
                                 worker_prefix="remediate_transient:")
    assert (settled.found, settled.not_found) == (0, 0) and ledger.count(status="pending") == len(keys)
