"""Third-party Intacct clients run unchanged against the sandbox.

A production client talks to https://api.intacct.com. The client's code is never patched: the
HTTP library's own transport hook is. Every `requests` session mounts a transport adapter for
https:// that sends requests for api.intacct.com to the sandbox (same path, same body, same
headers) and refuses any other host, so a test can never reach the network.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from include import demo_company as demo

INTACCT_HOST = "api.intacct.com"


class SandboxTransport(HTTPAdapter):
    """Sends what a client addresses to api.intacct.com to the sandbox instead; refuses other hosts."""

    def __init__(self, sandbox_base_url: str):
        super().__init__()
        self.target = urlsplit(sandbox_base_url)
        self.sent: list[str] = []  # the paths the client posted to, in order

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.hostname != INTACCT_HOST:
            raise requests.ConnectionError(f"conformance tests reach only {INTACCT_HOST}, not {url.hostname}")
        request.url = urlunsplit((self.target.scheme, self.target.netloc, url.path, url.query, url.fragment))
        self.sent.append(url.path)
        return super().send(request, **kwargs)


@pytest.fixture
def intacct_transport(sandbox, monkeypatch) -> SandboxTransport:
    """Routes https://api.intacct.com to the sandbox for every requests session, including the ones
    `requests.post` makes on the fly (a client that never builds a session of its own is covered)."""
    transport = SandboxTransport(sandbox.base_url)
    original_init = requests.Session.__init__

    def init_with_sandbox_transport(session, *args, **kwargs):
        original_init(session, *args, **kwargs)
        session.mount("https://", transport)

    monkeypatch.setattr(requests.Session, "__init__", init_with_sandbox_transport)
    yield transport
    transport.close()


@pytest.fixture
def credentials(sandbox) -> dict[str, str]:
    config = sandbox.config_kwargs
    return {"sender_id": config["sender_id"], "sender_password": config["sender_password"],
            "user_id": config["user_id"], "company_id": demo.COMPANY_ID, "user_password": config["user_password"]}
