"""The HTTP face of the sandbox: a raw ASGI app with the XML gateway routes, the REST API (``/ia/api/v1``,
``include.intacct_sandbox.rest.router``), operational realism (latency, per-company concurrency limit,
faults) and the JSON admin API."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from include.intacct_sandbox import messages
from include.intacct_sandbox.asgi_io import drop as _drop
from include.intacct_sandbox.asgi_io import loop_time as _loop_time
from include.intacct_sandbox.asgi_io import read_body as _read_body
from include.intacct_sandbox.asgi_io import respond as _respond
from include.intacct_sandbox.asgi_io import wait_until as _wait_until
from include.intacct_sandbox.gateway import LOGIN_PATH
from include.intacct_sandbox.rest.convert import REST_PREFIX
from include.intacct_sandbox.rest.router import RestRouter
from include.intacct_sandbox.sandbox import AdminError, Sandbox
from include.intacct_sandbox.xmlout import element

log = logging.getLogger("intacct_sandbox")
XML = b"text/xml; charset=utf-8"
RETRY_AFTER_SECONDS = "1"


def _gateway_error_xml(errorno: str, description: str, description2: str) -> str:
    return (f"<response><control><status>failure</status></control><errormessage><error>{element('errorno', errorno)}"
            f"{element('description', description)}{element('description2', description2)}"
            f"{element('correction', '')}</error></errormessage></response>")


class SandboxApp:
    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.rest = RestRouter(sandbox)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.sandbox.store.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        body = await _read_body(receive)
        if path == LOGIN_PATH or path == self.sandbox.options.session_endpoint_path:
            if method != "POST":
                await _respond(send, 405, b"text/plain", b"POST an XML request")
                return
            await self._gateway(scope, receive, send, body, path)
        elif path.startswith(REST_PREFIX + "/"):
            await self.rest.handle(scope, receive, send, body, _base_url(scope))
        elif path.startswith("/admin/"):
            await self._admin(scope, send, body, path[len("/admin/"):], method)
        else:
            await _respond(send, 404, b"text/plain", b"not found")

    # --- gateway -----------------------------------------------------------------------------------
    async def _gateway(self, scope, receive, send, body: bytes, path: str) -> None:
        sandbox = self.sandbox
        prepared = sandbox.gateway.prepare(body)
        company = prepared.company
        limit_key = company or "*"
        if sandbox.in_flight[limit_key] >= sandbox.options.concurrency_limit:
            sandbox.refused_over_limit[limit_key] += 1
            sandbox.count_request(company)
            sandbox.store.commit()
            text = messages.concurrency_limit_text(limit_key, sandbox.options.concurrency_limit)
            await _respond(send, 429, XML, _gateway_error_xml("GW-0010", messages.RATE_LIMIT_DESCRIPTION, text),
                           [(b"retry-after", RETRY_AFTER_SECONDS.encode())])
            return
        sandbox.in_flight[limit_key] += 1
        sandbox.most_in_flight[limit_key] = max(sandbox.most_in_flight[limit_key], sandbox.in_flight[limit_key])
        try:
            # A tenant's latency is its time to answer, its own work included: the request runs
            # as it arrives and the answer waits for what is left of the latency.
            answer_at = _loop_time() + (sandbox.options.latency_ms
                                       + sandbox.options.function_latency_ms * prepared.function_count) / 1000.0
            fault = sandbox.faults.pick(prepared.function_names)
            if fault == "session_expiry":
                sandbox.expire_sessions(company or None)
            # The request is counted in the same SQLite transaction as its effects.
            sandbox.count_request(company)
            if fault in ("rate_limit", "bad_gateway", "unavailable", "html_page", "drop_connection"):
                sandbox.store.commit()
                await _wait_until(answer_at)
                await _fault_response(fault, receive, send)
                return
            xml = sandbox.gateway.run(prepared, path, _base_url(scope))
            sandbox.store.commit()  # the request counter, when the request failed before its operations
            await _wait_until(answer_at)
            if fault == "timeout_after_commit":
                await _respond(send, 524, b"text/html; charset=utf-8",
                               b"<html><body><h1>Error 524</h1><p>A timeout occurred</p></body></html>")
                return
            await _respond(send, 200, XML, '<?xml version="1.0" encoding="UTF-8"?>\n' + xml)
        finally:
            sandbox.in_flight[limit_key] -= 1

    # --- admin -------------------------------------------------------------------------------------
    async def _admin(self, scope, send, body: bytes, route: str, method: str) -> None:
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        try:
            payload = json.loads(body) if body.strip() else {}
            if not isinstance(payload, dict):
                raise AdminError("body: expected a JSON object")
            result = self._admin_call(route, method, {**query, **payload})
        except AdminError as exc:
            await _respond(send, 400, b"application/json", json.dumps({"error": str(exc)}))
            return
        except json.JSONDecodeError as exc:
            await _respond(send, 400, b"application/json", json.dumps({"error": f"body: invalid JSON ({exc})"}))
            return
        except KeyError as exc:
            await _respond(send, 400, b"application/json", json.dumps({"error": f"{exc.args[0]}: required"}))
            return
        if result is _NOT_FOUND:
            await _respond(send, 404, b"application/json", json.dumps({"error": f"no admin route {method} {route}"}))
            return
        await _respond(send, 200, b"application/json", json.dumps(result))

    def _admin_call(self, route: str, method: str, p: dict[str, Any]) -> Any:
        s = self.sandbox
        company = p.get("company", "DEMO")
        get, post = method == "GET", method == "POST"
        if route == "health" and get:
            return {"status": "ok"}
        if route == "reset" and post:
            s.reset()
            return {"status": "reset"}
        if route == "closed-books" and get:
            return s.closed_books(company)
        if route == "close-books" and post:
            return s.close_books(company, p["through"], p.get("module", "all"))
        if route == "reopen" and post:
            return s.reopen(company, p.get("module", "all"), p.get("to"))
        if route == "records/status" and post:
            return s.set_status(company, p["object"], p["id"], p["status"])
        if route == "records/update" and post:
            return s.update_record(company, p["object"], p["id"], p["fields"])
        if route == "records/create" and post:
            return s.create_record(company, p["object"], p["fields"])
        if route == "udd" and post:
            return s.set_udd(company, p["name"], p.get("permitted"), p.get("status"))
        if route == "faults" and post:
            return s.set_faults(p.get("next"), p.get("probabilities"), p.get("seed"), p.get("target"),
                                p.get("reset_counts", False))
        if route == "faults" and get:
            return s.faults.describe()
        if route == "settings" and post:
            return s.update_settings(**{k: v for k, v in p.items() if k != "company"})
        if route == "settings" and get:
            return s.options.runtime_settings()
        if route == "sessions/expire" and post:
            return {"expired": s.expire_sessions(p.get("company"))}
        if route == "clock/advance" and post:
            return {"now": s.advance_clock(p["seconds"])}
        if route == "posted" and get:
            return s.posted(company, p.get("object"))
        if route == "counters" and get:
            return s.counters(p.get("company"))
        return _NOT_FOUND


_NOT_FOUND = object()


def _base_url(scope) -> str:
    host = dict(scope.get("headers") or []).get(b"host")
    if host:
        return f"{scope.get('scheme', 'http')}://{host.decode()}"
    server_host, server_port = scope.get("server") or ("127.0.0.1", 80)
    return f"http://{server_host}:{server_port}"


async def _fault_response(fault: str, receive, send) -> None:
    if fault == "rate_limit":
        await _respond(send, 429, XML, _gateway_error_xml("GW-0010", messages.RATE_LIMIT_DESCRIPTION,
                                                          messages.RATE_LIMIT_TEXT),
                       [(b"retry-after", RETRY_AFTER_SECONDS.encode())])
    elif fault == "bad_gateway":
        await _respond(send, 502, b"text/html; charset=utf-8", messages.HTML_ERROR_PAGE)
    elif fault == "unavailable":
        await _respond(send, 503, b"text/html; charset=utf-8",
                       "<html><body><h1>503 Service Unavailable</h1><p>The Service is Temporarily Off-line"
                       "</p></body></html>")
    elif fault == "html_page":
        await _respond(send, 200, b"text/html; charset=utf-8", messages.HTML_ERROR_PAGE)
    else:  # drop_connection: close the socket without a response
        _drop(receive)
