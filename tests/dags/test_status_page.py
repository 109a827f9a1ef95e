"""The integration status page as Airflow serves it: the plugin manager loads the plugin, and a
real api-server (simple auth manager, login required) shows the page to a signed-in user only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from include.devtools.airflow_local import REPO_ROOT, LocalAirflow
from include.ledger import Ledger

PLUGINS = REPO_ROOT / "plugins"
MESSAGE = "Could not retrieve the Sequence record! <img src=x onerror=alert(1)>"


def _airflow_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    return {**env, "AIRFLOW_HOME": str(home), "PYTHONPATH": str(REPO_ROOT),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}


def test_the_plugin_manager_loads_the_status_page_plugin(tmp_path):
    result = subprocess.run([sys.executable, "-m", "airflow", "plugins", "--output", "json"],
                            env=_airflow_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stderr[-3000:]
    plugins = {p["name"]: p for p in json.loads(result.stdout[result.stdout.index("["):])}
    plugin = plugins["integration_status"]
    assert plugin["source"] == "$PLUGINS_FOLDER/integration_status.py"
    assert [a["url_prefix"] for a in plugin["fastapi_apps"]] == ["/integration-status"]
    view = plugin["external_views"][0]
    assert (view["href"], view["url_route"], view["destination"]) == ("integration-status/", "integration-status",
                                                                      "nav")


@pytest.fixture
def integration_db(tmp_path):
    """A ledger with two invoices posted, one failed on its payment term, one held for a closed period."""
    url = f"sqlite:///{tmp_path / 'integration.db'}"
    with Ledger(url) as ledger:
        ledger.migrate()
        keys = ["INV-1", "INV-2", "INV-3", "INV-4"]
        for key in keys:
            ledger.observe("ar_invoice", key, "v1", amount="250.00")
        ledger.claim("ar_invoice", keys, run_id="manual__1", worker="test", strict=True)
        for key in ("INV-1", "INV-2"):
            ledger.record_success("ar_invoice", key, run_id="manual__1", record_no=f"9{key[-1]}")
        ledger.record_error("ar_invoice", "INV-3", run_id="manual__1", error_class="payment_term", message=MESSAGE)
        ledger.record_error("ar_invoice", "INV-4", run_id="manual__1", error_class="closed_period",
                            message="Periods are closed.", hold="closed_period", held_for_period="2026-09")
    return url


@pytest.mark.slow
def test_the_api_server_serves_the_page_to_a_signed_in_user_only(integration_db, tmp_path):
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"finance": "finance-pw"}))
    env = {"INTEGRATION_DB_URL": integration_db, "INTEGRATION_DATA_DIR": str(tmp_path),
           # Login required, as in production: the local harness's "everyone is admin" is switched off.
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "finance:viewer",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords)}
    airflow = LocalAirflow(tmp_path / "airflow", env=env)
    airflow.start(components=("api-server",))
    try:
        page, summary = f"{airflow.url}/integration-status/", f"{airflow.url}/integration-status/api/summary"

        anonymous_page = requests.get(page, allow_redirects=False, timeout=30)
        anonymous_json = requests.get(summary, timeout=30)
        forged = requests.get(summary, headers={"Authorization": "Bearer not-a-token"}, timeout=30)
        assert anonymous_page.status_code == 303, anonymous_page.text[:500]
        assert anonymous_page.headers["location"].startswith("/auth/login?next=")
        assert anonymous_json.status_code == 401 and "INV-3" not in anonymous_json.text
        assert forged.status_code == 403

        token = airflow.api("POST", "/auth/token", json={"username": "finance", "password": "finance-pw"})
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        data = requests.get(summary, headers=bearer, timeout=30).json()
        invoices = next(t for t in data["object_types"] if t["object_type"] == "ar_invoice")
        assert invoices["by_status"] == {"not_integrated": 0, "pending": 0, "success": 2, "error": 2,
                                         "desynchronized": 0}
        assert invoices["errors_by_class"] == {"closed_period": 1, "payment_term": 1} and invoices["held"] == 1
        assert [r["key"] for r in data["failed"]["records"]] == ["INV-4", "INV-3"]

        # The UI's frame sends the session cookie, not a header.
        html = requests.get(page, cookies={"_token": token["access_token"]}, timeout=30)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert "<td class='n bad'><a href='?object_type=ar_invoice'>2</a></td>" in html.text
        assert "held: closed_period (2026-09)" in html.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in html.text and "<img" not in html.text

        plugins = requests.get(f"{airflow.url}/api/v2/plugins", headers=bearer, timeout=30).json()["plugins"]
        views = [v for p in plugins for v in p["external_views"]]
        assert [(v["name"], v["href"], v["url_route"]) for v in views] == [
            ("Integration status", "integration-status/", "integration-status")]
    except AssertionError:
        print(airflow.component_log("api-server"))
        raise
    finally:
        airflow.stop()
