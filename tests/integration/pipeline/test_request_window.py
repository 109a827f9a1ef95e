"""The load keeps exactly the tenant's concurrency in flight, across document types, never more:
the sandbox refuses (and counts) any request over its concurrency limit, and records the most it
held at once."""

import pytest

from include import demo_company as demo
from include.pipeline import steps


def _load_with(night, *, max_concurrency: int, partitions: int = 1) -> dict:
    night.client_options = {"max_concurrency": max_concurrency, "partitions": partitions,
                            "functions_per_request": 5, "max_retries": 0}
    plan = steps.check(night.context(), client_factory=night.client, settings=night.settings)
    queued = sum(steps.extract_validate(t, plan, client_factory=night.client, settings=night.settings)["queued"]
                 for t in plan["doc_types"])
    return plan, queued


@pytest.mark.parametrize("concurrency", [1, 3, 5])
def test_the_load_keeps_exactly_the_connections_concurrency_in_flight_and_never_more(night, concurrency):
    night.generate(lines=260, seed=4)
    plan, queued = _load_with(night, max_concurrency=concurrency)
    night.sandbox.admin.update_settings(latency_ms=60, concurrency_limit=concurrency)
    before = night.sandbox.admin.counters(demo.COMPANY_ID)[demo.COMPANY_ID]
    [loaded] = [steps.load(plan, p, client_factory=night.client, settings=night.settings)
                for p in steps.load_partitions(plan)]
    after = night.sandbox.admin.counters(demo.COMPANY_ID)[demo.COMPANY_ID]
    assert loaded["posted"] == queued and loaded["window"] == concurrency
    assert set(loaded["by_doc_type"]) == {"ar_invoice", "ap_bill", "journal_entry"}  # one window for every type
    assert after["refused_over_limit"] - before["refused_over_limit"] == 0
    assert after["most_in_flight"] == concurrency


def test_a_client_over_the_tenants_concurrency_is_caught_by_the_sandbox(night):
    night.generate(lines=120, seed=4)
    plan, _ = _load_with(night, max_concurrency=4)
    night.sandbox.admin.update_settings(latency_ms=60, concurrency_limit=2)
    steps.load(plan, 0, client_factory=night.client, settings=night.settings)
    counters = night.sandbox.admin.counters(demo.COMPANY_ID)[demo.COMPANY_ID]
    assert counters["refused_over_limit"] > 0 and counters["most_in_flight"] == 2


def test_partitions_share_the_tenants_concurrency(night):
    night.generate(lines=60, seed=4)
    plan, _ = _load_with(night, max_concurrency=6, partitions=3)
    assert plan["load"] == {"partitions": 3, "requests_per_worker": 2, "max_concurrency": 6}
    assert steps.load_partitions(plan) == [0, 1, 2]
    results = [steps.load(plan, p, client_factory=night.client, settings=night.settings) for p in range(3)]
    assert all(r["window"] == 2 for r in results) and [r["partition"] for r in results] == [0, 1, 2]
    with pytest.raises(Exception, match="load partition 3 does not exist"):
        steps.load(plan, 3, client_factory=night.client, settings=night.settings)
