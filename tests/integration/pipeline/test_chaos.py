"""A CI-sized night under chaos (bench/chaos.py runs the same at 10,000+ documents): random faults
on every request, the load worker SIGKILLed mid-way, task retries; nothing lost, nothing posted
twice, the ledger agrees with Intacct, and no person had to step in."""

import pytest

from include.devtools.chaos import ChaosOptions, run_chaos

HARSH = {"rate_limit": 0.05, "bad_gateway": 0.04, "unavailable": 0.04, "timeout_after_commit": 0.05,
         "drop_connection": 0.03, "session_expiry": 0.04}


@pytest.mark.slow
def test_a_night_under_chaos_loses_nothing_posts_nothing_twice_and_needs_no_person(tmp_path):
    report = run_chaos(ChaosOptions(lines=900, seed=5, fault_rates=HARSH, functions_per_request=10,
                                    latency_ms=100, workdir=tmp_path))
    assert report.person_actions == [] and report.lost == [] and report.duplicated == 0
    assert report.mismatches == [] and report.ok
    assert report.posted_once == report.documents > 250
    assert report.killed["killed"] == 1 and 0 < report.killed["in_intacct"]
    assert report.killed["recorded"] < report.killed["in_intacct"]  # landed, not yet recorded: the retry links them
    assert report.tasks["load[0]"] >= 2  # the killed attempt, then Airflow's retry
    assert sum(report.faults.values()) >= 10 and len(report.faults) >= 4, report.faults
