"""The REST API's idempotency cache (reference §7.1, Sage's batch/bulk guide "Preventing duplicate
requests"): ``Idempotency-Key`` on POST and PATCH, at most 256 characters; "Intacct saves the key,
original request, and response (even on failure)"; a repeat within 48 hours is answered with the
original status and body (the answer echoes the key and adds ``x-ia-idempotency-cached-date``);
the same key with another body is a 409; a key is kept 60 days, and reusing it after the 48 hours
is a 409 too. Entries live in the store, written in the same SQLite transaction as the request's
effects, so a request that committed always has its entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from include.intacct_sandbox.rest import envelope

MAX_KEY_LENGTH = 256
REPLAY_WINDOW = timedelta(hours=48)
KEPT_FOR = timedelta(days=60)
SETTING_PREFIX = "idempotency:"


@dataclass(frozen=True)
class Cached:
    status: int
    body: Any
    cached_at: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def _setting(user: str, key: str) -> str:
    return f"{SETTING_PREFIX}{user}:{key}"


def check_key(key: str) -> tuple[int, dict] | None:
    if len(key) > MAX_KEY_LENGTH:
        return envelope.invalid_request(f"Idempotency-Key is {len(key)} characters; at most {MAX_KEY_LENGTH}")
    return None


def look_up(store, company: str, user: str, key: str, print_: str, now: datetime) -> Cached | tuple[int, dict] | None:
    """The cached answer to replay, a 409 answer, or None (the request runs)."""
    entry = store.setting(company, _setting(user, key))
    if entry is None:
        return None
    at = datetime.fromisoformat(entry["at"])
    age = now - at
    if age > KEPT_FOR:
        return None
    if age > REPLAY_WINDOW:
        return 409, envelope.error_body("conflict", f"The Idempotency-Key '{key}' was used on {entry['at']}; "
                                        "its result is no longer cached and the key cannot be used again")
    if entry["fingerprint"] != print_:
        return 409, envelope.error_body("conflict", f"The Idempotency-Key '{key}' was already used with a "
                                        "different request body")
    return Cached(entry["status"], entry["body"], entry["at"])


def remember(store, company: str, user: str, key: str, print_: str, status: int, body: Any, now: datetime) -> None:
    store.set_setting(company, _setting(user, key), {"fingerprint": print_, "status": status, "body": body,
                                                    "at": now.isoformat(timespec="seconds")})
