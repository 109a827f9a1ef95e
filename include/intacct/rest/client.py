"""The REST transport of the facade (``transport`` ``rest``): OAuth 2.0 tokens, the query service,
object endpoints in batches, the session bridge for what REST lacks.

Every call carries ``Authorization: Bearer <token>`` (minted once for many threads, renewed before it
expires, minted again when the API refuses it: nothing ran, so the call is resent) and, for an
entity client, ``X-IA-API-Param-Entity`` (the spelling the production clients fylein, lorenz and
control-air send; reference §2.5). Transient failures are retried with the same policy as the XML
path, honouring ``Retry-After`` and Intacct's ``X-IA-*-Retry-After`` headers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from include.intacct import functions as fn
from include.intacct.client import IntacctClient
from include.intacct.errors import AuthenticationError, IntacctError, ResponseFormatError, TransportError
from include.intacct.query_filter import Filter
from include.intacct.query_text import parse_query_text
from include.intacct.responses import QueryPage, WriteOutcome
from include.intacct.rest import translate
from include.intacct.rest.errors import RestError, error_code, error_lines
from include.intacct.rest.http import RestHttp, RestReply
from include.intacct.rest.objects import UDD_OBJECT_PREFIX, RestObject, for_xml, udd_object
from include.intacct.rest.token import TokenStore

log = logging.getLogger("include.intacct")

ENTITY_HEADER = "X-IA-API-Param-Entity"
TRANSACTION_HEADER = "X-IA-API-Param-Transaction"
TOKEN_PATH = "/oauth2/token"
QUERY_PATH = "/services/core/query"
DIMENSIONS_PATH = "/services/company-config/dimensions/list"
MODEL_PATH = "/services/core/model"
READ_KEYS_PER_QUERY = 100


class RestClient(IntacctClient, transport="rest"):
    """The facade over Intacct's REST API; XML-shaped in, XML-shaped out (``include.intacct.rest.objects``)."""

    recognises_resent_controlids = False

    def _open(self, connection: IntacctClient | None) -> None:
        config = self.config
        self.tz = config.timezone
        self._bridge = None
        self._udd_paths: dict[str, str] = {}
        if connection is not None:
            self.tokens, self.transport = connection.tokens, connection.transport
            return
        self.tokens = TokenStore(config.token_refresh_margin)
        self.transport = RestHttp(company_id=config.company_id, max_concurrency=config.requests_per_worker,
                                  connect_timeout=config.connect_timeout, read_timeout=config.read_timeout,
                                  max_response_bytes=config.max_response_bytes, metrics=self.metrics)

    def close(self) -> None:
        if self._bridge is not None:
            self._bridge.transport.close()
            self._bridge = None
        with self._entity_lock:
            for client in self._entity_clients.values():
                client.close()
        super().close()

    # ------------------------------------------------------------------ tokens

    @property
    def username(self) -> str:
        """``user@company`` or ``user@company|entity`` (reference §2.3) of the connection's token."""
        config = (self._connection or self).config
        entity = (config.entity_id or "").strip()
        return f"{config.user_id}@{config.company_id}" + (f"|{entity}" if entity else "")

    def _mint(self) -> tuple[str, float, str]:
        config = self.config
        form = {"grant_type": "client_credentials", "client_id": config.client_id,
                "client_secret": config.client_secret, "username": self.username}
        url = config.rest_url.rstrip("/") + TOKEN_PATH
        attempt = 0
        while True:
            try:
                reply = self.transport.request("POST", url, form=form)
                break
            except TransportError as exc:
                attempt += 1
                if not self.retry_policy.may_retry(exc, attempt, is_write=False, unique_id=False):
                    raise
                self.metrics.add("retries")
                self._sleep(self.retry_policy.delay(attempt, exc.retry_after))
        self.metrics.add("logins")
        body = reply.body if isinstance(reply.body, dict) else {}
        token = str(body.get("access_token") or "")
        if reply.status >= 400 or not token:
            raise AuthenticationError(
                f"Intacct refused the OAuth client credentials of client {config.client_id!r} for {self.username!r}",
                http_status=reply.status, errors=error_lines(reply.body))
        try:
            lifetime = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            lifetime = 0.0
        log.info("Minted an Intacct REST token for %s (lifetime %s s)", self.username, int(lifetime) or "not given")
        return token, lifetime, str(body.get("token_type") or "Bearer")

    def _token(self):
        return self.tokens.get(self._mint)

    def sign_in(self) -> str:
        self._token()
        entity = (self.config.entity_id or "").strip()
        return f"entity {entity}" if entity else "the top level"

    # ------------------------------------------------------------------ calls

    def _call(self, method: str, path: str, *, body: Any = None, params: dict | None = None,
              idempotency_key: str | None = None, is_write: bool = False, transaction: bool = False) -> RestReply:
        """One request with the token, retried on transient failures; a refused token is replaced once per
        refusal (shared by the threads that meet it) and the request resent. Returns 2xx and 4xx answers."""
        url = self.config.rest_url.rstrip("/") + path
        attempt = rejections = 0
        while True:
            token = self._token()
            headers = {"Authorization": token.authorization}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if self.config.entity_id:
                headers[ENTITY_HEADER] = self.config.entity_id
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            if transaction:
                headers[TRANSACTION_HEADER] = "true"
            try:
                reply = self.transport.request(method, url, json_body=body, params=params, headers=headers)
            except TransportError as exc:
                attempt += 1
                if not self.retry_policy.may_retry(exc, attempt, is_write=is_write,
                                                   unique_id=idempotency_key is not None):
                    raise
                delay = self.retry_policy.delay(attempt, exc.retry_after)
                self.metrics.add("retries")
                log.warning("Intacct REST request failed (%s); retry %d of %d in %.2f s", exc.message, attempt,
                            self.retry_policy.max_retries, delay)
                if exc.outcome_unknown and is_write:
                    self.metrics.add("resends")
                    self._note_resent()
                self._sleep(delay)
                continue
            if reply.status == 401 and rejections < max(1, self.retry_policy.max_retries):
                rejections += 1
                if self.tokens.invalidate(token):
                    self.metrics.add("token_renewals")
                    log.info("Intacct refused the REST token (%s); minting a new one",
                             "; ".join(e.text() for e in error_lines(reply.body)) or "HTTP 401")
                continue
            return reply

    def _raise_for_status(self, reply: RestReply, what: str) -> None:
        if reply.status >= 400:
            raise RestError(f"Intacct refused {what}", http_status=reply.status, errors=error_lines(reply.body),
                            code=error_code(reply.body))

    def _result(self, reply: RestReply, what: str) -> Any:
        self._raise_for_status(reply, what)
        if not isinstance(reply.body, dict) or "ia::result" not in reply.body:
            raise ResponseFormatError(f"Intacct answered {what} without ia::result", http_status=reply.status)
        return reply.body["ia::result"]

    # ------------------------------------------------------------------ reads

    def _object(self, object_name: str) -> RestObject:
        name = str(object_name).strip().upper()
        path = self._udd_paths.get(name) or (self._connection._udd_paths.get(name) if self._connection else None)
        return udd_object(path[len(UDD_OBJECT_PREFIX):]) if path else for_xml(object_name)

    def query(self, object_name: str, select: Sequence[str], filter: Filter | None = None, order_by: Any = None,
              page_size: int = 2000, offset: int = 0, **options: bool) -> QueryPage:
        request = fn.Query(object_name, select, filter, order_by, page_size, offset, **options)  # validates
        obj = self._object(object_name)
        maps = translate.select(obj, request.select)
        body = translate.query_body(obj, maps, request.filter, request.order_by, size=request.page_size,
                                    start=request.offset + 1, tz=self.tz, case_insensitive=request.case_insensitive,
                                    show_private=request.show_private)
        reply = self._call("POST", QUERY_PATH, body=body)
        rows = self._result(reply, f"the query of {obj.path} ({object_name})")
        if not isinstance(rows, list):
            raise ResponseFormatError(f"query of {obj.path} answered a result that is not a list")
        self.metrics.add("api_transactions")
        meta = reply.body.get("ia::meta") or {}
        records = [translate.record_from_row(row, maps, self.tz) for row in rows]
        total = _int(meta.get("totalCount"))
        if total is not None:
            remaining = max(0, total - request.offset - len(records))
        else:
            remaining = 0 if meta.get("next") in (None, "") else None
        return QueryPage(records, total, remaining, request.offset, len(records))

    def read_by_query(self, object_name: str, query: str = "", fields: str | Sequence[str] = "*",
                      page_size: int = 1000) -> Iterator[dict[str, Any]]:
        request = fn.ReadByQuery(object_name, query, fields, page_size)  # validates now, not on first next()
        condition = parse_query_text(query)
        maps = translate.select(self._object(object_name), request.fields)
        return self._all_pages(object_name, [m.xml for m in maps], condition, request.page_size)

    def _all_pages(self, object_name, select, condition, page_size) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = self.query(object_name, select, condition, order_by=[("RECORDNO", "ascending")],
                              page_size=page_size, offset=offset)
            yield from page.records
            offset += len(page.records)
            if not page.records or not page.num_remaining:
                return

    def _read_keys(self, cls: type[fn.Read], object_name: str, keys, fields) -> list[dict]:
        fn.check_object_name(object_name, cls.name)
        keys = [keys] if isinstance(keys, str | int) else list(keys)
        if not keys:
            return []
        obj = self._object(object_name)
        field = "RECORDNO" if cls is fn.Read else obj.key_field
        maps = translate.select(obj, fields)
        records: list[dict] = []
        for start in range(0, len(keys), READ_KEYS_PER_QUERY):
            chunk = [str(k) for k in keys[start:start + READ_KEYS_PER_QUERY]]
            body = translate.query_body(obj, maps, Filter.in_(field, chunk), [], size=len(chunk) * 2, start=1,
                                        tz=self.tz)
            rows = self._result(self._call("POST", QUERY_PATH, body=body), f"the read of {obj.path}")
            self.metrics.add("api_transactions")
            records.extend(translate.record_from_row(row, maps, self.tz, nested=True) for row in rows)
        return records

    def lookup(self, object_name: str) -> dict:
        obj = self._object(object_name)
        model = self._result(self._call("GET", MODEL_PATH, params={"name": obj.path}), f"the model of {obj.path}")
        self.metrics.add("api_transactions")
        return {"@Name": obj.xml, "path": obj.path, "model": model}

    def inspect(self, object_name: str = "*", detail: bool = False) -> dict:
        return self.lookup(object_name)

    def get_dimensions(self) -> list[dict]:
        listing = self._result(self._call("GET", DIMENSIONS_PATH), "the list of dimensions")
        self.metrics.add("api_transactions")
        dimensions = []
        for item in listing if isinstance(listing, list) else []:
            name = str(item.get("dimensionName") or "").strip()
            user_defined = bool(item.get("isUserDefinedDimension"))
            endpoint = str(item.get("dimensionEndpoint") or "").strip().removeprefix("/objects/")
            if user_defined and endpoint.startswith(UDD_OBJECT_PREFIX):
                self._udd_paths[name.upper()] = endpoint
            dimensions.append({"objectName": name, "objectLabel": str(item.get("dimensionLabel") or ""),
                               "termLabel": str(item.get("termName") or ""),
                               "userDefinedDimension": "true" if user_defined else "false",
                               "enabledInGL": "true" if item.get("isEnabledInGL") else "false"})
        return dimensions

    # What REST does not offer goes through the XML API with the REST token's session (rest/bridge.py).
    def _xml_bridge(self):
        if self._bridge is None:
            from include.intacct.rest.bridge import SessionBridge

            self._bridge = SessionBridge(self)
        return self._bridge

    def get_financial_setup(self) -> dict:
        return self._xml_bridge().get_financial_setup()

    def get_closed_books_date(self) -> date | None:
        return self._xml_bridge().get_closed_books_date()

    # ------------------------------------------------------------------ writes

    def _write_batch(self, chunk: list[fn.WriteFunction], transaction: bool) -> list[WriteOutcome]:
        from include.intacct.rest.writes import write_batch

        try:
            return write_batch(self, chunk, transaction)
        except IntacctError as exc:  # a key or line lookup before sending failed: nothing was sent
            from include.intacct.write_outcomes import outcomes_of_failed_request

            return outcomes_of_failed_request(self, chunk, exc, False)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
