"""Start a sandbox server in a subprocess (for tests, the benchmark and the demo)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from include import demo_company as demo
from include.intacct_sandbox.admin import SandboxAdmin
from include.intacct_sandbox.gateway import LOGIN_PATH
from include.intacct_sandbox.options import (
    DEFAULT_CLIENT_SECRET,
    DEFAULT_SENDER_PASSWORD,
    DEFAULT_USER_PASSWORD,
)
from include.intacct_sandbox.rest.auth import DEFAULT_CLIENT_ID
from include.intacct_sandbox.rest.convert import REST_PREFIX

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(rb"listening on (http://\S+)")


class SandboxProcess:
    """A running sandbox server. Use as a context manager, or call stop()."""

    def __init__(self, process: subprocess.Popen, base_url: str, sender_password: str, user_password: str,
                 client_secret: str = DEFAULT_CLIENT_SECRET):
        self.process = process
        self.base_url = base_url
        self.url = base_url + LOGIN_PATH
        self.rest_url = base_url + REST_PREFIX
        self.admin = SandboxAdmin(base_url)
        self._sender_password = sender_password
        self._user_password = user_password
        self._client_secret = client_secret

    def __repr__(self) -> str:
        return f"SandboxProcess(url={self.url!r}, pid={self.process.pid})"

    def config_kwargs(self, company_id: str = demo.COMPANY_ID, transport: str = "xml") -> dict[str, str]:
        """IntacctConfig(**kwargs) for a seeded company, over the XML gateway or (``transport="rest"``) the REST
        API with the sandbox's OAuth client (the sender's credentials too: the closed-books date comes
        through the XML API)."""
        common = {"gateway_url": self.url, "sender_id": demo.SANDBOX_SENDER_ID,
                  "sender_password": self._sender_password, "company_id": company_id,
                  "user_id": demo.SANDBOX_USER_ID}
        if transport == "rest":
            return {**common, "transport": "rest", "rest_url": self.rest_url, "client_id": DEFAULT_CLIENT_ID,
                    "client_secret": self._client_secret}
        return {**common, "user_password": self._user_password}

    def env(self, company_id: str = demo.COMPANY_ID, transport: str = "xml") -> dict[str, str]:
        return {f"INTACCT_{k.upper()}": v for k, v in self.config_kwargs(company_id, transport).items()}

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_sandbox(state_dir: str | Path, port: int = 0, host: str = "127.0.0.1", seed: int | None = None,
                  latency_ms: float = 0.0, function_latency_ms: float = 0.0, concurrency_limit: int | None = None,
                  session_timeout_seconds: float | None = None, result_ttl_seconds: float | None = None,
                  fault_probabilities: dict[str, float] | None = None,
                  sender_password: str | None = None, user_password: str | None = None,
                  startup_timeout: float = 30.0, fault_target: str | None = None,
                  session_endpoint_path: str | None = None) -> SandboxProcess:
    """Start `python -m include.intacct_sandbox serve` and wait until it answers /admin/health.

    port=0 lets the OS pick a free port; the server prints the URL it listens on. fault_target aims
    the start faults (all, writes, reads or function:<name>), as `serve --fault-target` does.
    session_endpoint_path gives sessions a distinct endpoint, as `serve --session-endpoint-path` does.
    """
    sender_password = sender_password or os.environ.get("SANDBOX_SENDER_PASSWORD", DEFAULT_SENDER_PASSWORD)
    user_password = user_password or os.environ.get("SANDBOX_USER_PASSWORD", DEFAULT_USER_PASSWORD)
    client_secret = os.environ.get("SANDBOX_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    args = [sys.executable, "-m", "include.intacct_sandbox", "serve", "--host", host, "--port", str(port),
            "--state-dir", str(state_dir), "--latency-ms", str(latency_ms),
            "--function-latency-ms", str(function_latency_ms)]
    for flag, value in (("--seed", seed), ("--concurrency-limit", concurrency_limit),
                        ("--session-timeout", session_timeout_seconds), ("--result-ttl", result_ttl_seconds),
                        ("--fault-target", fault_target), ("--session-endpoint-path", session_endpoint_path)):
        if value is not None:
            args += [flag, str(value)]
    for fault, probability in (fault_probabilities or {}).items():
        args += ["--fault", f"{fault}={probability}"]
    env = {**os.environ, "SANDBOX_SENDER_PASSWORD": sender_password, "SANDBOX_USER_PASSWORD": user_password,
           "SANDBOX_CLIENT_SECRET": client_secret,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + startup_timeout
    output = b""
    base_url = None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        output += line
        match = _LISTENING.search(line)
        if match:
            base_url = match.group(1).decode().rstrip("/")
            break
    if base_url is None:
        process.kill()
        raise RuntimeError(f"the sandbox did not start: {output.decode(errors='replace')[-2000:]}")
    # Keep reading the server's output so a full pipe never blocks it.
    _drain(process)
    sandbox = SandboxProcess(process, base_url, sender_password, user_password, client_secret)
    while time.monotonic() < deadline:
        try:
            if requests.get(base_url + "/admin/health", timeout=2).status_code == 200:
                return sandbox
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    sandbox.stop()
    raise RuntimeError(f"the sandbox at {base_url} did not become healthy in {startup_timeout} s")


def _drain(process: subprocess.Popen) -> None:
    import threading

    def pump():
        for _ in iter(process.stdout.readline, b""):
            pass

    threading.Thread(target=pump, daemon=True, name="sandbox-output").start()
