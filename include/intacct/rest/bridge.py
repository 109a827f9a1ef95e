"""The session bridge: the XML API reached with the REST token, for what REST does not offer.

REST has no closed-books date (no such path in Sage's OpenAPI groups, reference §3.9) and no
financial-setup service; ``GET /services/core/session/id`` turns the REST token into an XML API
session id (reference §2.6, the way the production integration fylein drives both APIs with one
OAuth credential), and the XML functions ``get_closedbooksdate`` / ``getFinancialSetup`` run with it.
The XML request still carries the Web Services sender id and password (every XML request does),
which is why a REST connection names its sender too.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from include.intacct.errors import ResponseFormatError
from include.intacct.session import ApiSession
from include.intacct.xml_client import XmlClient

log = logging.getLogger("include.intacct")
SESSION_PATH = "/services/core/session/id"


class SessionBridge(XmlClient):
    """An XML client whose sessions come from a REST client's token instead of a user password."""

    def __init__(self, rest_client):
        self._rest = rest_client
        super().__init__(rest_client.config, retry_policy=rest_client.retry_policy, metrics=rest_client.metrics,
                         sleep=rest_client._sleep)

    def _login(self) -> ApiSession:
        reply = self._rest._call("GET", SESSION_PATH)
        self._rest._raise_for_status(reply, "the XML session of the REST token (GET /services/core/session/id)")
        result = reply.body.get("ia::result") if isinstance(reply.body, dict) else None
        session_id = str((result or {}).get("sessionId") or "")
        if not session_id:
            raise ResponseFormatError("GET /services/core/session/id answered without a sessionId",
                                      http_status=reply.status)
        try:
            lifetime = float((result or {}).get("expiresIn") or 0)
        except (TypeError, ValueError):
            lifetime = 0.0
        expires_at = datetime.now(UTC) + timedelta(seconds=lifetime) if lifetime > 0 else None
        session = ApiSession(session_id=session_id, endpoint=self.config.gateway_url, expires_at=expires_at,
                             location_id=self.config.entity_id or "")
        self.sessions.store(session)
        self.metrics.add("session_bridges")
        log.info("Opened an XML API session from the REST token (company %s) for what REST does not offer",
                 self.config.company_id)
        return session
