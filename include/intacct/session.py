"""The API session: id, endpoint and sliding expiry, shared by the client's threads.

The session id is a secret: it is never part of repr/str and is registered with
Airflow's masker when Airflow runs in this process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from include.intacct.masking import mask_secret


@dataclass(frozen=True)
class ApiSession:
    session_id: str = field(repr=False)
    endpoint: str
    expires_at: datetime | None = None
    location_id: str = ""

    def __str__(self) -> str:
        return repr(self)


class SessionStore:
    """Holds the current session. ``lock`` serialises logins so threads share one session."""

    def __init__(self, refresh_margin: float = 60.0):
        self.lock = threading.RLock()
        self._session: ApiSession | None = None
        self.refresh_margin = timedelta(seconds=refresh_margin)

    def current(self, now: datetime | None = None) -> ApiSession | None:
        session = self._session
        if session is None:
            return None
        if session.expires_at is not None and (now or datetime.now(UTC)) >= session.expires_at - self.refresh_margin:
            return None
        return session

    def store(self, session: ApiSession) -> None:
        mask_secret(session.session_id)
        self._session = session

    def slide(self, session_id: str, expires_at: datetime | None) -> None:
        """Every response's authentication block moves the expiry forward."""
        if expires_at is None:
            return
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        with self.lock:
            session = self._session
            if session is not None and session.session_id == session_id:
                self._session = ApiSession(session.session_id, session.endpoint, expires_at, session.location_id)

    def invalidate(self, session_id: str) -> bool:
        """Forget the session if it is still the current one; True when it was (the caller is the
        first to see this expiry: the others find a new session already in place)."""
        with self.lock:
            if self._session is not None and self._session.session_id == session_id:
                self._session = None
                return True
            return False

    def __repr__(self) -> str:
        return f"SessionStore(current={self._session!r})"
