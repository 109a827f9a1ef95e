"""A Python client for the sandbox's admin API (JSON over HTTP, not part of the gateway)."""

from __future__ import annotations

from datetime import date
from typing import Any

import requests


class SandboxAdminError(RuntimeError):
    pass


class SandboxAdmin:
    def __init__(self, base_url: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()

    def __repr__(self) -> str:
        return f"SandboxAdmin({self.base_url!r})"

    def _call(self, method: str, route: str, payload: dict | None = None, params: dict | None = None) -> Any:
        response = self._http.request(method, f"{self.base_url}/admin/{route}", json=payload,
                                      params={k: v for k, v in (params or {}).items() if v is not None},
                                      timeout=self.timeout)
        if response.status_code != 200:
            try:
                detail = response.json().get("error", response.text)
            except ValueError:
                detail = response.text
            raise SandboxAdminError(f"{method} /admin/{route} failed ({response.status_code}): {detail}")
        return response.json()

    def health(self) -> dict:
        return self._call("GET", "health")

    def reset(self) -> None:
        self._call("POST", "reset")

    def closed_books(self, company: str = "DEMO") -> dict[str, str]:
        return self._call("GET", "closed-books", params={"company": company})

    def close_books(self, through: date | str, module: str = "all", company: str = "DEMO") -> dict[str, str]:
        return self._call("POST", "close-books", {"company": company, "through": str(through), "module": module})

    def reopen(self, module: str = "all", to: date | str | None = None, company: str = "DEMO") -> dict[str, str]:
        return self._call("POST", "reopen", {"company": company, "module": module,
                                             "to": None if to is None else str(to)})

    def set_status(self, object_name: str, record_id: str, status: str, company: str = "DEMO") -> dict:
        return self._call("POST", "records/status", {"company": company, "object": object_name, "id": record_id,
                                                     "status": status})

    def activate(self, object_name: str, record_id: str, company: str = "DEMO") -> dict:
        return self.set_status(object_name, record_id, "active", company)

    def deactivate(self, object_name: str, record_id: str, company: str = "DEMO") -> dict:
        return self.set_status(object_name, record_id, "inactive", company)

    def update_record(self, object_name: str, record_id: str, fields: dict[str, Any], company: str = "DEMO") -> dict:
        return self._call("POST", "records/update", {"company": company, "object": object_name, "id": record_id,
                                                     "fields": fields})

    def create_record(self, object_name: str, fields: dict[str, Any], company: str = "DEMO") -> dict:
        return self._call("POST", "records/create", {"company": company, "object": object_name, "fields": fields})

    def set_udd(self, name: str, permitted: bool | None = None, status: str | None = None,
                company: str = "DEMO") -> dict:
        return self._call("POST", "udd", {"company": company, "name": name, "permitted": permitted,
                                          "status": status})

    def grant_udd(self, name: str, company: str = "DEMO") -> dict:
        return self.set_udd(name, permitted=True, company=company)

    def revoke_udd(self, name: str, company: str = "DEMO") -> dict:
        return self.set_udd(name, permitted=False, company=company)

    def set_faults(self, next_faults: list[str] | None = None, probabilities: dict[str, float] | None = None,
                   seed: int | None = None, target: str | None = None, reset_counts: bool = False) -> dict:
        """Change the fault plan (None keeps a part as it is); returns it as faults() does.

        target: "all", "writes", "reads" or "function:<name>" (e.g. "function:query"). A new seed
        restarts the random sequence; reset_counts sets the injected/matched/seen counts to zero.
        """
        return self._call("POST", "faults", {"next": next_faults, "probabilities": probabilities, "seed": seed,
                                             "target": target, "reset_counts": reset_counts})

    def faults(self) -> dict:
        """The fault plan and counts: next, probabilities, seed, target, injected (by kind), matched, seen."""
        return self._call("GET", "faults")

    def clear_faults(self) -> dict:
        """No more faults (queued or by probability) and counts at zero; seed and target stay."""
        return self.set_faults(next_faults=[], probabilities={}, reset_counts=True)

    def settings(self) -> dict:
        return self._call("GET", "settings")

    def update_settings(self, **values: Any) -> dict:
        """latency_ms, function_latency_ms, concurrency_limit, session_timeout_seconds, result_ttl_seconds."""
        return self._call("POST", "settings", values)

    def expire_sessions(self, company: str | None = None) -> int:
        return self._call("POST", "sessions/expire", {"company": company})["expired"]

    def advance_clock(self, seconds: float) -> str:
        return self._call("POST", "clock/advance", {"seconds": seconds})["now"]

    def posted(self, object_name: str | None = None, company: str = "DEMO") -> list[dict]:
        return self._call("GET", "posted", params={"company": company, "object": object_name})

    def counters(self, company: str | None = None) -> dict:
        return self._call("GET", "counters", params={"company": company})
