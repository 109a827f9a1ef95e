"""HTTP for the REST API: one JSON request, a response size cap enforced while streaming, the per-process
concurrency limit shared with every client of the same company (XML ones included), and the
throttling answers turned into retryable failures that carry the server's retry-after.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from include.intacct.errors import TransportError, raw_snippet
from include.intacct.metrics import Metrics
from include.intacct.rest.errors import error_lines
from include.intacct.retry import parse_retry_after
from include.intacct.transport import _refused_before_sending, _root_cause, pooled_session, process_semaphore

log = logging.getLogger("include.intacct")

# 429 and 503 are answered before anything runs (throttling, overload); 502 by a proxy in front.
NOT_PROCESSED_STATUSES = {429, 502, 503}
# Seconds to wait, in the order looked at: the standard header, then Intacct's own (reference §7.2:
# whether a standard Retry-After comes with a 429 is not documented; lorenz reads it first, then these).
RETRY_AFTER_HEADERS = ("Retry-After", "X-IA-Throttle-Limit-RetryAfter", "X-IA-Hour-Rate-Limit-Retry-After",
                       "X-IA-TENANT-Throttle-Limit-Retry-After", "X-IA-Minute-Rate-Limit-Retry-After")
_CHUNK = 64 * 1024


def retry_after(headers: Any) -> float | None:
    for name in RETRY_AFTER_HEADERS:
        seconds = parse_retry_after(headers.get(name))
        if seconds is not None:
            return seconds
    return None


@dataclass(frozen=True)
class RestReply:
    status: int
    body: Any  # decoded JSON (None for an empty body, e.g. 204)
    headers: dict[str, str]

    @property
    def replayed(self) -> bool:
        """Answered from Intacct's idempotency cache (reference §7.1: the replay carries this header)."""
        return bool(self.headers.get("x-ia-idempotency-cached-date"))


class RestHttp:
    def __init__(self, *, company_id: str, max_concurrency: int, connect_timeout: float, read_timeout: float,
                 max_response_bytes: int, metrics: Metrics):
        self.session = pooled_session(max_concurrency, {"Accept": "application/json"})
        self.semaphore = process_semaphore(company_id, max_concurrency)
        self.timeout = (connect_timeout, read_timeout)
        self.max_response_bytes = max_response_bytes
        self.metrics = metrics

    def request(self, method: str, url: str, *, json_body: Any = None, form: dict | None = None,
                params: dict | None = None, headers: dict[str, str] | None = None) -> RestReply:
        """Send one request; return the decoded answer for 2xx and 4xx (except 429), raise TransportError
        for what may be retried (connection failures, timeouts, 429, 5xx, a body that is not JSON)."""
        # The body is encoded before taking a request slot: a slot is the tenant's, held only while Intacct works.
        data = form if form is not None else (
            json.dumps(json_body, separators=(",", ":")).encode() if json_body is not None else None)
        with self.semaphore:
            self.metrics.add("http_requests")
            log.debug("%s %s", method, url)
            try:
                # Never follow a redirect: the request carries the bearer token or the client secret.
                response = self.session.request(method, url, params=params, headers=headers, timeout=self.timeout,
                                                stream=True, allow_redirects=False, data=data)
            except requests.ConnectTimeout:
                raise TransportError(f"Connecting to the Intacct REST API at {url} timed out") from None
            except requests.ReadTimeout:
                raise TransportError(f"The Intacct REST API at {url} did not answer within {self.timeout[1]} s",
                                     outcome_unknown=True) from None
            except requests.ConnectionError as exc:
                sent = not _refused_before_sending(exc)
                raise TransportError(
                    f"Connection to the Intacct REST API at {url} failed"
                    + (" after the request was sent" if sent else "") + f": {type(_root_cause(exc)).__name__}",
                    outcome_unknown=sent) from None
            except requests.RequestException as exc:
                raise TransportError(f"HTTP request to {url} failed: {type(exc).__name__}",
                                     outcome_unknown=True) from None
            try:
                data = self._read_capped(response, url)
            finally:
                response.close()
        return self._check(method, url, response, data)

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise TransportError(f"Intacct response from {url} is {declared} bytes, over the "
                                 f"{self.max_response_bytes}-byte cap", http_status=response.status_code,
                                 transient=False, outcome_unknown=True)
        chunks, total = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                total += len(chunk)
                if total > self.max_response_bytes:
                    raise TransportError(f"Intacct response from {url} exceeded the {self.max_response_bytes}-byte "
                                         "cap", http_status=response.status_code, transient=False,
                                         outcome_unknown=True)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise TransportError(f"Reading the Intacct response from {url} failed: {type(exc).__name__}",
                                 http_status=response.status_code, outcome_unknown=True) from None
        return b"".join(chunks)

    def _check(self, method: str, url: str, response: requests.Response, data: bytes) -> RestReply:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("Location", "")).netloc or "an unnamed location"
            raise TransportError(
                f"Intacct REST API at {url} answered HTTP {status}, a redirect to {target}: refused, the request "
                "carries credentials. Check rest_url of the connection (the API's base URL, e.g. "
                "https://api.intacct.com/ia/api/v1)", http_status=status, transient=False, outcome_unknown=False)
        body: Any = None
        if data.strip():
            try:
                body = json.loads(data)
            except ValueError:
                body = _NOT_JSON
        if status == 429 or status >= 500:
            raise TransportError(f"Intacct REST API answered HTTP {status} to {method} {urlsplit(url).path}",
                                 http_status=status, errors=error_lines(body) if body is not _NOT_JSON else [],
                                 outcome_unknown=status not in NOT_PROCESSED_STATUSES,
                                 retry_after=retry_after(response.headers))
        if body is _NOT_JSON:
            content_type = response.headers.get("Content-Type", "") or "no type"
            raise TransportError(f"Intacct REST API at {url} answered HTTP {status} with a body that is not JSON "
                                 f"({content_type}); the answer began: {raw_snippet(data)}", http_status=status,
                                 transient=status not in (401, 403), outcome_unknown=status < 400)
        return RestReply(status, body, headers)

    def close(self) -> None:
        self.session.close()


_NOT_JSON = object()
