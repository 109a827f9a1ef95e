"""The sandbox's second front door: the REST API under ``/ia/api/v1``, on the same store and rules as the
XML gateway, with the same operational realism (per-company concurrency limit, latency, faults).

Throttling answers 429 with the gateway's ``GW-0010`` and Intacct's throttle headers
(``X-IA-Throttle-Limit``, ``-Remaining``, ``-RetryAfter``; reference §7.2) plus a standard
``Retry-After``. Faults keep their XML meaning: ``unavailable`` is a 503 ``GW-0001``,
``timeout_after_commit`` a 524 after the request committed, ``drop_connection`` a closed socket,
``session_expiry`` the company's tokens (and XML sessions) revoked before the request runs.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs, unquote

from include.intacct_sandbox import messages
from include.intacct_sandbox.asgi_io import drop, loop_time, respond, wait_until
from include.intacct_sandbox.context import Failure, FunctionContext
from include.intacct_sandbox.rest import envelope, idempotency, objects_api, services
from include.intacct_sandbox.rest.auth import AuthError, company_of_username
from include.intacct_sandbox.rest.convert import REST_PREFIX, BodyError
from include.intacct_sandbox.rest.query_service import resolve_object, run_query

log = logging.getLogger("intacct_sandbox")
JSON = b"application/json"
RETRY_AFTER_SECONDS = "1"
ENTITY_HEADERS = ("x-ia-api-param-entity", "x-ia-api-paramentity")  # both spellings (reference §2.5)
TRANSACTION_HEADERS = ("x-ia-api-param-transaction", "x-ia-api-paramtransaction")
_FAULT_NAMES = {"POST": ("create",), "PATCH": ("update",), "DELETE": ("delete",), "GET": ("read",)}


class Route:
    """What a REST request addresses, read from its path before it runs (for limits and fault targets)."""

    def __init__(self, method: str, path: str, query: dict[str, str]):
        self.method, self.path, self.query = method, path, query
        parts = [unquote(p) for p in path.strip("/").split("/")]
        self.kind, self.object_path, self.keys = "unknown", "", []
        if path == "/oauth2/token":
            self.kind, self.names = "token", ("getAPISession",)
        elif path == "/services/core/query":
            self.kind, self.names = "query", ("query",)
        elif path == "/services/company-config/dimensions/list":
            self.kind, self.names = "dimensions", ("getDimensions",)
        elif path == "/services/core/session/id":
            self.kind, self.names = "session", ("getAPISession",)
        elif path == "/services/core/model":
            self.kind, self.names = "model", ("lookup",)
        elif len(parts) in (3, 4) and parts[0] == "objects":
            self.kind, self.object_path = "objects", f"{parts[1]}/{parts[2]}"
            self.keys = [k for k in parts[3].split(",") if k] if len(parts) == 4 else []
            self.names = _FAULT_NAMES.get(method, ("read",))
        else:
            self.names = ("read",)


class RestRouter:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    @property
    def oauth(self):
        return self.sandbox.oauth  # replaced on reset

    async def handle(self, scope, receive, send, body: bytes, base_url: str) -> None:
        sandbox = self.sandbox
        method = scope["method"]
        path = scope["path"][len(REST_PREFIX):] or "/"
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        route = Route(method, path, query)
        identity, refusal = None, None
        if route.kind == "token":
            company = company_of_username(body)
        else:
            try:
                identity = self.oauth.identify(headers.get("authorization", ""))
                company = identity.company
            except AuthError as exc:
                refusal, company = exc, ""
        limit_key = company if company in sandbox.companies else "*"
        if sandbox.in_flight[limit_key] >= sandbox.options.concurrency_limit:
            sandbox.refused_over_limit[limit_key] += 1
            sandbox.count_request(company)
            sandbox.store.commit()
            status, answer = envelope.gateway_error(429, "GW-0010", messages.concurrency_limit_text(
                limit_key, sandbox.options.concurrency_limit))
            await self._json(send, status, answer, self._throttle_headers())
            return
        sandbox.in_flight[limit_key] += 1
        sandbox.most_in_flight[limit_key] = max(sandbox.most_in_flight[limit_key], sandbox.in_flight[limit_key])
        try:
            records = _record_count(body) if method in ("POST", "PATCH") and route.kind == "objects" else 1
            answer_at = loop_time() + (sandbox.options.latency_ms
                                       + sandbox.options.function_latency_ms * records) / 1000.0
            fault = sandbox.faults.pick(route.names)
            if fault == "session_expiry":
                sandbox.expire_sessions(company or None)
                if identity is not None:  # the request's own token is one of those revoked
                    try:
                        self.oauth.identify(headers.get("authorization", ""))
                    except AuthError as exc:
                        refusal = exc
            sandbox.count_request(company)
            if fault in ("rate_limit", "bad_gateway", "unavailable", "html_page", "drop_connection"):
                sandbox.store.commit()
                await wait_until(answer_at)
                await self._fault(fault, receive, send)
                return
            if refusal is not None:
                status, answer, extra = refusal.status, refusal.body, []
            else:
                status, answer, extra = self._run(route, headers, body, identity, base_url)
            sandbox.store.commit()
            await wait_until(answer_at)
            if fault == "timeout_after_commit":
                await respond(send, 524, b"text/html; charset=utf-8",
                              b"<html><body><h1>Error 524</h1><p>A timeout occurred</p></body></html>")
                return
            await self._json(send, status, answer, extra)
        finally:
            sandbox.in_flight[limit_key] -= 1

    # --- running one request ----------------------------------------------------------------------
    def _run(self, route: Route, headers: dict[str, str], body: bytes, identity, base_url: str):
        store = self.sandbox.store
        try:
            if route.kind == "token":
                status, answer = self.oauth.token(body, headers.get("content-type", ""))
                return status, answer, []
            ctx = self._context(identity, headers, base_url)
            key = headers.get("idempotency-key", "")
            if key and route.method in ("POST", "PATCH") and route.kind == "objects":
                return self._idempotent(ctx, route, headers, body, identity, key)
            status, answer, transactions = self._dispatch(ctx, route, headers, body, identity)
            self._count_transactions(ctx.company, transactions)
            return status, answer, []
        except AuthError as exc:
            return exc.status, exc.body, []
        except Failure as failure:
            store.rollback_to(0)
            status, answer = envelope.failure(route.method, f"objects/{route.object_path}" if route.object_path
                                              else route.path.strip("/"), failure.errors)
            return status, answer, []
        except BodyError as exc:
            store.rollback_to(0)
            status, answer = envelope.invalid_request(str(exc))
            return status, answer, []
        except Exception:
            store.rollback_to(0)
            log.exception("REST request %s %s failed in the sandbox", route.method, route.path)
            status, answer = envelope.gateway_error(500, "GW-0001", "Unable to process request")
            return status, answer, []

    def _context(self, identity, headers: dict[str, str], base_url: str) -> FunctionContext:
        sandbox = self.sandbox
        entity_id = next((headers[h] for h in ENTITY_HEADERS if headers.get(h)), "") or identity.entity_id
        entity = None
        if entity_id:
            entity = sandbox.store.find_by_key(identity.company, "LOCATIONENTITY", entity_id)
            if entity is None:
                raise BodyError(f"X-IA-API-Param-Entity: '{entity_id}' is not an entity of company "
                                f"{identity.company}")
        return FunctionContext(sandbox.store, identity.company, entity, sandbox.now().replace(tzinfo=None), base_url,
                               sandbox, identity.user_id, session_key=f"rest:{identity.token_id}")

    def _idempotent(self, ctx, route: Route, headers, body: bytes, identity, key: str):
        refused = idempotency.check_key(key)
        if refused is not None:
            return *refused, []
        echo = [(b"idempotency-key", key.encode("latin-1", "replace"))]
        now = self.sandbox.now()
        fingerprint = idempotency.fingerprint(route.method, route.path, body)
        found = idempotency.look_up(ctx.store, ctx.company, identity.user_id, key, fingerprint, now)
        if isinstance(found, idempotency.Cached):
            return found.status, found.body, [*echo, (b"x-ia-idempotency-cached-date", found.cached_at.encode())]
        if found is not None:
            return *found, echo
        status, answer, transactions = self._dispatch(ctx, route, headers, body, identity)
        self._count_transactions(ctx.company, transactions)
        idempotency.remember(ctx.store, ctx.company, identity.user_id, key, fingerprint, status, answer, now)
        return status, answer, echo

    def _dispatch(self, ctx, route: Route, headers, body: bytes, identity) -> tuple[int, Any, int]:
        """(status, answer, API transactions used)."""
        if route.kind == "query" and route.method == "POST":
            rows, meta = run_query(ctx, _json_body(body))
            return 200, {"ia::result": rows, "ia::meta": meta}, 1
        if route.kind == "dimensions" and route.method == "GET":
            return *services.dimensions_list(ctx), 1
        if route.kind == "session" and route.method == "GET":
            return *services.session_id(ctx, identity), 0
        if route.kind == "model" and route.method == "GET":
            return *services.model(route.query.get("name", "")), 1
        if route.kind != "objects":
            return *envelope.not_found(f"{route.method} {REST_PREFIX}{route.path} is not a resource the sandbox "
                                       "serves"), 0
        obj = resolve_object(route.object_path)
        method, keys = route.method, route.keys
        if method == "GET" and not keys:
            start, size = int(route.query.get("start") or 1), int(route.query.get("size") or objects_api.LIST_PAGE)
            return *objects_api.list_records(ctx, obj, max(1, start), max(1, min(size, 4000))), 1
        if method == "GET":
            return *objects_api.get_records(ctx, obj, keys), 1
        atomic = any(headers.get(h, "").lower() == "true" for h in TRANSACTION_HEADERS)
        if method == "POST" and not keys:
            written = objects_api.write(ctx, obj, "POST", _json_body(body), None, atomic)
        elif method == "PATCH" and len(keys) <= 1:
            payload = _json_body(body)
            if keys and isinstance(payload, list):
                raise BodyError("a batch PATCH goes to the object's path, each record with its key")
            written = objects_api.write(ctx, obj, "PATCH", payload, keys[0] if keys else None, atomic)
        elif method == "DELETE" and keys:
            written = objects_api.delete(ctx, obj, keys)
        else:
            return 405, envelope.error_body("methodNotAllowed", f"{method} is not allowed on "
                                            f"/objects/{route.object_path}" + ("/…" if keys else "")), 0
        return written.status, written.body, written.transactions

    def _count_transactions(self, company: str, transactions: int) -> None:
        if not transactions:
            return
        store = self.sandbox.store
        counters = dict(store.setting(company, "counters", {"api_transactions": 0, "requests": 0}))
        counters["api_transactions"] = counters.get("api_transactions", 0) + transactions
        store.set_setting(company, "counters", counters)

    # --- answers ----------------------------------------------------------------------------------
    def _throttle_headers(self) -> list[tuple[bytes, bytes]]:
        limit = str(self.sandbox.options.concurrency_limit).encode()
        return [(b"retry-after", RETRY_AFTER_SECONDS.encode()), (b"x-ia-throttle-limit", limit),
                (b"x-ia-throttle-limit-remaining", b"0"),
                (b"x-ia-throttle-limit-retryafter", RETRY_AFTER_SECONDS.encode())]

    async def _json(self, send, status: int, answer: Any, extra=()) -> None:
        if status == 204 or answer is None:
            await respond(send, status, JSON, b"", extra)
            return
        await respond(send, status, JSON, json.dumps(answer, separators=(",", ":")), extra)

    async def _fault(self, fault: str, receive, send) -> None:
        if fault == "rate_limit":
            status, answer = envelope.gateway_error(429, "GW-0010", messages.RATE_LIMIT_TEXT)
            await self._json(send, status, answer, self._throttle_headers())
        elif fault == "bad_gateway":
            await respond(send, 502, b"text/html; charset=utf-8", messages.HTML_ERROR_PAGE)
        elif fault == "unavailable":
            status, answer = envelope.gateway_error(503, "GW-0001", "Unable to process request")
            await self._json(send, status, answer, [(b"retry-after", RETRY_AFTER_SECONDS.encode())])
        elif fault == "html_page":
            await respond(send, 200, b"text/html; charset=utf-8", messages.HTML_ERROR_PAGE)
        else:  # drop_connection
            drop(receive)


def _json_body(body: bytes) -> Any:
    if not body.strip():
        raise BodyError("A POST request requires a payload")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BodyError(f"the body is not JSON ({exc})") from None


def _record_count(body: bytes) -> int:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return 1
    return len(data) if isinstance(data, list) else 1
