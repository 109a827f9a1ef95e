"""The console's routes over HTTP in process, behind Airflow's simple auth manager: who may act, what an
action triggers (through a stand-in for Airflow's REST API) and records, and what it refuses and why."""

import pytest

from include.ledger import Ledger

RUN_ID = "manual__2026-11-20T10:00:00+00:00"


class RecordingAirflowApi:
    """Airflow's REST API as the page calls it: remembers the triggers, answers like Airflow."""

    def __init__(self):
        self.triggered: list[dict] = []
        self.paused = False

    async def dag(self, dag_id):
        return {"dag_id": dag_id, "is_paused": self.paused}

    async def trigger_dag_run(self, dag_id, conf, note=None):
        run = {"dag_run_id": f"{RUN_ID}-{len(self.triggered)}", "dag_id": dag_id, "state": "queued", "conf": conf,
               "note": note, "triggering_user_name": "operator"}
        self.triggered.append(run)
        return run

    async def dag_run(self, dag_id, run_id):
        return next(({**r, "state": "success"} for r in self.triggered if r["dag_run_id"] == run_id), None)

    async def dag_runs(self, dag_id, limit=10):
        return list(reversed(self.triggered))[:limit]


@pytest.fixture(scope="module")
def console(airflow_db, tmp_path_factory):
    """The status app with a recording Airflow API; tokens for a viewer and a user who may trigger DAGs."""
    from fastapi.testclient import TestClient

    data_dir = tmp_path_factory.mktemp("status-console")
    env = {"INTEGRATION_DATA_DIR": str(data_dir), "INTEGRATION_DB_URL": f"sqlite:///{data_dir / 'integration.db'}",
           "AIRFLOW__API_AUTH__JWT_SECRET": "status-console-test-secret-" * 3,
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
           "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "finance:viewer,operator:user"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        from airflow.api_fastapi.app import get_auth_manager, init_auth_manager
        from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

        from include.status.web import create_app

        init_auth_manager()
        tokens = {name: get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=name, role=role))
                  for name, role in (("finance", "viewer"), ("operator", "user"))}
        api = RecordingAirflowApi()
        with TestClient(create_app(api_factory=lambda request: api)) as http:
            http.headers["Content-Type"] = "application/json"
            yield http, tokens, api, env["INTEGRATION_DB_URL"]


@pytest.fixture
def client(console, integration_data_dir, monkeypatch):
    """A fresh ledger per test: two invoices held in error, one pending, one not integrated, a dimension."""
    http, tokens, api, _ = console
    api.triggered.clear()
    api.paused = False
    url = f"sqlite:///{integration_data_dir / 'integration.db'}"
    monkeypatch.setenv("INTEGRATION_DB_URL", url)  # the app reads its settings per request
    with Ledger(url) as ledger:
        for key in ("INV-1", "INV-2", "INV-BUSY", "INV-NEW"):
            ledger.observe("ar_invoice", key, "v1", amount="10.00")
        ledger.claim("ar_invoice", ["INV-1", "INV-2", "INV-BUSY"], run_id="night-1", worker="night", strict=True)
        for key in ("INV-1", "INV-2"):
            ledger.record_error("ar_invoice", key, run_id="night-1", error_class="closed_period",
                                message="Periods are closed.", hold="closed_period", held_for_period="2026-09")
        ledger.observe("dimension", "CHANNEL", "v1", category="master")
    return http, tokens, api, url


def _as(tokens, name):
    return {"Authorization": f"Bearer {tokens[name]}"}


def _act(http, tokens, name="operator", **body):
    return http.post("/api/actions", json=body, headers=_as(tokens, name))


def test_a_user_who_may_not_trigger_dags_sees_no_selection_and_cannot_act(client):
    http, tokens, api, _ = client

    page = http.get("/objects", headers=_as(tokens, "finance"))
    overview = http.get("/", headers=_as(tokens, "finance"))
    refused = _act(http, tokens, "finance", action="force_synchronize",
                   objects=[{"object_type": "ar_invoice", "key": "INV-1"}])

    for html in (page.text, overview.text):
        assert "type='checkbox' class='pick" not in html and "data-action=" not in html and "Read-only" in html
    assert refused.status_code == 403 and "may not trigger the intacct_resync DAG" in refused.json()["detail"]
    assert api.triggered == []


def test_a_user_who_may_trigger_dags_gets_checkboxes_and_the_three_actions(client):
    http, tokens, _, _ = client

    html = http.get("/objects", params={"status": "error"}, headers=_as(tokens, "operator")).text

    assert html.count("<input type='checkbox' class='pick'") == 2 and "class='pick-page'" in html
    for label in ("Synchronize", "Force synchronize", "Mark as synced"):
        assert f">{label}</button>" in html
    assert "<script src='./static/console.js' defer></script>" in html


def test_force_synchronize_triggers_one_run_with_the_keys_and_records_who_asked(client):
    http, tokens, api, url = client

    answer = _act(http, tokens, action="force_synchronize",
                  objects=[{"object_type": "ar_invoice", "key": "INV-1"}, {"object_type": "ar_invoice", "key": "INV-2"}])

    data = answer.json()
    assert answer.status_code == 200 and data["refused"] == [] and len(data["runs"]) == 1
    (run,) = api.triggered
    assert run["conf"]["keys"] == ["INV-1", "INV-2"] and run["conf"]["action"] == "force_synchronize"
    assert run["conf"]["object_type"] == "ar_invoice" and "by operator" in run["note"]
    assert data["runs"][0]["ui_path"] == "dags/intacct_resync/runs/" + run["dag_run_id"].replace(":", "%3A").replace(
        "+", "%2B")
    with Ledger(url) as ledger:
        asked = ledger.events("ar_invoice", "INV-1")[-1]
    assert asked.kind == "resync_requested" and asked.run_id == run["dag_run_id"]
    assert "requested by operator" in asked.reason and asked.details["actor"] == "operator"


