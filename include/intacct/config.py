"""Client configuration, from an Airflow connection's fields or from environment variables.

One connection speaks one of Intacct's two APIs (``transport``): the XML gateway (``xml``, the
default) or the REST API (``rest``, OAuth 2.0 client credentials). Secrets (sender password,
user password, client secret) are excluded from ``repr``/``str``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

DEFAULT_CONN_ID = "intacct_default"  # the Airflow connection the product uses unless told otherwise
DEFAULT_GATEWAY_URL = "https://api.intacct.com/ia/xml/xmlgw.phtml"
DEFAULT_REST_URL = "https://api.intacct.com/ia/api/v1"
MAX_FUNCTIONS_PER_REQUEST = 1000
# "You can include at most 500 records in a batch request" (Sage's REST guide, bulk-requests).
MAX_REST_RECORDS_PER_REQUEST = 500
TRANSPORTS = ("xml", "rest")
# The product's default company timezone (include.settings reads the same variable).
DEFAULT_COMPANY_TIMEZONE = "America/New_York"
XML_GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
# Credentials each transport needs. REST still needs the sender: the company authorizes the sender id
# behind the OAuth app, and the one call REST lacks (the closed-books date) goes through the XML API.
_COMMON_REQUIRED = ("sender_id", "sender_password", "company_id", "user_id")
REQUIRED_FIELDS = {"xml": (*_COMMON_REQUIRED, "user_password"),
                   "rest": (*_COMMON_REQUIRED, "client_id", "client_secret")}


class ConfigError(ValueError):
    """The configuration is incomplete or invalid; the message names the field."""


@dataclass(frozen=True)
class IntacctConfig:
    gateway_url: str = ""  # the XML gateway (for REST: where the closed-books bridge goes; derived when empty)
    sender_id: str = ""
    sender_password: str = field(default="", repr=False)
    company_id: str = ""
    user_id: str = ""
    user_password: str = field(default="", repr=False)  # XML only: REST signs in with the client credentials
    entity_id: str | None = None
    transport: str = "xml"  # xml | rest
    rest_url: str = DEFAULT_REST_URL
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    token_refresh_margin: float = 300.0  # a token is replaced this many seconds before it expires
    # REST answers timestamps in UTC; the facade hands them over like the XML API, in the company's wall
    # clock. Empty: INTACCT_COMPANY_TIMEZONE, else America/New_York (as include.settings).
    company_timezone: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    functions_per_request: int = 100
    max_concurrency: int = 2  # the tenant's entitlement: requests in flight at once, all workers together
    partitions: int = 1  # worker processes that share it (the Airflow pool's size)
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_response_bytes: int = 50 * 1024 * 1024
    session_refresh_margin: float = 60.0

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise ConfigError(f"Intacct transport must be one of {', '.join(TRANSPORTS)}, got {self.transport!r}")
        for name in REQUIRED_FIELDS[self.transport]:
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"Intacct configuration is missing {name}" + (
                    " (required by the REST transport)" if self.transport == "rest" and name != "company_id" else ""))
        if self.transport == "rest":
            if not isinstance(self.rest_url, str) or not self.rest_url.startswith(("http://", "https://")):
                raise ConfigError(f"Intacct rest_url must start with http:// or https://, got {self.rest_url!r}")
            if not self.gateway_url:
                object.__setattr__(self, "gateway_url", gateway_beside(self.rest_url))
        elif not self.gateway_url:
            raise ConfigError("Intacct configuration is missing gateway_url")
        if not self.gateway_url.startswith(("http://", "https://")):
            raise ConfigError(f"Intacct gateway_url must start with http:// or https://, got {self.gateway_url!r}")
        if self.company_timezone:
            _check_timezone(self.company_timezone)
        records_limit = MAX_REST_RECORDS_PER_REQUEST if self.transport == "rest" else MAX_FUNCTIONS_PER_REQUEST
        positive_ints = {
            "functions_per_request": (1, records_limit),
            "max_concurrency": (1, 64),
            "partitions": (1, 64),
            "max_retries": (0, 100),
            "max_response_bytes": (1024, 2**40),
        }
        for name, (low, high) in positive_ints.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"Intacct {name} must be an integer between {low} and {high}, got {value!r}")
        for name in ("connect_timeout", "read_timeout", "backoff_base", "backoff_max", "session_refresh_margin",
                     "token_refresh_margin"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"Intacct {name} must be a non-negative number, got {value!r}")

        if self.partitions > self.max_concurrency:
            raise ConfigError(f"Intacct partitions ({self.partitions}) cannot exceed max_concurrency "
                              f"({self.max_concurrency}): each worker needs at least one request slot")

    def __str__(self) -> str:
        return repr(self)

    @property
    def timezone(self) -> str:
        """The company's timezone: the one Intacct's XML timestamps are in."""
        return self.company_timezone or os.environ.get("INTACCT_COMPANY_TIMEZONE") or DEFAULT_COMPANY_TIMEZONE

    @property
    def endpoint(self) -> str:
        """Where this connection's requests go: the XML gateway or the REST API's base URL."""
        return self.rest_url if self.transport == "rest" else self.gateway_url

    @property
    def requests_per_worker(self) -> int:
        """Requests one worker process keeps in flight: its share of the tenant's concurrency. Every
        task that calls Intacct holds one slot of the pool (``partitions`` slots), so together they
        never exceed ``max_concurrency``."""
        return self.max_concurrency // self.partitions

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> IntacctConfig:
        """Build from a dict of field names; numeric strings are converted, unknown keys rejected."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"Unknown Intacct configuration field(s): {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            if value is None or value == "":
                continue
            kwargs[name] = _convert(name, value, known[name].type)
        transport = kwargs["transport"] = _transport(kwargs.get("transport", "xml"))
        missing = [n for n in REQUIRED_FIELDS[transport] if n not in kwargs]
        if missing:
            raise ConfigError(f"Intacct configuration is missing {', '.join(missing)}")
        if transport == "xml":
            kwargs.setdefault("gateway_url", DEFAULT_GATEWAY_URL)
        return cls(**kwargs)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, prefix: str = "INTACCT_") -> IntacctConfig:
        """Read INTACCT_GATEWAY_URL, INTACCT_SENDER_ID, INTACCT_SENDER_PASSWORD, INTACCT_COMPANY_ID,
        INTACCT_USER_ID, INTACCT_USER_PASSWORD, INTACCT_ENTITY_ID (for REST: INTACCT_TRANSPORT=rest,
        INTACCT_REST_URL, INTACCT_CLIENT_ID, INTACCT_CLIENT_SECRET) and the tuning variables named
        after the fields (INTACCT_FUNCTIONS_PER_REQUEST, INTACCT_MAX_CONCURRENCY, ...)."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            key = prefix + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        transport = _transport(values.get("transport") or "xml")
        missing = [prefix + n.upper() for n in REQUIRED_FIELDS[transport] if not values.get(n)]
        if missing:
            raise ConfigError(f"Intacct configuration is missing environment variable(s) {', '.join(missing)}")
        return cls.from_mapping(values)

    @classmethod
    def from_connection_fields(
        cls,
        *,
        conn_id: str,
        host: str | None,
        schema: str | None,
        login: str | None,
        password: str | None,
        port: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> IntacctConfig:
        """Map an Airflow connection: host/schema/port -> gateway URL (REST: the API's base URL), login ->
        user id, password -> user password (XML), extras -> sender_id, sender_password, company_id,
        entity_id, transport, client_id, client_secret (REST) and tuning fields."""
        extra = dict(extra or {})
        transport = _transport(extra.get("transport") or "xml")
        values: dict[str, Any] = {"user_id": login, "user_password": password}
        if transport == "rest":
            values["rest_url"] = extra.pop("rest_url", None) or _rest_url(host, schema, port)
            values["gateway_url"] = extra.pop("gateway_url", None) or gateway_beside(values["rest_url"])
        else:
            values["gateway_url"] = extra.pop("gateway_url", None) or _gateway_url(host, schema, port)
        values.update(extra)
        missing = [n for n in REQUIRED_FIELDS[transport] if not values.get(n)]
        if missing:
            where = {"user_id": "login", "user_password": "password"}
            named = ", ".join(f"{n} ({'connection ' + where[n] if n in where else 'extra'})" for n in missing)
            raise ConfigError(f"Airflow connection {conn_id!r} is missing {named}")
        try:
            return cls.from_mapping(values)
        except ConfigError as exc:
            raise ConfigError(f"Airflow connection {conn_id!r}: {exc}") from None


def _transport(value: Any) -> str:
    text = str(value or "xml").strip().lower()
    if text not in TRANSPORTS:
        raise ConfigError(f"Intacct transport must be one of {', '.join(TRANSPORTS)}, got {value!r}")
    return text


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"Intacct company_timezone {name!r} is not a timezone (e.g. America/New_York)") from None


def gateway_beside(rest_url: str) -> str:
    """The XML gateway of the host that serves ``rest_url`` (Intacct serves both APIs from api.intacct.com)."""
    from urllib.parse import urlsplit

    parts = urlsplit(rest_url)
    return f"{parts.scheme}://{parts.netloc}{XML_GATEWAY_PATH}"


def _url(host: str | None, schema: str | None, port: int | None, default: str, default_path: str) -> str:
    if not host:
        return default
    if host.startswith(("http://", "https://")):
        return host
    scheme = "https"
    if schema in ("http", "https"):
        scheme, schema = schema, None
    netloc = f"{host}:{port}" if port else host
    path = schema or default_path
    return f"{scheme}://{netloc}/{path.lstrip('/')}"


def _gateway_url(host: str | None, schema: str | None, port: int | None) -> str:
    return _url(host, schema, port, DEFAULT_GATEWAY_URL, "ia/xml/xmlgw.phtml")


def _rest_url(host: str | None, schema: str | None, port: int | None) -> str:
    return _url(host, schema, port, DEFAULT_REST_URL, "ia/api/v1").rstrip("/")


def _convert(name: str, value: Any, annotation: Any) -> Any:
    text = str(annotation)
    try:
        if text == "int":
            return int(value)
        if text == "float":
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"Intacct {name} must be a number, got {value!r}") from None
    if text.startswith("str") and not isinstance(value, str):
        raise ConfigError(f"Intacct {name} must be a string, got {type(value).__name__}")
    return value

