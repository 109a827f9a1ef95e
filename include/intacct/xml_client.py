"""The XML gateway transport of the facade: one POST of ``<function>``s per request, an API session.

Writes always go with ``uniqueid=true`` and the caller's deterministic controlids, so a write whose
outcome is unknown is resent with the same controlids and the gateway's "already recorded" answer
proves it landed. In a multi-entity company each entity client signs in once for its own session.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from include.error_classes import ErrorClass
from include.intacct import functions as fn
from include.intacct.classify import classify
from include.intacct.client import IntacctClient
from include.intacct.errors import (
    AuthenticationError,
    ControlError,
    FunctionError,
    IntacctError,
    ResponseFormatError,
    SessionRejected,
    TransportError,
    raw_snippet,
)
from include.intacct.query_filter import Filter
from include.intacct.responses import FunctionResult, QueryPage, Response, WriteOutcome
from include.intacct.session import ApiSession, SessionStore
from include.intacct.transport import Transport
from include.intacct.write_outcomes import outcomes_of_failed_request, outcomes_of_response
from include.intacct.xml import build_request, parse_response

log = logging.getLogger("include.intacct")


class XmlClient(IntacctClient, transport="xml"):
    """The facade over the XML gateway (``transport`` ``xml``)."""

    def _open(self, connection: IntacctClient | None) -> None:
        config = self.config
        self.sessions = SessionStore(config.session_refresh_margin)
        self.transport = connection.transport if connection is not None else Transport(
            company_id=config.company_id,
            max_concurrency=config.requests_per_worker,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            max_response_bytes=config.max_response_bytes,
            metrics=self.metrics,
        )

    def __repr__(self) -> str:
        entity = f", entity_id={self.config.entity_id!r}" if self.config.entity_id else ""
        return (f"IntacctClient(gateway_url={self.config.gateway_url!r}, company_id={self.config.company_id!r}"
                f"{entity})")

    def sign_in(self) -> str:
        session = self.session()
        return f"entity {session.location_id}" if session.location_id else "the top level"

    # ------------------------------------------------------------------ sessions

    def session(self) -> ApiSession:
        """The current API session, logging in with getAPISession (alone in its request) when
        there is none or it is about to expire."""
        with self.sessions.lock:
            current = self.sessions.current()
            if current is not None:
                return current
            return self._login()

    def _login(self) -> ApiSession:
        config = self.config
        function = fn.GetAPISession(config.entity_id)
        login = {
            "userid": config.user_id,
            "companyid": config.company_id,
            "password": config.user_password,
            "locationid": config.entity_id,
        }
        response = self._post_with_retries(
            config.gateway_url, lambda: self._request_body([function], login=login), is_write=False
        )
        self.metrics.add("logins")
        self._raise_for_envelope(response)
        result = response.result_for(function.controlid)
        if result is None:
            raise ResponseFormatError(f"Intacct response has no result for getAPISession {function.controlid}",
                                      http_status=response.http_status)
        if not result.ok or not result.records:
            raise AuthenticationError("getAPISession failed", http_status=response.http_status, errors=result.errors)
        api = result.records[0]
        session_id, endpoint = api.get("sessionid", ""), api.get("endpoint", "")
        if not session_id:
            raise ResponseFormatError("getAPISession answered without a session id")
        auth = response.authentication
        session = ApiSession(
            session_id=session_id,
            endpoint=endpoint or config.gateway_url,
            expires_at=auth.session_timeout if auth else None,
            location_id=api.get("locationid", ""),
        )
        self.sessions.store(session)
        log.info("Signed in to Intacct company %s%s; session endpoint %s", config.company_id,
                 f" entity {config.entity_id}" if config.entity_id else "", session.endpoint)
        return session

    # ------------------------------------------------------------------ sending

    def _request_body(self, functions, *, session_id=None, login=None, transaction=False, unique_id=False) -> bytes:
        return build_request(
            sender_id=self.config.sender_id,
            sender_password=self.config.sender_password,
            request_controlid=uuid.uuid4().hex,
            functions=functions,
            session_id=session_id,
            login=login,
            transaction=transaction,
            unique_id=unique_id,
        )

    def _post_with_retries(self, url: str, make_body: Callable[[], bytes], *, is_write: bool) -> Response:
        """POST with backoff on transient failures and return the parsed response. A write
        resent after an unknown outcome is noted for this thread (see ``_take_resent``)."""
        attempt = 0
        while True:
            try:
                reply = self.transport.post(url, make_body())
                try:
                    response = parse_response(reply.body, http_status=reply.status)
                except ResponseFormatError as exc:
                    raise TransportError(f"{exc.message}; the answer began: {exc.snippet}", http_status=reply.status,
                                         outcome_unknown=True) from None
                if response.control.status != "success" and classify(
                    ControlError("", errors=response.control_errors)
                ) == ErrorClass.TRANSIENT:
                    raise TransportError(
                        "Intacct gateway refused the request for now",
                        http_status=reply.status,
                        errors=response.control_errors,
                    )
                return response
            except TransportError as exc:
                attempt += 1
                if not self.retry_policy.may_retry(exc, attempt, is_write=is_write, unique_id=is_write):
                    raise
                delay = self.retry_policy.delay(attempt, exc.retry_after)
                self.metrics.add("retries")
                log.warning(
                    "Intacct request failed (%s); retry %d of %d in %.2f s",
                    exc.message, attempt, self.retry_policy.max_retries, delay,
                )
                if exc.outcome_unknown and is_write:
                    self.metrics.add("resends")
                    self._note_resent()
                self._sleep(delay)

    def _raise_for_envelope(self, response: Response) -> None:
        if response.control.status != "success":
            raise ControlError(
                "Intacct refused the request (control failure)",
                http_status=response.http_status,
                errors=response.control_errors,
            )
        auth = response.authentication
        if auth is None or auth.status != "success":
            raise AuthenticationError(
                "Intacct refused the credentials (authentication failure)",
                http_status=response.http_status,
                errors=response.authentication_errors,
            )

    def _send(self, functions: Sequence[fn.Function], *, is_write: bool = False, transaction: bool = False) -> Response:
        """Send functions in one request with the session. A session the gateway refuses (expired,
        or ended elsewhere) is renewed and the request sent again: nothing ran, so a resend is
        safe. Only a failed sign-in raises AuthenticationError."""
        rejections = 0
        while True:
            session = self.session()
            response = self._post_with_retries(
                session.endpoint,
                lambda s=session: self._request_body(
                    functions, session_id=s.session_id, transaction=transaction, unique_id=is_write
                ),
                is_write=is_write,
            )
            auth = response.authentication
            if response.control.status == "success" and (auth is None or auth.status != "success"):
                rejections += 1
                self._renew_session(session, response, rejections)
                continue
            self._raise_for_envelope(response)
            self.sessions.slide(session.session_id, auth.session_timeout if auth else None)
            return response

    def _renew_session(self, rejected: ApiSession, response: Response, rejections: int) -> None:
        """Forget a session the gateway refused. Threads that meet the same expiry share one
        sign-in: the first forgets the session, the others find the new one in place. A session
        refused again and again although renewed each time is a transient failure of its own."""
        if rejections > self.retry_policy.max_retries:
            raise SessionRejected(
                f"Intacct refused the API session {rejections} times in a row although it was renewed each time",
                http_status=response.http_status, errors=response.authentication_errors)
        if self.sessions.invalidate(rejected.session_id):
            self.metrics.add("session_renewals")
            log.info("Intacct refused the API session (%s); signing in again",
                     "; ".join(e.text() for e in response.authentication_errors) or "no reason given")
        if rejections > 1:
            self._sleep(self.retry_policy.delay(rejections - 1))

    def _call(self, function: fn.Function) -> FunctionResult:
        return self._call_many([function])[0]

    def _call_many(self, functions: Sequence[fn.Function]) -> list[FunctionResult]:
        """Send read functions (several per request) and return their results in order;
        the first failed one raises FunctionError."""
        results: list[FunctionResult] = []
        size = self.config.functions_per_request
        for start in range(0, len(functions), size):
            chunk = functions[start : start + size]
            response = self._send(chunk)
            for function in chunk:
                result = response.result_for(function.controlid)
                if result is None:
                    raise ResponseFormatError(f"Intacct response has no result for {function.name} {function.controlid}")
                if not result.ok:
                    raise FunctionError(
                        f"Intacct {function.name} failed",
                        function=function.name,
                        controlid=function.controlid,
                        status=result.status,
                        http_status=response.http_status,
                        errors=result.errors,
                    )
                self.metrics.add("api_transactions", function.transaction_cost(result))
                results.append(result)
        return results

    # ------------------------------------------------------------------ reads

    def read_by_query(
        self, object_name: str, query: str = "", fields: str | Sequence[str] = "*", page_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every record matching a readByQuery string, following readMore until numremaining is 0."""
        first = fn.ReadByQuery(object_name, query, fields, page_size)  # validates now, not on first next()
        return self._read_by_query_pages(first)

    def _read_by_query_pages(self, first: fn.ReadByQuery) -> Iterator[dict[str, Any]]:
        result = self._call(first)
        yield from result.records
        while (result.num_remaining or 0) > 0 and result.result_id:
            result = self._call(fn.ReadMore(result.result_id))
            yield from result.records

    def query(
        self,
        object_name: str,
        select: Sequence[str],
        filter: Filter | None = None,
        order_by: Any = None,
        page_size: int = 2000,
        offset: int = 0,
        **options: bool,
    ) -> QueryPage:
        result = self._call(fn.Query(object_name, select, filter, order_by, page_size, offset, **options))
        return QueryPage(result.records, result.total_count, result.num_remaining, result.offset, result.count)

    def _read_keys(self, cls, object_name, keys, fields) -> list[dict]:
        fn.check_object_name(object_name, cls.name)
        keys = [keys] if isinstance(keys, str | int) else list(keys)
        if not keys:
            return []
        step = fn.MAX_READ_KEYS
        calls = [cls(object_name, keys[i : i + step], fields) for i in range(0, len(keys), step)]
        records: list[dict] = []
        for result in self._call_many(calls):
            records.extend(result.records)
        return records

    def lookup(self, object_name: str) -> dict:
        result = self._call(fn.Lookup(object_name))
        return result.records[0] if result.records else {}

    def inspect(self, object_name: str = "*", detail: bool = False) -> dict:
        result = self._call(fn.Inspect(object_name, detail))
        return result.records[0] if result.records else {}

    def get_dimensions(self) -> list[dict]:
        result = self._call(fn.GetDimensions())
        dimensions: list[dict] = []
        for tag, record in zip(result.record_tags, result.records, strict=True):
            if tag == "dimensions":
                inner = record.get("dimension", [])
                dimensions.extend(inner if isinstance(inner, list) else [inner])
            else:
                dimensions.append(record)
        return dimensions

    def get_financial_setup(self) -> dict:
        result = self._call(fn.GetFinancialSetup())
        return result.records[0] if result.records else {}

    def get_closed_books_date(self) -> date | None:
        """The date through which the books are closed, or None when Intacct answers that no period is
        closed (no ``closedbooksdate`` block, or one without date parts). Parts that are not a date
        raise ResponseFormatError: never silently "no closed books"."""
        result = self._call(fn.GetClosedBooksDate())
        for tag, record in zip(result.record_tags, result.records, strict=True):
            block = record if tag == "closedbooksdate" else record.get("closedbooksdate")
            if block is None or block == "" or block == {}:
                continue
            if not isinstance(block, dict):
                raise ResponseFormatError("get_closedbooksdate answered a closedbooksdate that is not a date block",
                                          snippet=raw_snippet(repr(block)))
            parts = [str(block.get(k, "") or "").strip() for k in ("year", "month", "day")]
            other = [v for k, v in block.items() if k not in ("year", "month", "day") and str(v or "").strip()]
            if not any(parts) and not other:
                return None  # <closedbooksdate/> or empty parts: no period is closed
            try:
                if not all(part.isdigit() for part in parts):
                    raise ValueError("not all digits")
                return date(*(int(part) for part in parts))
            except ValueError:
                raise ResponseFormatError(
                    f"get_closedbooksdate answered year={parts[0]!r} month={parts[1]!r} day={parts[2]!r}, which is "
                    "not a date", snippet=raw_snippet(repr(block))) from None
        return None


    # ------------------------------------------------------------------ writes

    def _write_batch(self, chunk: list[fn.WriteFunction], transaction: bool) -> list[WriteOutcome]:
        self._take_resent()
        try:
            response = self._send(chunk, is_write=True, transaction=transaction)
        except IntacctError as exc:
            return outcomes_of_failed_request(self, chunk, exc, self._take_resent())
        return outcomes_of_response(self, chunk, response, self._take_resent())

