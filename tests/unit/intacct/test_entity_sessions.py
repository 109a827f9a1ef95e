"""Entity-level sessions over real HTTP against the local scripted gateway: one login per
entity, requests that never mix entities, and one shared concurrency limit."""

from __future__ import annotations

import pytest

from include.intacct.functions import Create, DocumentLookup
from tests.unit.intacct.local_gateway import LocalGateway
from tests.unit.intacct.test_client_http import make_client


@pytest.fixture
def gateway():
    with LocalGateway() as local:
        yield local


def bills(prefix: str, count: int) -> list[Create]:
    return [Create({"APBILL": {"VENDORID": "V1", "RECORDID": f"{prefix}-{n}"}}, controlid=f"{prefix}-{n}-v1",
                   lookup=DocumentLookup("APBILL", "RECORDID", f"{prefix}-{n}")) for n in range(count)]


def login_location(request) -> str | None:
    return request.root.findtext("operation/authentication/login/locationid")


def test_for_entity_is_the_connection_client_without_an_entity_and_one_cached_client_per_entity(gateway):
    with make_client(gateway, company_id="ME-CACHE") as client:
        assert client.for_entity(None) is client and client.for_entity("  ") is client
        e1 = client.for_entity("E1")
        assert e1 is client.for_entity("E1") is client.for_entity(" E1 ")
        assert e1.config.entity_id == "E1" and e1.config.company_id == client.config.company_id
        assert e1.transport is client.transport and e1.metrics is client.metrics
        assert e1.for_entity("E2") is client.for_entity("E2") and e1.for_entity(None) is client
        e1.close()  # an entity client leaves the shared connections open
        assert client.for_entity("E1") is e1
    with make_client(gateway, company_id="ME-CACHE", entity_id="E1") as entity_connection:
        assert entity_connection.for_entity("E1") is entity_connection


def test_each_entity_signs_in_once_with_its_location_id(gateway):
    with make_client(gateway, company_id="ME-LOGIN") as client:
        sessions = {entity: client.for_entity(entity).session().session_id for entity in (None, "E1", "E2")}
    logins = [r for r in gateway.requests if r.is_login]
    assert [login_location(r) for r in logins] == [None, "E1", "E2"]
    getapisession_locations = [r.functions[0].findtext("getAPISession/locationid") for r in logins]
    assert getapisession_locations == [None, "E1", "E2"]
    assert len(set(sessions.values())) == 3
    assert client.metrics.snapshot()["logins"] == 3


def test_writes_by_entity_never_mix_entities_in_a_request_and_use_each_entitys_session(gateway):
    groups = {None: bills("TOP", 3), "E1": bills("E1", 3), "E2": bills("E2", 2)}
    with make_client(gateway, company_id="ME-WRITES", functions_per_request=2, max_concurrency=2) as client:
        session_of = {entity: client.for_entity(entity).session().session_id for entity in groups}
        outcomes = client.execute_writes_by_entity(groups)
    expected_order = [f.controlid for functions in groups.values() for f in functions]
    assert [o.controlid for o in outcomes] == expected_order and all(o.ok for o in outcomes)
    entity_of = {f.controlid: entity for entity, functions in groups.items() for f in functions}
    writes = [r for r in gateway.requests if not r.is_login]
    assert sorted(len(r.functions) for r in writes) == [1, 1, 2, 2, 2]  # 3 -> 2+1, 3 -> 2+1, 2
    for request in writes:
        entities = {entity_of[c] for c in request.controlids}
        assert len(entities) == 1, f"request mixes entities {entities}"
        assert request.session_id == session_of[entities.pop()]
    assert client.metrics.snapshot()["logins"] == 3  # one per entity, however many requests


def test_entity_groups_share_the_request_slots_and_the_concurrency_limit(gateway):
    gateway.response_delay = 0.1
    groups = {entity: bills(entity or "TOP", 2) for entity in (None, "E1", "E2")}
    with make_client(gateway, company_id="ME-SLOTS", functions_per_request=1, max_concurrency=2) as client:
        for entity in groups:
            client.for_entity(entity).session()
        outcomes = client.execute_writes_by_entity(groups)
    assert all(o.ok for o in outcomes)
    assert gateway.max_in_flight == 2  # every slot used, never more, across entities


def test_duplicate_controlid_across_entities_fails_fast(gateway):
    with make_client(gateway, company_id="ME-DUP") as client:
        with pytest.raises(ValueError, match="appears twice"):
            client.execute_writes_by_entity({"E1": bills("X", 1), "E2": bills("X", 1)})
    assert gateway.requests == []
