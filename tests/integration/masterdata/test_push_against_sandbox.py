"""ERP-owned masters pushed to the sandbox: created once, linked when they exist, updated when changed."""

import json
import sqlite3
import subprocess
import sys

import pytest

from include.erp.source import open_source
from include.intacct import IntacctClient, IntacctConfig
from include.intacct.query_filter import Filter
from include.ledger import Ledger
from include.masterdata.push import push_masters
from include.reference_store import ReferenceStore


@pytest.fixture
def erp(tmp_path):
    path = tmp_path / "erp.db"
    subprocess.run([sys.executable, "-m", "include.erp.generate", "--out", str(path), "--lines", "40", "--seed", "5",
                    "--manifest", str(tmp_path / "manifest.json")], check=True, capture_output=True)
    return path


@pytest.fixture
def env(sandbox, sqlite_url, erp):
    client = IntacctClient(IntacctConfig(**sandbox.config_kwargs))
    ledger = Ledger(sqlite_url)
    ledger.migrate()
    store = ReferenceStore(ledger.engine)
    source = open_source(f"sqlite:///{erp}")

    def push(object_type, run_id):
        return push_masters(client, ledger, store, source, object_type, run_id=run_id, worker="test",
                            lookback_minutes=0)

    yield push, client, ledger
    source.close()
    ledger.close()
    client.close()


def _erp_update(erp, table, key_column, key, **values):
    """Change a master in the ERP, stamped at the start of the data's ``as_of`` day: after every
    generated stamp (each at least a day before it) and never in the future."""
    as_of = json.loads((erp.parent / "manifest.json").read_text())["generator"]["as_of"]
    with sqlite3.connect(erp) as db:
        sets = ", ".join(f"{column} = ?" for column in values)
        db.execute(f"update {table} set {sets}, updated_at = ? where {key_column} = ?",
                   [*values.values(), f"{as_of}T00:00:00Z", key])


def _intacct(client, obj, key_field, key, *fields):
    records = client.query(obj, [key_field, *fields], filter=Filter.equalto(key_field, key)).records
    assert len(records) == 1, records  # exactly one record with this id
    return records[0]


def test_new_masters_are_created_seeded_ones_linked_and_a_differing_one_updated_on_link(sandbox, env, erp):
    push, client, ledger = env
    sandbox.admin.update_record("CUSTOMER", "C-1002", {"NAME": "Renamed in Intacct"})
    result = push("customer", "run-1")
    assert result.failed == {}
    assert result.created == 15 and result.linked == 120 and result.updated == 1  # C-1002 back to the ERP's
    assert _intacct(client, "CUSTOMER", "CUSTOMERID", "C-1002", "NAME")["NAME"] == "Blue Supply"
    row = ledger.get("customer", "C-1002")
    assert row.status == "success" and row.intacct_record_no
    assert "linked and updated NAME" in row.last_message
    assert {r.status for r in ledger.find(object_type="customer")} == {"success"}


def test_changed_erp_master_is_updated_in_intacct_and_an_unchanged_one_is_not_sent_again(sandbox, env, erp):
    push, client, ledger = env
    push("customer", "run-1")
    before = sandbox.admin.counters("DEMO")["DEMO"]["api_transactions"]
    _erp_update(erp, "customers", "customer_id", "C-1001", name="Apex Supply Holdings")
    second = push("customer", "run-2")
    assert (second.read, second.updated, second.created, second.linked) == (1, 1, 0, 0)
    assert sandbox.admin.counters("DEMO")["DEMO"]["api_transactions"] - before == 1  # one update, nothing else
    assert _intacct(client, "CUSTOMER", "CUSTOMERID", "C-1001", "NAME")["NAME"] == "Apex Supply Holdings"
    assert ledger.get("customer", "C-1001").status == "success"
    third = push("customer", "run-3")
    assert third.updated + third.created == 0


def test_changed_item_is_updated_under_the_same_item_id(sandbox, env, erp):
    push, client, ledger = env
    push("item", "run-1")
    _erp_update(erp, "items", "item_id", "I-3001", name="Bearing Small (sealed)")
    result = push("item", "run-2")
    assert result.updated == 1 and result.failed == {}
    item = _intacct(client, "ITEM", "ITEMID", "I-3001", "NAME")
    assert item["NAME"] == "Bearing Small (sealed)"
    assert ledger.get("item", "I-3001").intacct_key == "I-3001"


def test_push_left_pending_by_a_dead_run_is_recovered_with_its_controlid_and_not_created_twice(
        sandbox, env, erp):
    from include.intacct.functions import Create
    from include.masterdata.push import controlid_for, intacct_fields

    push, client, ledger = env
    source = open_source(f"sqlite:///{erp}")
    master = next(m for chunk in source.iter_masters("customer") for m in chunk if m.key == "C-1121")
    source.close()
    # A run claimed C-1121, sent it, and died before recording the outcome.
    ledger.observe("customer", "C-1121", master.source_version, category="master", run_id="dead-run")
    claim = ledger.claim("customer", ["C-1121"], run_id="dead-run", worker="dead", lease_seconds=0)[0]
    controlid = controlid_for("customer", "C-1121", claim.source_version, claim.attempts)
    ledger.set_controlids("customer", {"C-1121": controlid})
    assert client.execute_writes([Create({"CUSTOMER": intacct_fields(master)}, controlid=controlid)])[0].ok

    result = push("customer", "run-2")
    assert "C-1121" not in result.failed
    row = ledger.get("customer", "C-1121")
    assert row.status == "success" and row.controlid == controlid
    assert "already_recorded" in row.last_message  # the resend was refused as a repeat: it had landed
    _intacct(client, "CUSTOMER", "CUSTOMERID", "C-1121", "NAME")  # exactly one record
