"""The transactions pipeline's steps, run in the DAG's order against the sandbox."""

import json
from collections import Counter
from pathlib import Path

import pytest

from include.ledger import Ledger
from include.pipeline.run_store import RunStore
from tests.integration.pipeline.night import assigned_error_classes

POSTED_OBJECTS = {"ar_invoice": "ARINVOICE", "ap_bill": "APBILL", "journal_entry": "GLBATCH"}


def _ledger(night) -> Ledger:
    return Ledger(night.settings.integration_db_url)


def _posted_numbers(night) -> Counter:
    """Document numbers the sandbox holds, per Intacct object (RECORDID / REFERENCENO)."""
    numbers = Counter()
    for record in night.sandbox.admin.posted():
        number = record.get("RECORDID") or record.get("REFERENCENO")
        numbers[(record.get("object") or record.get("OBJECT"), number)] += 1
    return numbers


def test_clean_night_posts_every_document_once_and_advances_the_watermarks(night):
    manifest = night.generate(lines=150)
    result = night.run()

    total = sum(manifest["documents_total"].values())
    assert result["summary"]["ok"] and result["summary"]["outcomes"] == {"posted": total}
    assert result["routes"] == []
    ledger = _ledger(night)
    assert ledger.count(status="success", category="finance") == total
    assert len(night.sandbox.admin.posted()) == total
    assert all(r.intacct_record_no for r in ledger.find(status="success", category="finance"))
    store = RunStore(night.settings.integration_db_url)
    assert all(store.watermark(t) is not None for t in POSTED_OBJECTS)
    report = result["summary"]["report"]
    assert "every document accounted for" in open(report).read()
    api = result["summary"]["api_cost"]
    assert api["http_requests"] >= 3 and api["api_transactions"] >= total
    # User-defined dimensions reach Intacct on every document type's lines.
    for object_name in POSTED_OBJECTS.values():
        regions = [line["GLDIMREGION"] for r in night.sandbox.admin.posted(object_name) for line in r["LINES"]
                   if "GLDIMREGION" in line]
        assert regions, f"no {object_name} line carries its REGION dimension"


def test_night_with_every_defect_class_is_reconciled_as_the_generator_manifest_says(night):
    manifest = night.generate(lines=500, seed=7, defect_rate=0.4)
    planted = {d for d, n in manifest["defect_counts"].items() if n and d != "edited_after_post"}
    assert len(planted) >= 14, f"the generator planted too few defect kinds: {manifest['defect_counts']}"
    result = night.run()

    ledger = _ledger(night)
    expected = {d["key"]: d["expected_error_class"] for d in manifest["documents"]}
    assert assigned_error_classes(ledger, manifest["documents"]) == expected
    in_manifest = {(d["doc_type"], d["key"]) for d in manifest["documents"]}
    clean = [r for r in ledger.find(category="finance") if (r.object_type, r.key) not in in_manifest]
    assert clean and all(r.status == "success" for r in clean)
    by_class = Counter(expected.values())
    left_in_error = Counter(r.error_class for r in ledger.find(category="finance", status="error"))
    # Remediation routes may fix some documents (and post them), never add a failure.
    assert set(left_in_error) <= set(by_class) and all(left_in_error[c] <= n for c, n in by_class.items())
    held = {r.key: (r.hold, r.held_for_period) for r in ledger.find(category="finance", held=True)}
    closed = [d["key"] for d in manifest["documents"] if d["defects"] == ["closed_period"]]
    closed_period = manifest["generator"]["closed_books_date"][:7]
    assert all(held[k] == ("closed_period", closed_period) for k in closed)
    unpermitted = [d["key"] for d in manifest["documents"] if d["defects"] == ["udd_unpermitted"]]
    assert all(held[k][0] == "dimension_unavailable" for k in unpermitted)
    assert sorted(result["routes"]) == sorted(f"remediate_{c}" for c in by_class)
    quarantine = [r for r in result["remediated"] if r["error_class"] == "data_quality"][0]
    lines = open(quarantine["files"][0]).read().splitlines()
    assert len(lines) == by_class["data_quality"]
    assert len(night.sandbox.admin.posted()) == ledger.count(category="finance", status="success")
    report = json.loads(Path(result["summary"]["report"]).with_suffix(".json").read_text())
    assert sum(row["count"] for row in report["rows"]) == ledger.count(category="finance") and report["ok"]


def test_rerunning_the_same_night_posts_nothing_again(night):
    night.generate(lines=120)
    first = night.run()
    posted_before = night.sandbox.admin.posted()
    cleared = night.run(run_id=first["plan"]["run_id"])  # the same DAG run, cleared and run again
    next_night = night.run(run_id="scheduled__next-night")
    window = night.run(params={"posting_date_from": "2020-01-01", "posting_date_to": night.as_of.isoformat()},
                       run_type="manual")

    assert first["summary"]["outcomes"]["posted"] == len(posted_before)
    assert sum(item["extracted"] for item in next_night["extracted"]) == 0  # nothing changed since
    for rerun in (cleared, window):
        assert sum(item["sent"] for item in rerun["loaded"]) == 0
        assert sum(item["already_posted"] for item in rerun["extracted"]) == len(posted_before)
        assert rerun["summary"]["ok"]
    assert night.sandbox.admin.posted() == posted_before


