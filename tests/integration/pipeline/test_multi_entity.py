"""A night in the multi-entity company DEMO-ME: documents with an entity_id are posted in
their entity, the others at the top level, and entity mistakes are refused before sending."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from include import demo_company as demo
from include.erp.source import open_source
from include.intacct import IntacctClient, IntacctConfig
from include.intacct.functions import Create
from include.ledger import Ledger
from include.masterdata import run as masterdata
from include.pipeline.payloads import build_payload
from include.settings import load_settings
from tests.integration.pipeline.night import Night, refresh_master_data

COMPANY = demo.MULTI_ENTITY_COMPANY_ID
DOCUMENT_TABLES = {"ar_invoice": ("ar_invoices", "ar_invoice_lines", "invoice_no"),
                   "ap_bill": ("ap_bills", "ap_bill_lines", "bill_no"),
                   "journal_entry": ("journal_entries", "journal_entry_lines", "je_no")}
LOCATION_ENTITY = {location: entity for entity, locations in demo.ENTITY_LOCATIONS.items() for location in locations}


@pytest.fixture(scope="module")
def me_master_data_db(sandbox_server, tmp_path_factory):
    """An integration database holding fresh master data of DEMO-ME."""
    folder = tmp_path_factory.mktemp("me-master-data")
    sandbox_server.admin.reset()
    settings = load_settings({"INTEGRATION_DATA_DIR": str(folder), "INTEGRATION_DB_URL": f"sqlite:///{folder / 'db'}"})
    refresh_master_data(settings, IntacctClient(IntacctConfig(**sandbox_server.config_kwargs(COMPANY))))
    return folder / "db"


@pytest.fixture
def me_night(tmp_path, sandbox, me_master_data_db, monkeypatch):
    monkeypatch.setenv("INTEGRATION_CIRCUIT_BREAKER_THRESHOLD", "1000")  # injected faults are not an outage
    night = Night(tmp_path, sandbox, client_options={"company_id": COMPANY})
    night.use_integration_db(me_master_data_db)
    return night


def place(night, assignments: dict[tuple[str, str], tuple[str | None, list[str]]], default_location: str) -> None:
    """Every line gets ``default_location``; then each (doc type, key) gets its entity_id and
    its lines the given locations (cycled)."""
    with sqlite3.connect(night.erp_path) as erp:
        for header_table, lines_table, _ in DOCUMENT_TABLES.values():
            erp.execute(f"UPDATE {lines_table} SET location_id = ?", (default_location,))
            erp.execute(f"UPDATE {header_table} SET entity_id = ''")
        for (doc_type, key), (entity_id, locations) in assignments.items():
            header_table, lines_table, key_column = DOCUMENT_TABLES[doc_type]
            erp.execute(f"UPDATE {header_table} SET entity_id = ? WHERE {key_column} = ?", (entity_id or "", key))
            line_nos = [n for (n,) in erp.execute(f"SELECT line_no FROM {lines_table} WHERE {key_column} = ? "
                                                  "ORDER BY line_no", (key,))]
            for position, line_no in enumerate(line_nos):
                erp.execute(f"UPDATE {lines_table} SET location_id = ? WHERE {key_column} = ? AND line_no = ?",
                            (locations[position % len(locations)], key, line_no))


def keys(night, doc_type: str) -> list[str]:
    header_table, _, key_column = DOCUMENT_TABLES[doc_type]
    with sqlite3.connect(night.erp_path) as erp:
        return [k for (k,) in erp.execute(f"SELECT {key_column} FROM {header_table} ORDER BY {key_column}")]


def line_counts(night, doc_type: str) -> dict[str, int]:
    _, lines_table, key_column = DOCUMENT_TABLES[doc_type]
    with sqlite3.connect(night.erp_path) as erp:
        return dict(erp.execute(f"SELECT {key_column}, count(*) FROM {lines_table} GROUP BY {key_column}"))


def posted_entities(night) -> dict[str, list[str]]:
    """Document number -> the MEGAENTITYID of every Intacct record carrying it."""
    found: dict[str, list[str]] = {}
    for record in night.sandbox.admin.posted(company=COMPANY):
        number = record.get("RECORDID") or record.get("REFERENCENO")
        found.setdefault(number, []).append(record.get("MEGAENTITYID", ""))
    return found


def test_documents_of_two_entities_and_the_top_level_land_in_their_entities_in_one_night(me_night):
    me_night.generate(lines=60, seed=11)
    invoices, bills, entries = (keys(me_night, t) for t in ("ar_invoice", "ap_bill", "journal_entry"))
    assert len(invoices) >= 5 and len(bills) >= 2 and len(entries) >= 3
    # The invoices whose lines get two locations (positions 0 and 4) need two lines at least.
    lines = line_counts(me_night, "ar_invoice")
    several = [k for k in invoices if lines[k] >= 2][:2]
    assert len(several) == 2, lines
    others = [k for k in invoices if k not in several]
    invoices = [several[0], *others[:3], several[1], *others[3:]]
    assignments = {
        ("ar_invoice", invoices[0]): ("E200", ["210", "200"]),
        ("ar_invoice", invoices[1]): ("E100", ["120"]),
        ("ar_invoice", invoices[2]): (None, ["200"]),  # top level: its lines' location decides the books
        ("ar_invoice", invoices[3]): ("E999", ["110"]),  # not an entity of the company
        ("ar_invoice", invoices[4]): ("E100", ["110", "210"]),  # a line of another entity
        ("ap_bill", bills[0]): ("E200", ["200"]),
        ("ap_bill", bills[1]): ("E100", ["130"]),
        ("journal_entry", entries[0]): ("E200", ["210"]),
        ("journal_entry", entries[1]): ("E100", ["100"]),
    }
    place(me_night, assignments, default_location="110")
    refused = {invoices[3]: "entity_id", invoices[4]: "location_id"}

    result = me_night.run()

    ledger = Ledger(me_night.settings.integration_db_url)
    rows = {row.key: row for row in ledger.find(category="finance")}
    assert {k for k, r in rows.items() if r.status != "success"} == set(refused)
    for key, field in refused.items():
        row = rows[key]
        assert (row.error_class, row.hold) == ("invalid_reference", "invalid_reference")
        assert f"ar_invoice {key!r}" in row.last_message and f"field {field}" in row.last_message
        assert row.controlid is None and row.intacct_record_no is None  # never sent
        # The fix is in the ERP document, never "create it in Intacct".
        assert "Correct the document in the ERP" in row.last_message and "Create it" not in row.last_message
    assert "E999" in rows[invoices[3]].last_message

    landed = posted_entities(me_night)
    assert not set(refused) & set(landed)
    expected = {key: entity or LOCATION_ENTITY[locations[0]] for (_, key), (entity, locations) in assignments.items()
                if key not in refused}
    expected.update({key: "E100" for doc_type in DOCUMENT_TABLES for key in keys(me_night, doc_type)
                     if (doc_type, key) not in assignments})  # top level, default location 110
    assert {key: landed.get(key) for key in expected} == {key: [entity] for key, entity in expected.items()}
    # The load (every document type through one request window) signed in once per session it used:
    # the top level, E100 and E200.
    assert [item["api"]["logins"] for item in result["loaded"]] == [3]
    assert Counter(str(r.status) for r in rows.values()) == Counter(success=len(expected), error=2)


def test_transient_failures_are_re_posted_in_their_entities(me_night):
    me_night.client_options["max_retries"] = 0
    me_night.generate(lines=30, seed=3)
    invoices = keys(me_night, "ar_invoice")
    assignments = {("ar_invoice", invoices[0]): ("E200", ["200"]), ("ar_invoice", invoices[1]): ("E100", ["110"])}
    place(me_night, assignments, default_location="120")
    # The first three requests of the load (the invoices' three sign-ins) are refused.
    result = me_night.run(before_load=lambda: me_night.sandbox.admin.set_faults(next_faults=["unavailable"] * 3))

    first_try = Counter()
    for item in result["loaded"]:
        first_try.update(item["failed"])
    assert first_try["transient"] == len(invoices)
    assert result["routes"] == ["remediate_transient"]
    [transient] = result["remediated"]
    assert transient["outcomes"]["posted"] == len(invoices) and transient["api"]["logins"] == 3
    landed = posted_entities(me_night)
    assert landed[invoices[0]] == ["E200"] and landed[invoices[1]] == ["E100"]
    assert all(landed[key] == ["E100"] for key in invoices[2:])


def test_a_document_for_an_inactive_entity_is_refused_by_validation_and_never_sent(me_night):
    me_night.sandbox.admin.deactivate("LOCATIONENTITY", "E200", company=COMPANY)
    masterdata.extract("LOCATIONENTITY", run_id="master-data-test", settings=me_night.settings,
                       client=me_night.client())
    me_night.generate(lines=20, seed=5)
    bills = keys(me_night, "ap_bill") or keys(me_night, "ar_invoice")
    doc_type = "ap_bill" if keys(me_night, "ap_bill") else "ar_invoice"
    place(me_night, {(doc_type, bills[0]): ("E200", ["200"])}, default_location="110")

    me_night.run()

    row = Ledger(me_night.settings.integration_db_url).get(doc_type, bills[0])
    assert (row.status, row.error_class, row.hold) == ("error", "invalid_reference", "invalid_reference")
    assert "entity 'E200' is inactive in Intacct" in row.last_message
    assert bills[0] not in posted_entities(me_night)


def test_a_duplicate_is_linked_only_to_a_record_of_the_documents_own_entity(me_night):
    me_night.generate(lines=60, seed=11)
    bills = keys(me_night, "ap_bill")
    place(me_night, {("ap_bill", bills[0]): ("E200", ["200"]), ("ap_bill", bills[1]): ("E200", ["210"])},
          default_location="110")
    with open_source(me_night.settings.erp_source) as source:
        documents = {d.key: d for d in source.get_documents("ap_bill", bills[:2])}

    def pre_post(key: str, entity_id: str, location: str) -> None:
        payload = build_payload(documents[key])
        fields = dict(payload.fields)
        fields["APBILLITEMS"] = {"APBILLITEM": [{**item, "LOCATIONID": location}
                                                for item in fields["APBILLITEMS"]["APBILLITEM"]]}
        with me_night.client() as client:
            [outcome] = client.for_entity(entity_id).execute_writes([Create({"APBILL": fields}, f"pre-{key}")])
        assert outcome.ok, outcome.errors

    pre_post(bills[0], "E100", "110")  # the same number, but in another entity's books
    pre_post(bills[1], "E200", "210")  # the same document, already in its entity

    result = me_night.run()

    [duplicate] = [r for r in result["remediated"] if r["error_class"] == "duplicate"]
    assert duplicate["outcomes"] == {"linked": 1, "not_linked": 1}
    ledger = Ledger(me_night.settings.integration_db_url)
    assert (ledger.get("ap_bill", bills[0]).status, ledger.get("ap_bill", bills[0]).error_class) == \
        ("error", "duplicate")
    linked = ledger.get("ap_bill", bills[1])
    assert linked.status == "success"
    assert posted_entities(me_night)[bills[1]] == ["E200"]  # linked, not posted a second time


def test_an_entity_level_connection_reconciles_documents_posted_in_other_entities(me_night):
    # The connection signs in to E100: its session cannot see E200's records, so the
    # reconciliation looks for those in E200 instead of reporting them missing.
    me_night.client_options["entity_id"] = "E100"
    me_night.generate(lines=40, seed=5)
    invoices, bills = keys(me_night, "ar_invoice"), keys(me_night, "ap_bill")
    place(me_night, {("ar_invoice", invoices[0]): ("E200", ["200"]), ("ap_bill", bills[0]): ("E200", ["210"])},
          default_location="110")

    result = me_night.run()

    assert result["summary"]["ok"]
    landed = posted_entities(me_night)
    assert landed[invoices[0]] == ["E200"] and landed[bills[0]] == ["E200"]
    assert landed[invoices[1]] == ["E100"]
    ledger = Ledger(me_night.settings.integration_db_url)
    assert {str(row.status) for row in ledger.find(category="finance")} == {"success"}
