"""The sandbox's REST API as any HTTP client sees it: OAuth, the query service, object endpoints with
batches and owned lines, the idempotency cache, entities, and one store behind both APIs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import requests

from include import demo_company as demo
from tests.integration.sandbox.raw_gateway import envelope, fn, post

TODAY = datetime.now(UTC).date()  # the sandbox's closed period is relative to today: so is every date here
CLOSED_THROUGH = demo.default_closed_books_date(TODAY)
VENDOR = demo.vendor(1)["vendor_id"]
QUERY = "/services/core/query"


def bill(number: str, when=TODAY, vendor: str = VENDOR, amount: str = "40.00") -> dict:
    return {"billNumber": number, "vendor": {"id": vendor}, "createdDate": when.isoformat(),
            "dueDate": when.isoformat(), "lines": [{"glAccount": {"id": "6220"}, "txnAmount": amount}]}


# ------------------------------------------------------------------------------------------ OAuth


def test_the_token_endpoint_takes_a_form_or_json_and_answers_a_bearer_jwt(raw):
    form = raw.mint()
    as_json = requests.post(f"{raw.base}/oauth2/token", json={
        "grant_type": "client_credentials", "client_id": "demo_client", "client_secret": "sandbox-client-secret",
        "username": f"{demo.SANDBOX_USER_ID}@{demo.COMPANY_ID}"}, timeout=10)
    for reply in (form, as_json):
        body = reply.json()
        assert reply.status_code == 200 and body["token_type"] == "Bearer" and body["expires_in"] > 0
        assert body["access_token"].count(".") == 2 and body["refresh_token"]
    refreshed = requests.post(f"{raw.base}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": "demo_client", "client_secret": "sandbox-client-secret",
        "refresh_token": form.json()["refresh_token"]}, timeout=10)
    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] != form.json()["refresh_token"]
    reused = requests.post(f"{raw.base}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": "demo_client", "client_secret": "sandbox-client-secret",
        "refresh_token": form.json()["refresh_token"]}, timeout=10)
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "tokenInvalid"  # refresh tokens rotate


def test_token_requests_are_refused_with_the_gateway_codes(raw):
    def code(reply):
        return reply.status_code, reply.json()["ia::error"]["code"]

    assert code(raw.mint(client_id=None)) == (400, "GW-0037")
    assert code(raw.mint(username="xml_gateway")) == (400, "GW-0012")
    assert code(raw.mint(username="")) == (400, "GW-0036")
    assert code(raw.mint(grant_type="password")) == (400, "GW-0032")
    assert code(raw.mint(client_secret="wrong")) == (401, "GW-0011")
    assert code(raw.mint(client_id="other_client")) == (401, "GW-0011")  # its sender is not authorized for DEMO
    assert code(raw.mint(username=f"{demo.SANDBOX_USER_ID}@{demo.COMPANY_ID}|E999")) == (401, "GW-0011")


def test_a_call_without_a_valid_bearer_token_is_refused_401(raw):
    raw.token = "not.a.token"
    assert raw.call("GET", "/objects/company-config/class").status_code == 401
    reply = requests.get(f"{raw.base}/objects/company-config/class", timeout=10)
    assert reply.status_code == 401 and reply.json()["ia::error"]["code"] == "GW-0034"


# ------------------------------------------------------------------------------------------ query service


def test_the_query_service_filters_orders_and_pages(raw):
    body = {"object": "accounts-payable/vendor", "fields": ["id", "name", "status", "term.id", "href"],
            "filters": [{"$eq": {"status": "active"}}, {"$startsWith": {"id": "V-20"}}, {"$in": {"id": ["V-2001"]}}],
            "filterExpression": "1 and (2 or 3)", "orderBy": [{"id": "desc"}], "start": 1, "size": 5}
    first = raw.call("POST", QUERY, body).json()
    assert [set(row) for row in first["ia::result"]] == [{"id", "name", "status", "term.id", "href"}] * 5
    ids = [row["id"] for row in first["ia::result"]]
    assert ids == sorted(ids, reverse=True)
    meta = first["ia::meta"]
    assert (meta["start"], meta["pageSize"], meta["next"], meta["previous"]) == (1, 5, 6, None)
    second = raw.call("POST", QUERY, {**body, "start": meta["next"]}).json()
    assert second["ia::meta"]["previous"] == 1 and not set(ids) & {r["id"] for r in second["ia::result"]}
    assert first["ia::result"][0]["href"].startswith("/objects/accounts-payable/vendor/")


def test_the_query_service_refuses_what_intacct_refuses(raw):
    def refused(body):
        reply = raw.call("POST", QUERY, body)
        return reply.status_code, reply.json()["ia::result"]["ia::error"]

    base = {"object": "company-config/class", "fields": ["id"]}
    assert refused({**base, "caseSensitiveComparison": False})[0] == 400  # only inside filterParameters
    assert refused({**base, "fields": ["*"]})[0] == 400
    assert refused({**base, "size": 4001})[0] == 400
    assert refused({**base, "object": "company-config/nothing"})[0] == 400
    status, error = refused({"object": "platform-apps/nsp::channel", "fields": ["id"]})  # INT402: not permitted
    assert status == 403
    assert "You do not have permission for API operation QUERY on objects of type" in error["details"][0]["message"]


def test_case_insensitive_comparison_is_a_filter_parameter(raw):
    body = {"object": "company-config/department", "fields": ["id"], "filters": [{"$eq": {"name": "sales"}}]}
    assert raw.call("POST", QUERY, body).json()["ia::result"] == []
    body["filterParameters"] = {"caseSensitiveComparison": False}
    assert raw.call("POST", QUERY, body).json()["ia::result"]


# ------------------------------------------------------------------------------------------ objects


def test_a_batch_post_answers_one_item_per_record_and_207_when_some_fail(raw, sandbox):
    reply = raw.call("POST", "/objects/accounts-payable/bill", [bill("B-1"), bill("B-2", vendor="V-NONE"),
                                                                bill("B-3")])
    body = reply.json()
    assert reply.status_code == 207
    assert [item["ia::status"] for item in body["ia::result"]] == [201, 422, 201]
    assert body["ia::meta"] == {"totalCount": 3, "totalSuccess": 2, "totalError": 1}
    error = body["ia::result"][1]["ia::error"]
    assert error["errorId"] == "REST-7001" and "Vendor 'V-NONE'" in json.dumps(error["details"])
    assert [r["RECORDID"] for r in sandbox.admin.posted("APBILL")] == ["B-1", "B-3"]


def test_an_atomic_batch_leaves_nothing_when_one_record_fails(raw, sandbox):
    reply = raw.call("POST", "/objects/accounts-payable/bill", [bill("B-1"), bill("B-2", when=CLOSED_THROUGH)],
                     headers={"X-IA-API-Param-Transaction": "true"})
    items = reply.json()["ia::result"]
    assert reply.status_code == 207 and items[0]["ia::error"]["code"] == "unprocessed"
    assert "Periods are closed" in json.dumps(items[1]) and sandbox.admin.posted("APBILL") == []


def test_a_single_post_get_patch_of_owned_lines_and_delete(raw, sandbox):
    created = raw.call("POST", "/objects/accounts-payable/bill", bill("B-9"))
    assert created.status_code == 201
    key = created.json()["ia::result"]["key"]
    got = raw.call("GET", f"/objects/accounts-payable/bill/{key}").json()["ia::result"]
    line_key = got["lines"][0]["key"]
    patched = raw.call("PATCH", f"/objects/accounts-payable/bill/{key}", {"lines": [
        {"key": line_key, "txnAmount": "10.00"}, {"glAccount": {"id": "6100"}, "txnAmount": "5.00"}]})
    assert patched.status_code == 200
    [stored] = sandbox.admin.posted("APBILL")
    assert [(line["ACCOUNTNO"], line["AMOUNT"]) for line in stored["LINES"]] == [("6220", "10.00"), ("6100", "5.00")]
    removed = raw.call("PATCH", f"/objects/accounts-payable/bill/{key}",
                       {"lines": [{"ia::operation": "delete", "key": line_key}]})
    assert removed.status_code == 200 and sandbox.admin.posted("APBILL")[0]["TOTALENTERED"] == "5.00"
    state = raw.call("PATCH", f"/objects/accounts-payable/bill/{key}", {"state": "draft"})
    assert state.status_code == 400
    assert raw.call("DELETE", f"/objects/accounts-payable/bill/{key}").status_code == 204
    assert raw.call("GET", f"/objects/accounts-payable/bill/{key}").status_code == 404


def test_list_answers_references_in_pages_of_100(raw):
    body = raw.call("GET", "/objects/accounts-receivable/customer").json()
    assert len(body["ia::result"]) == 100 and set(body["ia::result"][0]) == {"key", "id", "href"}
    assert (body["ia::meta"]["totalCount"], body["ia::meta"]["next"]) == (demo.SEEDED_CUSTOMER_COUNT, 101)


def test_a_blank_reference_id_is_refused(raw):
    reply = raw.call("POST", "/objects/accounts-payable/bill", {**bill("B-7"), "term": {"id": ""}})
    assert reply.status_code == 400 and "blank reference id" in reply.text


# ------------------------------------------------------------------------------------------ idempotency


def test_a_repeated_idempotency_key_replays_the_first_answer_and_another_body_is_409(raw, sandbox):
    headers = {"Idempotency-Key": "bill-B-5"}
    first = raw.call("POST", "/objects/accounts-payable/bill", bill("B-5"), headers=headers)
    again = raw.call("POST", "/objects/accounts-payable/bill", bill("B-5"), headers=headers)
    assert first.json() == again.json() and again.status_code == first.status_code == 201
    assert again.headers["Idempotency-Key"] == "bill-B-5" and "x-ia-idempotency-cached-date" in again.headers
    assert "x-ia-idempotency-cached-date" not in first.headers
    other = raw.call("POST", "/objects/accounts-payable/bill", bill("B-5", amount="41.00"), headers=headers)
    assert other.status_code == 409
    assert len(sandbox.admin.posted("APBILL")) == 1


def test_the_cache_replays_for_48_hours_then_the_key_cannot_be_reused(raw, sandbox):
    headers = {"Idempotency-Key": "bill-B-6"}
    raw.call("POST", "/objects/accounts-payable/bill", bill("B-6"), headers=headers)
    sandbox.admin.advance_clock(seconds=47 * 3600)
    raw.token = raw.mint().json()["access_token"]  # the clock moved past the first token's lifetime
    assert raw.call("POST", "/objects/accounts-payable/bill", bill("B-6"), headers=headers).status_code == 201
    sandbox.admin.advance_clock(seconds=2 * 3600)
    raw.token = raw.mint().json()["access_token"]
    assert raw.call("POST", "/objects/accounts-payable/bill", bill("B-6"), headers=headers).status_code == 409
    assert len(sandbox.admin.posted("APBILL")) == 1


def test_a_commit_answered_524_is_replayed_on_resend(raw, sandbox):
    sandbox.admin.set_faults(next_faults=["timeout_after_commit"], target="writes")
    headers = {"Idempotency-Key": "bill-B-8"}
    lost = raw.call("POST", "/objects/accounts-payable/bill", [bill("B-8")], headers=headers)
    assert lost.status_code == 524
    resent = raw.call("POST", "/objects/accounts-payable/bill", [bill("B-8")], headers=headers)
    assert resent.status_code == 201 and "x-ia-idempotency-cached-date" in resent.headers
    assert len(sandbox.admin.posted("APBILL")) == 1


# ------------------------------------------------------------------------------------------ one store


def test_a_record_created_over_xml_is_read_over_rest_and_the_reverse(raw, sandbox):
    session_id = raw.call("GET", "/services/core/session/id").json()["ia::result"]["sessionId"]
    xml = fn("<create><CLASS><CLASSID>FROM-XML</CLASSID><NAME>Made over XML</NAME></CLASS></create>")
    reply = post(sandbox.url, envelope(xml, auth=f"<sessionid>{session_id}</sessionid>"))
    assert reply.root.findtext(".//result/status") == "success"  # the REST token's session works on the gateway
    found = raw.call("POST", QUERY, {"object": "company-config/class", "fields": ["id", "name"],
                                     "filters": [{"$eq": {"id": "FROM-XML"}}]}).json()["ia::result"]
    assert found == [{"id": "FROM-XML", "name": "Made over XML"}]
    raw.call("POST", "/objects/company-config/class", {"id": "FROM-REST", "name": "Made over REST"})
    read = fn("<readByName><object>CLASS</object><keys>FROM-REST</keys><fields>NAME</fields></readByName>")
    assert post(sandbox.url, envelope(read, auth=f"<sessionid>{session_id}</sessionid>")).root.findtext(
        ".//CLASS/NAME") == "Made over REST"


def test_the_entity_header_scopes_a_request_to_one_entity(raw):
    raw.token = raw.mint(username=f"{demo.SANDBOX_USER_ID}@{demo.MULTI_ENTITY_COMPANY_ID}").json()["access_token"]
    in_e200 = {"X-IA-API-Param-Entity": "E200"}
    line = {"glAccount": {"id": "6220"}, "txnAmount": "40.00", "dimensions": {"location": {"id": "200"}}}
    created = raw.call("POST", "/objects/accounts-payable/bill", {**bill("B-E"), "lines": [line]}, headers=in_e200)
    assert created.status_code == 201, created.text
    body = {"object": "accounts-payable/bill", "fields": ["billNumber", "entity.id"]}
    assert raw.call("POST", QUERY, body, headers=in_e200).json()["ia::result"] == [
        {"billNumber": "B-E", "entity.id": "E200"}]
    assert raw.call("POST", QUERY, body, headers={"X-IA-API-Param-Entity": "E100"}).json()["ia::result"] == []
    assert len(raw.call("POST", QUERY, body).json()["ia::result"]) == 1  # the top level sees every entity
    locations = raw.call("POST", QUERY, {"object": "company-config/location", "fields": ["id", "entity.id"],
                                         "filters": [{"$eq": {"id": "200"}}]}).json()["ia::result"]
    assert locations == [{"id": "200", "entity.id": "E200"}]
    assert raw.call("POST", QUERY, body, headers={"X-IA-API-Param-Entity": "E999"}).status_code == 400


def test_the_dimension_list_and_the_model_describe_what_is_served(raw):
    listing = raw.call("GET", "/services/company-config/dimensions/list").json()["ia::result"]
    region = next(d for d in listing if d["dimensionName"] == "REGION")
    assert region["dimensionEndpoint"] == "/objects/platform-apps/nsp::region" and region["isUserDefinedDimension"]
    model = raw.call("GET", "/services/core/model", name="general-ledger/journal-entry").json()["ia::result"]
    assert model["fields"]["txnNumber"]["readOnly"] and model["lists"]["lines"]["apiObject"].endswith("-line")
    assert raw.call("GET", "/services/core/model", name="nothing/here").status_code == 404