def test_transient_failures_are_reposted_within_the_run(night, monkeypatch):
    monkeypatch.setenv("INTEGRATION_TRANSIENT_RETRY_DELAYS", "0")
    monkeypatch.setenv("INTEGRATION_CIRCUIT_BREAKER_THRESHOLD", "1000")  # a few failing requests, not an outage
    night.client_options = {"max_retries": 0}
    manifest = night.generate(lines=80, seed=5)
    result = night.run(before_load=lambda: night.sandbox.admin.set_faults(next_faults=["unavailable"] * 3))

    first_try = Counter()
    for item in result["loaded"]:
        first_try.update(item["failed"])
    assert first_try["transient"] > 0
    assert result["routes"] == ["remediate_transient"]
    assert result["summary"]["outcomes"] == {"posted": sum(manifest["documents_total"].values())}
    retried = [r for r in _ledger(night).find(category="finance") if r.attempts == 2]
    assert len(retried) == first_try["transient"]
    events = _ledger(night).events(retried[0].object_type, retried[0].key)
    assert any(e.kind == "claimed" and "transient failure" in (e.reason or "") for e in events)


def test_document_number_already_in_intacct_is_linked_not_posted_twice(night):
    from include.erp.source import open_source
    from include.pipeline.payloads import build_payload, to_function

    night.generate(lines=60, seed=11)
    source = open_source(night.settings.erp_source)
    bill = next(d for page in source.iter_documents("ap_bill") for d in page)
    source.close()
    payload = build_payload(bill)
    manual = to_function(payload)
    manual.controlid = "entered-by-hand-in-intacct"
    assert night.client().execute_writes([manual])[0].ok

    result = night.run()

    row = _ledger(night).get("ap_bill", bill.key)
    assert row.status == "success" and row.last_message.startswith("linked to the existing Intacct APBILL")
    assert "remediate_duplicate" in result["routes"]
    bills = [r for r in night.sandbox.admin.posted("APBILL") if r.get("RECORDID") == bill.key]
    assert len(bills) == 1 and str(bills[0]["RECORDNO"]) == row.intacct_record_no
    assert result["summary"]["outcomes"]["linked duplicate"] == 1


def test_rejected_credentials_stop_the_run_at_check_with_one_message(night):
    from airflow.sdk.exceptions import AirflowFailException

    from include.pipeline import steps

    night.generate(lines=20)
    night.client_options = {"user_password": "not-the-password"}
    with pytest.raises(AirflowFailException) as stopped:
        steps.check(night.context(), client_factory=night.client, settings=night.settings)
    message = str(stopped.value)
    assert message.startswith("Intacct refused the integration user (auth)") and "Airflow connection" in message
    assert "not-the-password" not in message
    assert _ledger(night).count(category="finance") == 0


def test_stale_master_data_fails_check_for_a_retry_naming_what_to_refresh(night, tmp_path):
    # Not AirflowFailException: the task's retries wait for the night's master-data run.
    from airflow.sdk.exceptions import AirflowFailException

    from include.pipeline import steps
    from include.settings import load_settings

    settings = load_settings({**night.env, "INTEGRATION_DB_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    with pytest.raises(steps.MasterDataNotReady, match="reference data is stale .* Run the intacct_master_data DAG"
                       r".* The task's retries wait for it") as waiting:
        steps.check(night.context(), client_factory=night.client, settings=settings)
    assert not isinstance(waiting.value, AirflowFailException)


def test_document_changed_in_the_erp_after_its_claim_is_released_and_posted_by_the_next_run(night):
    import sqlite3

    from include.pipeline import steps

    night.generate(lines=40, seed=2)
    plan = steps.check(night.context(params={"doc_types": ["ap_bill"]}), client_factory=night.client,
                       settings=night.settings)
    extracted = steps.extract_validate("ap_bill", plan, settings=night.settings)
    ledger = _ledger(night)
    key = ledger.find(object_type="ap_bill", status="pending")[0].key
    with sqlite3.connect(night.erp_path) as erp:
        erp.execute("update ap_bills set description = 'Corrected after approval' where bill_no = ?", (key,))

    loaded = steps.load(plan, client_factory=night.client, settings=night.settings)

    assert loaded["released_changed"] == 1 and loaded["posted"] == extracted["queued"] - 1
    assert ledger.get("ap_bill", key).status == "not_integrated"
    assert all(r["RECORDID"] != key for r in night.sandbox.admin.posted("APBILL"))
    summary = steps.reconcile(plan, extract=[extracted], load=[loaded], remediation=[], metrics=[],
                              client_factory=night.client, settings=night.settings)
    assert summary["ok"] and summary["outcomes"]["released (changed in the ERP during the run)"] == 1

    night.run(params={"doc_types": ["ap_bill"]}, run_id="scheduled__the-next-night")

    bills = [r for r in night.sandbox.admin.posted("APBILL") if r["RECORDID"] == key]
    assert len(bills) == 1 and bills[0]["DESCRIPTION"] == "Corrected after approval"
    assert ledger.get("ap_bill", key).status == "success"
