"""OAuth 2.0 for the sandbox's REST API: the token endpoint and the bearer tokens it issues.

``POST /ia/api/v1/oauth2/token`` takes the client-credentials grant (``client_id``, ``client_secret``,
``username`` = ``user@company`` or ``user@company|entity``) and the refresh-token grant (refresh
tokens rotate), form-encoded or JSON (working clients send both, reference §2.3). A token is a JWT
(HS256, signed with a key of this server process) carrying the user, company, entity and client.
The OAuth app behind a client id belongs to a Web Services sender; the company must authorize that
sender, as for the XML API (reference §2.1), or the grant is refused with GW-0011.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from include import demo_company as demo
from include.intacct_sandbox.options import UNAUTHORIZED_SENDER_ID
from include.intacct_sandbox.rest import envelope

# The sandbox's OAuth apps: client id -> the sender it was registered with.
DEFAULT_CLIENT_ID = "demo_client"
UNAUTHORIZED_CLIENT_ID = "other_client"  # an app of the sender that DEMO has not authorized
CLIENT_SENDERS = {DEFAULT_CLIENT_ID: demo.SANDBOX_SENDER_ID, UNAUTHORIZED_CLIENT_ID: UNAUTHORIZED_SENDER_ID}
_SIGNING_KEY = secrets.token_bytes(32)  # tokens do not outlive the server process


@dataclass(frozen=True)
class Identity:
    company: str
    user_id: str
    entity_id: str
    client_id: str
    sender_id: str
    issued_at: float
    token_id: str


class AuthError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(status)
        self.status, self.body = status, body


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(claims: dict) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(_SIGNING_KEY, f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return f"{head}.{payload}.{_b64(signature)}"


def _verify(token: str) -> dict | None:
    try:
        head, payload, signature = token.split(".")
        expected = hmac.new(_SIGNING_KEY, f"{head}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        return json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None


def _fail(status: int, code: str, message: str) -> AuthError:
    return AuthError(*envelope.gateway_error(status, code, message))


def parse_token_request(body: bytes, content_type: str) -> dict[str, str]:
    """The grant's fields, from a form or a JSON body."""
    if "json" in content_type:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise _fail(400, "GW-0035", "Missing Token Payload") from None
        if not isinstance(data, dict):
            raise _fail(400, "GW-0035", "Missing Token Payload")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    for name in ("client_id", "username"):
        if len(fields.get(name, [])) > 1:
            raise _fail(400, "GW-0038" if name == "client_id" else "GW-0039",
                        "Multiple Client IDs" if name == "client_id" else "Multiple Usernames")
    return {k: v[-1] for k, v in fields.items()}


class OAuth:
    """The token endpoint and token checks of one sandbox."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.refresh_tokens: dict[str, dict] = {}
        # company -> sandbox time before which its tokens are refused (expire-sessions, session_expiry fault)
        self.revoked_before: dict[str, float] = {}

    def _now(self) -> float:
        return self.sandbox.now().timestamp()

    def token(self, body: bytes, content_type: str) -> tuple[int, dict]:
        fields = parse_token_request(body, content_type)
        grant = fields.get("grant_type", "")
        if not fields.get("client_id"):
            raise _fail(400, "GW-0037", "Missing Client ID")
        client_id = fields["client_id"]
        secret = self.sandbox.options.client_secret
        if client_id not in CLIENT_SENDERS or not hmac.compare_digest(
                fields.get("client_secret", "").encode(), secret.encode()):
            raise _fail(401, "GW-0011", "Invalid Request: the client ID or client secret is invalid or inactive")
        if grant == "client_credentials":
            claims = self._claims_for_user(client_id, fields)
        elif grant == "refresh_token":
            previous = self.refresh_tokens.pop(fields.get("refresh_token", ""), None)
            if previous is None or previous["client_id"] != client_id:
                raise AuthError(400, {"error": {"code": "tokenInvalid", "message": "Token is not valid",
                                                "errorId": "REST-2102"}})
            claims = previous
        else:
            raise _fail(400, "GW-0032", f"Invalid Token Payload: unsupported grant_type '{grant}'")
        return 200, self._issue(claims)

    def _claims_for_user(self, client_id: str, fields: dict[str, str]) -> dict:
        username = fields.get("username", "").strip()
        if not username:
            raise _fail(400, "GW-0036", "Missing User Name")
        user_id, at, tenant = username.partition("@")
        company, _, entity_id = tenant.partition("|")
        if not at or not company:
            raise _fail(400, "GW-0012", "Missing Tenant Data: the username must be user@company or "
                                        "user@company|entity")
        sandbox = self.sandbox
        sender = CLIENT_SENDERS[client_id]
        if company not in sandbox.companies or user_id != demo.SANDBOX_USER_ID:
            raise _fail(401, "GW-0011", f"Invalid Request: user '{user_id}' of company '{company}' is invalid or "
                                        "inactive")
        if company not in sandbox.senders.companies.get(sender, set()):
            raise _fail(401, "GW-0011", f"Invalid Request: the sender ID '{sender}' of this client is not authorized "
                                        f"to make Web Services requests to company ID '{company}'")
        if entity_id and sandbox.store.find_by_key(company, "LOCATIONENTITY", entity_id) is None:
            raise _fail(401, "GW-0011", f"Invalid Request: invalid entity '{entity_id}' specified for company "
                                        f"'{company}'")
        return {"client_id": client_id, "user_id": user_id, "cny_id": company, "entity_id": entity_id,
                "sender_id": sender}

    def _issue(self, claims: dict) -> dict:
        lifetime = int(self.sandbox.options.token_lifetime_seconds)
        now = self._now()
        token = _sign({**claims, "iss": "Sage Intacct sandbox", "iat": now, "exp": now + lifetime,
                       "jti": secrets.token_hex(8)})
        refresh = secrets.token_urlsafe(32)
        if len(self.refresh_tokens) > 10_000:  # forgotten refresh tokens do not pile up
            self.refresh_tokens.clear()
        self.refresh_tokens[refresh] = claims
        return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "refresh_token": refresh}

    def identify(self, authorization: str) -> Identity:
        """The identity of a request's bearer token; AuthError (401) for a missing, broken, expired or
        revoked one."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _fail(401, "GW-0034", "Invalid Authorization Header")
        claims = _verify(token.strip())
        if claims is None:
            raise _fail(401, "GW-0031", "Invalid Token")
        now = self._now()
        if float(claims.get("exp", 0)) <= now or float(claims.get("iat", 0)) < self.revoked_before.get(
                claims.get("cny_id", ""), float("-inf")):
            raise _fail(401, "GW-0031", "Invalid Token: the token has expired")
        return Identity(claims["cny_id"], claims["user_id"], claims.get("entity_id", ""), claims["client_id"],
                        claims["sender_id"], float(claims["iat"]), claims.get("jti", ""))

    def revoke(self, company: str | None) -> None:
        """Every token of ``company`` (None: of every company) issued so far is refused from now on."""
        # A token issued in this same second stays valid: the clock's second must have passed.
        moment = self._now() + 1e-6
        for name in [company] if company else list(self.sandbox.companies):
            self.revoked_before[name] = moment


def company_of_username(body: bytes) -> str:
    """The company a token request names (for the concurrency limit and counters), '' when unreadable."""
    try:
        text = body.decode("utf-8", "replace")
        if text.lstrip().startswith("{"):
            username = str(json.loads(text).get("username") or "")
        else:
            username = parse_qs(text).get("username", [""])[-1]
    except (ValueError, AttributeError):
        return ""
    return username.partition("@")[2].partition("|")[0]
