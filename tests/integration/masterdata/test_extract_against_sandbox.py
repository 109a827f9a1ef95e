"""The extractor, INT402 handling and the ERP master push against the real sandbox over HTTP."""

import math

import pytest

from include import demo_company as demo
from include.intacct import IntacctClient, IntacctConfig
from include.ledger import Ledger
from include.masterdata.dimensions import DIMENSION_OBJECT_TYPE, INT402_STEPS, sync_dimensions
from include.masterdata.extract import extract_stream
from include.masterdata.streams import STREAMS
from include.reference_store import ReferenceStore

TZ = demo.COMPANY_TIMEZONE


@pytest.fixture
def client(sandbox):
    client = IntacctClient(IntacctConfig(**sandbox.config_kwargs))
    yield client
    client.close()


@pytest.fixture
def ledger(sqlite_url):
    ledger = Ledger(sqlite_url)
    ledger.migrate()
    yield ledger
    ledger.close()


@pytest.fixture
def store(ledger):
    return ReferenceStore(ledger.engine)


def _extract(client, store, name, run_id, **kwargs):
    kwargs.setdefault("lookback_minutes", 0)
    return extract_stream(client, store, STREAMS[name], run_id=run_id, company_timezone=TZ, **kwargs)


def test_records_changed_during_a_read_are_read_again_and_the_next_run_reads_exactly_the_changes(
        sandbox, client, store):
    pages = math.ceil(demo.SEEDED_CUSTOMER_COUNT / 50)

    def change_while_reading(page_number, _records):
        if page_number == 1:  # already read: must come back at the end of this read
            sandbox.admin.update_record("CUSTOMER", "C-1001", {"NAME": "Apex Supply (renamed)"})
        if page_number == pages:  # after the last page: the next run must pick it up
            sandbox.admin.advance_clock(1)
            sandbox.admin.update_record("CUSTOMER", "C-1002", {"NAME": "Blue Supply (renamed)"})

    first = _extract(client, store, "CUSTOMER", "run-1", page_size=50, after_page=change_while_reading)
    assert first.records_read == demo.SEEDED_CUSTOMER_COUNT + 1  # C-1001 twice
    assert first.api_calls <= math.ceil(first.records_read / 50) + 1
    names = {r.key: r.data["NAME"] for r in store.records("CUSTOMER")}
    assert names["C-1001"] == "Apex Supply (renamed)" and names["C-1002"] == "Blue Supply"

    sandbox.admin.advance_clock(1)
    sandbox.admin.deactivate("CUSTOMER", "C-1003")
    second = _extract(client, store, "CUSTOMER", "run-2", page_size=50)
    assert (second.records_read, second.records_changed, second.inactive_read) == (2, 2, 1)
    assert second.api_calls == 1
    by_key = {r.key: r for r in store.records("CUSTOMER")}
    assert by_key["C-1002"].data["NAME"] == "Blue Supply (renamed)"
    assert by_key["C-1003"].status == "inactive" and not by_key["C-1003"].active

    third = _extract(client, store, "CUSTOMER", "run-3", page_size=50)
    assert (third.records_read, third.api_calls) == (0, 1)


def test_full_refresh_reads_everything_again_in_ceil_records_over_page_size_calls(sandbox, client, store):
    _extract(client, store, "VENDOR", "run-1")
    again = _extract(client, store, "VENDOR", "run-2", full_refresh=True, page_size=25)
    assert again.full_refresh and again.records_read == demo.SEEDED_VENDOR_COUNT
    assert again.api_calls == math.ceil(demo.SEEDED_VENDOR_COUNT / 25)
    assert again.records_changed == 0


def test_unpermitted_udd_is_marked_unavailable_with_admin_steps_and_recovers_once_granted(
        sandbox, client, store, ledger):
    result = sync_dimensions(client, store, ledger, run_id="run-1", worker="w", company_timezone=TZ,
                             lookback_minutes=0, user_id="xml_gateway")
    assert set(result.unavailable) == {"CHANNEL"} and "REGION" in result.udds
    assert not store.state("UDD:CHANNEL").available
    assert store.statuses("UDD:REGION")["10005"] == "inactive"
    row = ledger.get(DIMENSION_OBJECT_TYPE, "CHANNEL")
    assert (row.status, row.error_class) == ("error", "dimension_unavailable")
    for step in INT402_STEPS:  # every administrator step, with the dimension's name
        assert step.format(dimension="'CHANNEL'", user="the integration user (xml_gateway)") in row.last_message
    assert ledger.get(DIMENSION_OBJECT_TYPE, "REGION").status == "success"

    sync_dimensions(client, store, ledger, run_id="run-2", worker="w", company_timezone=TZ, lookback_minutes=0)
    assert ledger.get(DIMENSION_OBJECT_TYPE, "CHANNEL").status == "error"  # still unavailable, no noise

    held = ledger.observe("ar_invoice", "INV-1", "v1", run_id="erp")  # a document held for CHANNEL
    ledger.claim("ar_invoice", ["INV-1"], run_id="post", worker="w")
    ledger.record_error("ar_invoice", "INV-1", run_id="post", error_class="dimension_unavailable",
                        message="User-defined dimension 'CHANNEL' is not available", hold="dimension_unavailable")
    assert held.status_after == "not_integrated"

    sandbox.admin.grant_udd("CHANNEL")
    again = sync_dimensions(client, store, ledger, run_id="run-3", worker="w", company_timezone=TZ,
                            lookback_minutes=0)
    assert again.unavailable == {} and again.udds["CHANNEL"]["records_read"] == 3
    assert store.state("UDD:CHANNEL").available
    assert ledger.get(DIMENSION_OBJECT_TYPE, "CHANNEL").status == "success"
    assert again.released_documents == 1 and ledger.get("ar_invoice", "INV-1").released_at is not None