def test_pending_and_inapplicable_objects_are_refused_one_by_one_with_the_reason(client):
    http, tokens, api, _ = client

    data = _act(http, tokens, action="synchronize",
                objects=[{"object_type": "ar_invoice", "key": k} for k in ("INV-BUSY", "INV-1", "INV-NEW", "NOPE")]
                + [{"object_type": "dimension", "key": "CHANNEL"}]).json()

    reasons = {r["key"]: r["reason"] for r in data["refused"]}
    assert reasons["INV-BUSY"].startswith("Pending: already synchronizing (claimed by night-1")
    assert reasons["INV-1"] == "error: objects in error need Force synchronize"
    assert reasons["NOPE"] == "the integration ledger does not know it"
    assert "intacct_master_data" in reasons["CHANNEL"]
    assert data["accepted"] == [{"object_type": "ar_invoice", "key": "INV-NEW"}]
    assert [r["conf"]["keys"] for r in api.triggered] == [["INV-NEW"]]


def test_mark_as_synced_needs_a_reason_and_records_the_user_as_actor(client):
    http, tokens, api, url = client
    chosen = [{"object_type": "ar_invoice", "key": "INV-1"}]

    blank = _act(http, tokens, action="mark_synced", objects=chosen, reason="  ")
    done = _act(http, tokens, action="mark_synced", objects=chosen, reason="adjusted by hand in 2026-10")

    assert blank.status_code == 400 and "needs a reason" in blank.json()["detail"]
    assert done.json()["marked"] == 1 and api.triggered == []
    with Ledger(url) as ledger:
        row = ledger.get("ar_invoice", "INV-1")
        event = ledger.events("ar_invoice", "INV-1")[-1]
    assert row.status == "success" and row.last_message == "Marked as synced by operator: adjusted by hand in 2026-10"
    assert (event.kind, event.actor) == ("marked_synced", "operator")


def test_select_all_matching_the_filter_acts_on_every_object_of_needs_attention(client):
    http, tokens, api, _ = client

    data = _act(http, tokens, action="force_synchronize",
                scope={"view": "attention", "filters": {"error_class": "closed_period"}}).json()

    assert sorted(o["key"] for o in data["accepted"]) == ["INV-1", "INV-2"]
    assert sorted(api.triggered[0]["conf"]["keys"]) == ["INV-1", "INV-2"]


def test_the_page_follows_a_run_and_reads_each_objects_status_now(client):
    http, tokens, api, url = client
    run_id = _act(http, tokens, action="force_synchronize",
                  objects=[{"object_type": "ar_invoice", "key": "INV-1"}]).json()["runs"][0]["dag_run_id"]

    followed = http.get(f"/api/resync-runs/{run_id}", headers=_as(tokens, "finance")).json()
    unknown = http.get("/api/resync-runs/manual__nope", headers=_as(tokens, "finance"))

    assert followed["finished"] is True and followed["state"] == "success"
    assert followed["objects"] == [{"object_type": "ar_invoice", "key": "INV-1", "status": "error",
                                    "state": "held: closed_period (2026-09)", "last_message": "Periods are closed."}]
    assert unknown.status_code == 404
    overview = http.get("/", headers=_as(tokens, "finance")).text
    assert run_id.replace("+", "%2B").replace(":", "%3A") in overview and "<td>operator</td>" in overview


def test_a_paused_dag_is_said_and_a_cross_site_or_form_post_is_refused(client):
    http, tokens, api, _ = client
    api.paused = True
    chosen = [{"object_type": "ar_invoice", "key": "INV-NEW"}]

    paused = _act(http, tokens, action="synchronize", objects=chosen).json()
    cross_site = http.post("/api/actions", json={"action": "synchronize", "objects": chosen},
                           headers={**_as(tokens, "operator"), "Sec-Fetch-Site": "cross-site"})
    other_origin = http.post("/api/actions", json={"action": "synchronize", "objects": chosen},
                             headers={**_as(tokens, "operator"), "Origin": "https://elsewhere.example"})
    form = http.post("/api/actions", content="action=synchronize",
                     headers={**_as(tokens, "operator"), "Content-Type": "application/x-www-form-urlencoded"})

    assert "is paused" in paused["notices"][0] and len(api.triggered) == 1
    assert cross_site.status_code == 403 and other_origin.status_code == 403 and form.status_code == 415
    assert len(api.triggered) == 1


def test_the_script_is_served_and_unknown_actions_are_400(client):
    http, tokens, _, _ = client

    script = http.get("/static/console.js")
    unknown = _act(http, tokens, action="delete", objects=[{"object_type": "ar_invoice", "key": "INV-1"}])
    nothing = _act(http, tokens, action="synchronize", objects=[])

    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "api/actions" in script.text
    assert unknown.status_code == 400 and "is not one of: synchronize" in unknown.json()["detail"]
    assert nothing.status_code == 400 and nothing.json()["detail"] == "no object selected"
