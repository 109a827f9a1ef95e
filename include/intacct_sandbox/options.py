"""The sandbox's settings: fixed at start (CLI or environment), several changeable at runtime."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_SENDER_PASSWORD = "sandbox-sender-pw"
DEFAULT_USER_PASSWORD = "sandbox-user-pw"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
# A second Web Services sender that exists but is authorized for DEMO-ME only, never for DEMO.
UNAUTHORIZED_SENDER_ID = "other_sender"


@dataclass
class Options:
    sender_password: str = field(
        default_factory=lambda: os.environ.get("SANDBOX_SENDER_PASSWORD", DEFAULT_SENDER_PASSWORD), repr=False)
    user_password: str = field(
        default_factory=lambda: os.environ.get("SANDBOX_USER_PASSWORD", DEFAULT_USER_PASSWORD), repr=False)
    client_secret: str = field(  # the REST API's OAuth apps (demo_client, other_client) share it
        default_factory=lambda: os.environ.get("SANDBOX_CLIENT_SECRET", DEFAULT_CLIENT_SECRET), repr=False)
    seed: int = 0
    latency_ms: float = 0.0  # time to answer a request, its processing included
    function_latency_ms: float = 0.0  # per function in the request
    concurrency_limit: int = 2  # in-flight requests per company (Intacct's tier 1)
    session_timeout_seconds: float = 3600.0
    result_ttl_seconds: float = 600.0
    fault_probabilities: dict[str, float] = field(default_factory=dict)
    fault_target: str = "all"  # which requests faults are aimed at: all, writes, reads or function:<name>
    # "" (the default): getAPISession returns the login URL as the endpoint and sessions work there, as
    # on Intacct by default. A path (e.g. /ia/xml/session/xmlgw.phtml): sessions get that endpoint and
    # are accepted only there, like a tenant given a distinct session endpoint.
    session_endpoint_path: str = ""
    # REST access tokens' lifetime: not documented by Sage (reference §2.4); fylein's fallback is 6 hours.
    token_lifetime_seconds: float = 21600.0

    RUNTIME = ("latency_ms", "function_latency_ms", "concurrency_limit", "session_timeout_seconds",
               "result_ttl_seconds", "token_lifetime_seconds")

    def runtime_settings(self) -> dict:
        return {name: getattr(self, name) for name in self.RUNTIME}
