"""HTTP: one POST per request, a response size cap enforced while streaming, and a
per-process concurrency limit shared by every client of the same company."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from include.intacct.errors import TransportError
from include.intacct.metrics import Metrics
from include.intacct.retry import parse_retry_after

log = logging.getLogger("include.intacct")

# 429 and 502/503 are answered before the gateway runs anything; other 5xx (and 524,
# "still processing") may come after it ran the request.
NOT_PROCESSED_STATUSES = {429, 502, 503}
_CHUNK = 64 * 1024

_semaphores: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_semaphores_lock = threading.Lock()


def pooled_session(max_concurrency: int, headers: dict[str, str]) -> requests.Session:
    """A session whose connection pool holds every request the tenant lets run at once; requests
    itself never retries (the client's retry policy decides)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=max(2, max_concurrency), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept-Encoding": "gzip, deflate", **headers})
    return session


def process_semaphore(company_id: str, limit: int) -> threading.BoundedSemaphore:
    """The per-process concurrency limit for one company (tenant limits are per company)."""
    with _semaphores_lock:
        return _semaphores.setdefault((company_id, limit), threading.BoundedSemaphore(limit))


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: bytes
    content_type: str


def looks_like_xml(body: bytes) -> bool:
    head = body.lstrip()[:100].lower()
    return head.startswith(b"<?xml") or head.startswith(b"<response")


class Transport:
    def __init__(
        self,
        *,
        company_id: str,
        max_concurrency: int,
        connect_timeout: float,
        read_timeout: float,
        max_response_bytes: int,
        metrics: Metrics,
    ):
        self.session = pooled_session(max_concurrency, {"Content-Type": "application/xml"})
        self.semaphore = process_semaphore(company_id, max_concurrency)
        self.timeout = (connect_timeout, read_timeout)
        self.max_response_bytes = max_response_bytes
        self.metrics = metrics

    def post(self, url: str, body: bytes) -> HttpReply:
        """POST and return the XML reply. Raises TransportError for anything that is not an
        XML answer, and for HTTP 429/5xx (with the body's error lines when it is XML)."""
        with self.semaphore:
            self.metrics.add("http_requests")
            log.debug("POST %s (%d bytes)", url, len(body))
            try:
                # Never follow a redirect: the body carries the sender and user credentials.
                response = self.session.post(url, data=body, timeout=self.timeout, stream=True, allow_redirects=False)
            except requests.ConnectTimeout:
                raise TransportError(f"Connecting to the Intacct gateway at {url} timed out") from None
            except requests.ReadTimeout:
                raise TransportError(
                    f"The Intacct gateway at {url} did not answer within {self.timeout[1]} s", outcome_unknown=True
                ) from None
            except requests.ConnectionError as exc:
                sent = not _refused_before_sending(exc)
                raise TransportError(
                    f"Connection to the Intacct gateway at {url} failed"
                    + (" after the request was sent" if sent else "")
                    + f": {type(_root_cause(exc)).__name__}",
                    outcome_unknown=sent,
                ) from None
            except requests.RequestException as exc:
                raise TransportError(f"HTTP request to {url} failed: {type(exc).__name__}", outcome_unknown=True) from None
            try:
                data = self._read_capped(response, url)
            finally:
                response.close()
        return self._check(url, response, data)

    def _read_capped(self, response: requests.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise TransportError(
                f"Intacct response from {url} is {declared} bytes, over the {self.max_response_bytes}-byte cap",
                http_status=response.status_code,
                transient=False,
                outcome_unknown=True,
            )
        chunks, total = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                total += len(chunk)
                if total > self.max_response_bytes:
                    raise TransportError(
                        f"Intacct response from {url} exceeded the {self.max_response_bytes}-byte cap",
                        http_status=response.status_code,
                        transient=False,
                        outcome_unknown=True,
                    )
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise TransportError(
                f"Reading the Intacct response from {url} failed: {type(exc).__name__}",
                http_status=response.status_code,
                outcome_unknown=True,
            ) from None
        return b"".join(chunks)

    def _check(self, url: str, response: requests.Response, data: bytes) -> HttpReply:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "")
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("Location", "")).netloc or "an unnamed location"
            raise TransportError(
                f"Intacct gateway at {url} answered HTTP {status}, a redirect to {target}: refused, the request "
                "carries credentials. Check the gateway URL of the connection (it must be the endpoint itself)",
                http_status=status, transient=False, outcome_unknown=False)
        is_xml = looks_like_xml(data)
        if status == 429 or status >= 500:
            errors = _error_lines(data) if is_xml else []
            raise TransportError(
                f"Intacct gateway at {url} answered HTTP {status}",
                http_status=status,
                errors=errors,
                outcome_unknown=status not in NOT_PROCESSED_STATUSES,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if not is_xml:
            raise TransportError(
                f"Intacct gateway at {url} answered HTTP {status} with a non-XML body ({content_type or 'no type'})",
                http_status=status,
                transient=status not in (401, 403),
                outcome_unknown=status < 400,
            )
        return HttpReply(status, data, content_type)

    def close(self) -> None:
        self.session.close()


def _root_cause(exc: BaseException) -> BaseException:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        return cause.reason
    return cause


def _refused_before_sending(exc: requests.ConnectionError) -> bool:
    cause = _root_cause(exc)
    return isinstance(cause, NewConnectionError | ConnectionRefusedError) or "NameResolution" in type(cause).__name__


def _error_lines(data: bytes):
    from include.intacct.xml import parse_response

    try:
        response = parse_response(data)
    except Exception:
        return []
    return response.control_errors + response.authentication_errors
