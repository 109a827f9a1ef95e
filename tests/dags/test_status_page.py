"""The integration status page as Airflow serves it: the plugin manager loads the plugin, the app's
routes answer behind Airflow's own auth manager (in process, with a real token), and a real
api-server (simple auth manager, login required) shows the page to a signed-in user only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from include.devtools.airflow_local import REPO_ROOT, LocalAirflow
from include.ledger import Ledger
from include.status.summary import object_path
from tests.fixtures.airflow import STARTS_AIRFLOW_PROCESSES

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
@STARTS_AIRFLOW_PROCESSES
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
        anonymous_object = requests.get(f"{page}object/ar_invoice/INV-3", allow_redirects=False, timeout=30)
        assert anonymous_object.status_code == 303, anonymous_object.text[:500]
        assert anonymous_object.headers["location"].startswith("/auth/login?next=")

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


@pytest.fixture(scope="module")
def client(airflow_db, tmp_path_factory):
    """The status app over HTTP in process, behind Airflow's simple auth manager, and a viewer's token."""
    from fastapi.testclient import TestClient

    data_dir = tmp_path_factory.mktemp("status-http")
    env = {"INTEGRATION_DATA_DIR": str(data_dir), "INTEGRATION_DB_URL": f"sqlite:///{data_dir / 'integration.db'}",
           "AIRFLOW__API_AUTH__JWT_SECRET": "status-page-test-secret-" * 3,
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "finance:viewer"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        from airflow.api_fastapi.app import get_auth_manager, init_auth_manager
        from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

        from include.status.web import app

        init_auth_manager()
        token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="finance", role="viewer"))
        with Ledger(env["INTEGRATION_DB_URL"]) as ledger:
            ledger.migrate()
            for key in ("INV/1?#%", "..", "INV-2"):
                ledger.observe("ar_invoice", key, "v1", amount="10.00")
            ledger.claim("ar_invoice", ["INV/1?#%"], run_id="manual__1", worker="test", strict=True)
            ledger.record_error("ar_invoice", "INV/1?#%", run_id="manual__1", error_class="payment_term",
                                message=MESSAGE)
        with TestClient(app) as http:
            http.headers["Authorization"] = f"Bearer {token}"
            yield http


def test_an_object_page_is_found_by_its_quoted_key_even_with_slashes_and_dots(client):
    page = client.get("/" + object_path("ar_invoice", "INV/1?#%"))
    data = client.get("/api/" + object_path("ar_invoice", "INV/1?#%"))
    dots = client.get("/" + object_path("ar_invoice", ".."))
    dots_json = client.get("/api/" + object_path("ar_invoice", ".."))

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img" not in page.text
    assert data.json()["object"]["key"] == "INV/1?#%" and data.json()["resync"]["action"] == "force_synchronize"
    assert [e["kind"] for e in data.json()["events"]] == ["observed", "claimed", "failed"]
    assert dots.status_code == 200 and "<a class='ui-link' href='../../dags/intacct_resync' target='_top'>" in dots.text
    assert dots_json.json()["object"]["key"] == ".."


def test_an_unknown_object_is_a_404_naming_it(client):
    page = client.get("/object/ar_invoice/NO-SUCH")
    data = client.get("/api/object/customer/INV-2")

    assert page.status_code == 404 and "no ar_invoice with key 'NO-SUCH'" in page.json()["detail"]
    assert data.status_code == 404 and "no customer with key 'INV-2'" in data.json()["detail"]


def test_the_objects_list_and_its_json_twin_filter_and_refuse_bad_filters_with_400(client):
    listing = client.get("/objects", params={"key": "INV", "key_match": "prefix"})
    data = client.get("/api/objects", params={"status": "not_integrated"})
    bad_status = client.get("/api/objects", params={"status": "failed"})
    bad_match = client.get("/objects", params={"key_match": "contains"})

    assert listing.status_code == 200 and "INV-2" in listing.text
    assert "<a href='object/ar_invoice/INV%2F1%3F%23%25'>" in listing.text
    assert sorted(o["key"] for o in data.json()["objects"]) == ["..", "INV-2"]
    assert bad_status.status_code == 400 and bad_status.json()["detail"].startswith(
        "status 'failed' is not one of: not_integrated, pending, success, error, desynchronized")
    assert bad_match.status_code == 400 and "key_match 'contains' is not one of: exact, prefix" in bad_match.text


def test_the_object_routes_need_a_signed_in_user(client):
    anonymous = client.get("/api/object/ar_invoice/INV-2", headers={"Authorization": ""})
    forged = client.get("/api/objects", headers={"Authorization": "Bearer not-a-token"})

    anonymous_page = client.get("/object/ar_invoice/INV-2", headers={"Authorization": ""}, follow_redirects=False)

    assert anonymous.status_code == 401 and "INV-2" not in anonymous.text
    assert anonymous_page.status_code == 303 and "/login" in anonymous_page.headers["location"]
    assert forged.status_code == 403
