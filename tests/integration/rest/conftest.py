"""Fixtures for the REST transport against the sandbox: a REST client of the seeded DEMO company, and a raw
HTTP caller with a token for the sandbox's REST API itself."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
import requests

from include import demo_company as demo
from include.intacct import IntacctClient, IntacctConfig


class RecordingSleep:
    """Records the delays the client asks for and sleeps only briefly, so tests stay fast."""

    def __init__(self):
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        time.sleep(min(seconds, 0.02))


def rest_config(sandbox, company: str = demo.COMPANY_ID, **overrides) -> IntacctConfig:
    kwargs = sandbox.process.config_kwargs(company, transport="rest")
    return IntacctConfig(**{**kwargs, "backoff_base": 0.01, "backoff_max": 0.05, "read_timeout": 10.0, **overrides})


@pytest.fixture
def sleep():
    return RecordingSleep()


@pytest.fixture
def rest_client(sandbox, sleep):
    with IntacctClient(rest_config(sandbox), sleep=sleep) as client:
        yield client


@pytest.fixture
def xml_client(sandbox):
    with IntacctClient(IntacctConfig(**sandbox.config_kwargs)) as client:
        yield client


@dataclass
class RawRest:
    """Calls the sandbox's REST API as any HTTP client would."""

    base: str
    token: str = ""

    def mint(self, username: str = f"{demo.SANDBOX_USER_ID}@{demo.COMPANY_ID}", **fields) -> requests.Response:
        data = {"grant_type": "client_credentials", "client_id": "demo_client",
                "client_secret": "sandbox-client-secret", "username": username, **fields}
        return requests.post(f"{self.base}/oauth2/token", data={k: v for k, v in data.items() if v is not None},
                             timeout=10)

    def call(self, method: str, path: str, body=None, headers: dict | None = None, **params) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return requests.request(method, f"{self.base}{path}", json=body, headers=all_headers, params=params or None,
                                timeout=10)


@pytest.fixture
def raw(sandbox) -> RawRest:
    caller = RawRest(sandbox.process.rest_url)
    caller.token = caller.mint().json()["access_token"]
    return caller
