"""OAuth 2.0 access tokens: minted with the client-credentials grant, kept until shortly before they
expire, minted once for many threads (single flight), never shown.

The grant (reference §2.3, GA since 2025 R1): ``POST {rest_url}/oauth2/token`` with
``grant_type=client_credentials``, ``client_id``, ``client_secret`` and ``username`` =
``<userId>@<companyId>`` or ``<userId>@<companyId>|<entityId>``, form-encoded as the production client
fylein sends it. The answer's ``expires_in`` says how long the token lives (no official lifetime is
documented; fylein falls back to 6 hours, which the store uses when it is missing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from include.intacct.masking import mask_secret

DEFAULT_LIFETIME_SECONDS = 21600.0


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # on the store's clock (monotonic seconds)
    minted_at: float = 0.0
    token_type: str = "Bearer"

    def __str__(self) -> str:
        return repr(self)

    @property
    def authorization(self) -> str:
        return f"Bearer {self.value}"


class TokenStore:
    """The current token of one connection, shared by its threads and its entity clients.

    ``get(mint)`` returns a token valid for at least ``refresh_margin`` more seconds; when there is
    none, exactly one caller mints (the others wait for it and use its token). ``invalidate(token)``
    forgets a token the API refused, unless another thread already replaced it."""

    def __init__(self, refresh_margin: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        self.mints = 0

    def current(self) -> AccessToken | None:
        token = self._token
        if token is None:
            return None
        # A token living less than twice the margin (a short-lived one) is renewed in its last fifth instead.
        lifetime_left = token.expires_at - self.clock()
        margin = min(self.refresh_margin, (token.expires_at - token.minted_at) / 5)
        return token if lifetime_left > margin else None

    def get(self, mint: Callable[[], tuple[str, float, str]]) -> AccessToken:
        token = self.current()
        if token is not None:
            return token
        with self._lock:
            token = self.current()  # a thread that waited finds the token the first one minted
            if token is not None:
                return token
            value, lifetime, token_type = mint()
            mask_secret(value)
            now = self.clock()
            token = AccessToken(value, now + (lifetime if lifetime > 0 else DEFAULT_LIFETIME_SECONDS), now,
                                token_type or "Bearer")
            self._token = token
            self.mints += 1
            return token

    def invalidate(self, token: AccessToken) -> bool:
        """Forget ``token`` if it is still the current one; True when it was (this caller saw the refusal first)."""
        with self._lock:
            if self._token is token:
                self._token = None
                return True
            return False

    def __repr__(self) -> str:
        return f"TokenStore(current={self._token!r}, mints={self.mints})"
