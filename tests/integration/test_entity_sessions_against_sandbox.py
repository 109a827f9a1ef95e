"""Entity-level sessions against the sandbox's multi-entity company DEMO-ME."""

from __future__ import annotations

import pytest

from include import demo_company as demo
from include.intacct import IntacctClient, IntacctConfig
from tests.integration.test_client_against_sandbox import bill, posted_bills


@pytest.fixture
def me_client(sandbox):
    config = IntacctConfig(**sandbox.config_for(demo.MULTI_ENTITY_COMPANY_ID), backoff_base=0.01, backoff_max=0.05)
    with IntacctClient(config) as client:
        yield client


def posted_in(sandbox, number: str) -> list[str]:
    return [b["MEGAENTITYID"] for b in sandbox.admin.posted("APBILL", company=demo.MULTI_ENTITY_COMPANY_ID)
            if b["RECORDID"] == number]


def test_an_entity_client_signs_in_to_its_entity_and_creates_there(sandbox, me_client):
    e200 = me_client.for_entity("E200")
    assert e200.session().location_id == "E200"
    [outcome] = e200.execute_writes([bill("ME-1", LOCATIONID="210")])
    assert outcome.ok, outcome.errors
    assert posted_in(sandbox, "ME-1") == ["E200"]


def test_an_entity_session_refuses_a_location_of_another_entity(sandbox, me_client):
    [outcome] = me_client.for_entity("E200").execute_writes([bill("ME-2", LOCATIONID="110")])
    assert not outcome.ok and outcome.error_class == "invalid_reference", outcome.errors
    assert posted_in(sandbox, "ME-2") == []


def test_writes_by_entity_land_in_each_entity_and_already_recorded_is_found_in_the_entity(sandbox, me_client):
    groups = {"E100": [bill("ME-10", LOCATIONID="120")], "E200": [bill("ME-20", LOCATIONID="200")],
              None: [bill("ME-00", LOCATIONID="210")]}
    first = me_client.execute_writes_by_entity(groups)
    assert [o.resolution for o in first] == ["sent"] * 3
    assert [posted_in(sandbox, n) for n in ("ME-10", "ME-20", "ME-00")] == [["E100"], ["E200"], ["E200"]]
    # A resend (same controlids) is answered "already recorded"; the RECORDNO is looked up in the entity.
    again = me_client.execute_writes_by_entity(groups)
    assert [o.resolution for o in again] == ["already_recorded"] * 3
    assert [o.record_no for o in again] == [o.record_no for o in first]
    assert me_client.metrics.snapshot()["logins"] == 3
    assert posted_bills(sandbox, "ME-10") == []  # nothing of DEMO-ME lands in DEMO


def test_every_entity_session_expiring_mid_night_is_renewed_once_and_nothing_fails(sandbox, me_client):
    groups = {"E100": [bill(f"ME-3{n}", LOCATIONID="120") for n in range(4)],
              "E200": [bill(f"ME-4{n}", LOCATIONID="200") for n in range(4)],
              None: [bill(f"ME-5{n}", LOCATIONID="210") for n in range(4)]}
    me_client.execute_writes_by_entity({entity: functions[:1] for entity, functions in groups.items()})
    assert me_client.metrics.snapshot()["logins"] == 3  # one session per entity and the top level
    sandbox.admin.expire_sessions(demo.MULTI_ENTITY_COMPANY_ID)  # all three expire while the night goes on
    outcomes = me_client.execute_writes_by_entity(groups)
    assert all(o.ok and o.record_no for o in outcomes), [o.errors for o in outcomes if not o.ok]
    metrics = me_client.metrics.snapshot()
    assert (metrics["session_renewals"], metrics["logins"]) == (3, 6)
    assert [len(posted_in(sandbox, f"ME-{g}{n}")) for g in (3, 4, 5) for n in range(4)] == [1] * 12
