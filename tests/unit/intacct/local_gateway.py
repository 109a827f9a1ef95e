"""A small scripted gateway on 127.0.0.1 (a real HTTP peer) for the client's transport,
retry and session tests. It answers with the reference's response shapes; tests add
function handlers and queue faults."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

from tests.unit.intacct import gateway_responses as canned

SENDER_PASSWORD = "sender-pw-Zq9!"
USER_PASSWORD = "user-pw-K7&<x>"


@dataclass
class Fault:
    status: int
    body: bytes = canned.HTML_ERROR_PAGE
    headers: dict[str, str] = field(default_factory=dict)
    after_processing: bool = False  # run the functions, then answer with this fault
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    body: bytes
    root: etree._Element

    @property
    def session_id(self) -> str | None:
        return self.root.findtext("operation/authentication/sessionid")

    @property
    def is_login(self) -> bool:
        return self.root.find("operation/authentication/login") is not None

    @property
    def functions(self) -> list[etree._Element]:
        return self.root.findall("operation/content/function")

    @property
    def controlids(self) -> list[str]:
        return [f.get("controlid") for f in self.functions]


def result(status: str, function: str, controlid: str, inner: str = "") -> str:
    return f"<result><status>{status}</status><function>{function}</function><controlid>{controlid}</controlid>{inner}</result>"


def error_xml(errorno: str, description2: str) -> str:
    return (f"<errormessage><error><errorno>{errorno}</errorno><description></description>"
            f"<description2>{description2}</description2><correction></correction></error></errormessage>")


class LocalGateway:
    def __init__(self, session_seconds: float = 3600.0):
        self.handlers: dict[str, Callable[[etree._Element, str], str]] = {}
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.sessions: set[str] = set()
        self.recorded_controlids: set[str] = set()
        self.reject_sessions = False
        self.login_faults: list[Fault] = []  # answers to the next sign-ins (faults skip sign-ins)
        self.blank_session_ids = False  # sign-ins succeed without a session id
        self.session_seconds = session_seconds
        self.response_delay = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self.shuffle_results = False
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.handlers["create"] = self._create

    # -------------------------------------------------------------- server
    def __enter__(self) -> LocalGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, payload, headers = gateway.handle(self.path, body)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        host, port = self.server.server_address
        self.url = f"http://{host}:{port}/ia/xml/xmlgw.phtml"
        self.session_url = f"http://{host}:{port}/session/xmlgw.phtml"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # -------------------------------------------------------------- protocol
    def handle(self, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        root = etree.fromstring(body)
        seen = Seen(path, body, root)
        with self._lock:
            self.requests.append(seen)
            fault = self.faults.pop(0) if self.faults and not seen.is_login else None
            if seen.is_login and self.login_faults:
                fault = self.login_faults.pop(0)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.response_delay)
            if fault is not None and not fault.after_processing:
                time.sleep(fault.delay)
                return fault.status, fault.body, fault.headers
            payload = self._answer(seen)
            if fault is not None:
                time.sleep(fault.delay)  # the gateway ran the functions; the answer comes late or broken
                return fault.status, fault.body, fault.headers
            return 200, payload, {"Content-Type": "text/xml"}
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, seen: Seen) -> bytes:
        root = seen.root
        if root.findtext("control/password") != SENDER_PASSWORD:
            return canned.CONTROL_PARSE_FAILURE.replace(b"XL03000003", b"XL03000006")
        timeout = (datetime.now(UTC) + timedelta(seconds=self.session_seconds)).isoformat(timespec="seconds")
        if seen.is_login:
            if root.findtext("operation/authentication/login/password") != USER_PASSWORD:
                return self._auth_failure("Sign-in information is incorrect")
            session_id = "" if self.blank_session_ids else f"SESSION-SECRET-{next(self._ids)}"
            with self._lock:
                self.sessions.add(session_id)
            function = seen.functions[0]
            api = (f"<data><api><sessionid>{session_id}</sessionid><endpoint>{self.session_url}</endpoint>"
                   f"<locationid></locationid></api></data>")
            return canned.envelope(result("success", "getAPISession", function.get("controlid"), api).encode(),
                                   session_timeout=timeout)
        if self.reject_sessions or seen.session_id not in self.sessions:
            return self._auth_failure("Invalid session")
        unique = root.findtext("control/uniqueid") == "true"
        results = []
        for function in seen.functions:
            controlid = function.get("controlid")
            call = function[0]
            if unique and controlid in self.recorded_controlids:
                results.append(result("failure", call.tag, controlid, error_xml(
                    "XL03000009", f"A successful transaction has already been recorded with the control id {controlid}")))
                continue
            text = self.handlers[call.tag](call, controlid)
            if unique and "<status>success</status>" in text:
                self.recorded_controlids.add(controlid)
            results.append(text)
        if self.shuffle_results:
            results.reverse()
        return canned.envelope(*(r.encode() for r in results), session_timeout=timeout)

    @staticmethod
    def _auth_failure(description: str) -> bytes:
        return (b"<response><control><status>success</status><senderid>s</senderid><controlid>c</controlid></control>"
                b"<operation><authentication><status>failure</status><userid>u</userid><companyid>C</companyid>"
                b"</authentication><errormessage><error><errorno>XL03000006</errorno><description>"
                + description.encode() + b"</description><description2></description2><correction></correction>"
                b"</error></errormessage></operation></response>")

    def _create(self, call: etree._Element, controlid: str) -> str:
        obj = call[0]
        if obj.findtext("FAIL"):
            return result("failure", "create", controlid, error_xml("BL01001973", obj.findtext("FAIL")))
        record_no = next(self._ids)
        inner = (f'<data listtype="objects" count="1"><{obj.tag.lower()}><RECORDNO>{record_no}</RECORDNO>'
                 f"</{obj.tag.lower()}></data>")
        return result("success", "create", controlid, inner)
