"""The integration status console in a real headless Chromium, inside Airflow's UI, against a live
api-server and scheduler: filter, select, act, and see the run land; read-only for a viewer; a pending
document refused with its reason."""

import pytest

from tests.browser.airflow_users import USERS, SignedInApi
from tests.browser.conftest import RESYNC_DAG_ID
from tests.browser.pages import ConsolePage, SignInPage
from tests.fixtures.airflow import STARTS_AIRFLOW_PROCESSES

pytestmark = [pytest.mark.slow, STARTS_AIRFLOW_PROCESSES]


def _signed_in(browser, console, username) -> ConsolePage:
    SignInPage(browser, console.airflow.url).sign_in(username, USERS[username][1])
    return ConsolePage(browser, console.airflow.url).open_in_airflow_ui()


def test_a_user_without_trigger_permission_sees_the_page_without_any_action(browser, console):
    page = _signed_in(browser, console, "auditor")

    assert page.charts() == 3 and "Needs attention" in page.text()
    assert page.action_buttons() == [] and page.checkboxes() == 0
    assert "Read-only: your Airflow role may not trigger DAGs" in page.text()
    page.go_to_objects().filter(status="error")
    assert set(console.in_error) <= set(page.keys_listed()) and page.action_buttons() == []


def test_a_pending_document_is_refused_with_its_reason(browser, console):
    page = _signed_in(browser, console, "operator").go_to_objects().filter(status="pending")

    answer = page.select(console.pending).act("Synchronize")

    assert f"ar_invoice {console.pending} refused: Pending: already synchronizing (claimed by " \
           "scheduled__elsewhere" in answer
    assert "0 accepted; 0 run(s)" in answer
    assert SignedInApi(console.airflow, "operator").runs(RESYNC_DAG_ID) == []


def test_filter_errors_select_two_force_synchronize_and_see_them_succeed(browser, console, screenshots):
    page = _signed_in(browser, console, "operator").go_to_objects().filter(status="error", object_type="ar_invoice")
    first, second = page.keys_listed()[:2]  # the newest changes, on top
    assert {first, second} <= set(console.in_error)

    page.select(first, second)
    page.screenshot(screenshots / "status-page-selection.png")
    answer = page.act("Force synchronize")
    assert "Force synchronize: 2 accepted; 1 run(s) of intacct_resync started by operator." in answer

    assert page.wait_for_run_to_end() == {first: "success", second: "success"}
    assert page.run_state() == "success"
    page.wait.until(lambda d: first not in page.keys_listed())  # the rows refreshed: no longer in error
    (run,) = SignedInApi(console.airflow, "operator").runs(RESYNC_DAG_ID)
    assert run["triggering_user_name"] == "operator" and run["conf"]["keys"] == [first, second]
    with console.ledger() as ledger:
        assert {ledger.get("ar_invoice", k).status for k in (first, second)} == {"success"}
        assert any(e.kind == "resync_requested" and "operator" in e.reason for e in ledger.events("ar_invoice", first))
    posted = {r["RECORDID"] for r in console.night.sandbox.admin.posted("ARINVOICE")}
    assert {first, second} <= posted

    page.open_in_airflow_ui()
    assert page.charts() == 3
    page.screenshot(screenshots / "status-page-overview.png")
    page.go_to_objects().filter(status="success").open_object(first)
    assert "Status: success" in page.text() and "resync_requested" in page.text()
    assert "No action of the console applies to it now." in page.text() and page.action_buttons() == []
    page.screenshot(screenshots / "status-page-object.png")
    assert page.open_run_in_airflow().endswith(f"/dags/{RESYNC_DAG_ID}/runs/{run['dag_run_id']}".replace(
        ":", "%3A").replace("+", "%2B"))
