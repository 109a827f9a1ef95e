"""The ledger CLI prints readable tables from the same database the DAGs write."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from include.ledger import Status
from include.ledger.cli import main
from tests.integration.ledger.helpers import object_in

ROOT = Path(__file__).resolve().parents[3]


def run(url, *args):
    out = io.StringIO()
    code = main(["--url", url, *args], out=out)
    return code, out.getvalue()


def test_list_failed_held_events_and_reconcile(ledger, ledger_url):
    object_in(ledger, Status.ERROR, "10432", for_action=None)
    ledger.place_hold("ar_invoice", ["10432"], hold="closed_period", period="2026-09", reason="period closed")
    object_in(ledger, Status.SUCCESS, "10433")

    code, listing = run(ledger_url, "list", "--status", "error", "--category", "finance")
    assert code == 0 and "10432" in listing and "10433" not in listing and "(1 objects)" in listing
    assert "closed_period" in run(ledger_url, "failed")[1]
    assert "10432" in run(ledger_url, "held", "--period", "2026-09")[1]
    assert "10432" not in run(ledger_url, "held", "--period", "2026-10")[1]
    ledger.release_holds(hold="closed_period", period="2026-09", reason="2026-09 reopened")
    assert "10432" in run(ledger_url, "list", "--released", "--period", "2026-09")[1]
    code, events = run(ledger_url, "events", "10432")
    assert code == 0 and "hold_placed" in events and "period closed" in events
    assert "success" in run(ledger_url, "reconcile")[1]
    assert run(ledger_url, "events", "nope")[0] == 1


@pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
def test_module_entry_point_reads_the_url_from_the_environment(ledger_url):
    env = {**os.environ, "INTEGRATION_DB_URL": ledger_url, "PYTHONPATH": str(ROOT)}
    upgrade = subprocess.run(
        [sys.executable, "-m", "include.ledger", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "ledger at revision" in upgrade.stdout
