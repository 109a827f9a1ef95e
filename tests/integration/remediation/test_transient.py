"""transient end to end: a tenant failing every request trips the breaker once; the next run posts."""

from include.pipeline import steps
from include.pipeline.breaker import OPEN_MARK
from tests.integration.remediation.helpers import decisions, ledger, posted_numbers


def _run_with_tenant_down(night):
    """One run whose load steps meet a tenant that answers every request with HTTP 503."""
    factory = night.client
    plan = steps.check(night.context(), client_factory=factory, settings=night.settings)
    extracted = [steps.extract_validate(t, plan, settings=night.settings) for t in plan["doc_types"]]
    night.sandbox.admin.set_faults(probabilities={"unavailable": 1.0}, seed=1)
    try:
        loaded = [steps.load(plan, p, client_factory=factory, settings=night.settings) for p in steps.load_partitions(plan)]
        routes = steps.route(plan, settings=night.settings)
        remediated = [steps.remediate(r.removeprefix("remediate_"), plan, client_factory=factory,
                                      settings=night.settings) for r in routes]
    finally:
        night.sandbox.admin.clear_faults()
    summary = steps.reconcile(plan, extract=extracted, load=loaded, remediation=remediated, metrics=[],
                              client_factory=factory, settings=night.settings)
    return loaded, routes, remediated, summary


def test_tenant_failing_every_request_trips_the_breaker_once_and_the_next_run_posts_everything_once(
        night, monkeypatch):
    monkeypatch.setenv("INTEGRATION_CIRCUIT_BREAKER_THRESHOLD", "2")
    monkeypatch.setenv("INTEGRATION_TRANSIENT_RETRY_DELAYS", "0")
    night.client_options = {"max_retries": 0, "functions_per_request": 5, "max_concurrency": 1}
    manifest = night.generate(lines=700, seed=21)
    total = sum(manifest["documents_total"].values())

    loaded, routes, remediated, summary = _run_with_tenant_down(night)
    opened = [item for item in loaded if item.get("circuit_open")]
    assert opened and OPEN_MARK in opened[0]["circuit_open"] and "threshold 2" in opened[0]["circuit_open"]
    assert all("earlier in this run" in item["circuit_open"] for item in opened[1:])
    # Batches of 5, 25, 25, ... documents, two in flight: it opens when the second batch's answers arrive.
    assert loaded[0]["sent"] <= 5 + 25 + 25
    assert loaded[0]["left_unsent"] > 0
    assert sum(item["sent"] for item in loaded[1:]) == 0  # the other types never knocked
    assert routes == ["remediate_transient"]
    assert remediated[0]["outcomes"] == {"still_transient": total}  # no in-run re-posting against a dead tenant
    assert night.sandbox.admin.posted() == []
    book = ledger(night)
    rows = book.find(category="finance")
    assert len(rows) == total and all((r.status, r.error_class, r.hold) == ("error", "transient", None) for r in rows)
    assert any(e.kind == "left_for_next_run" and "circuit breaker" in e.reason
               for e in decisions(night, rows[0].object_type, rows[0].key))

    result = night.run()
    assert result["summary"]["outcomes"] == {"posted": total}
    assert len(posted_numbers(night)) == total and set(posted_numbers(night).values()) == {1}
