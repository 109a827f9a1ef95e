"""Client configuration, from an Airflow connection's fields or from environment variables.

Secrets (sender password, user password) are excluded from ``repr``/``str``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_GATEWAY_URL = "https://api.intacct.com/ia/xml/xmlgw.phtml"
MAX_FUNCTIONS_PER_REQUEST = 1000


class ConfigError(ValueError):
    """The configuration is incomplete or invalid; the message names the field."""


@dataclass(frozen=True)
class IntacctConfig:
    gateway_url: str
    sender_id: str
    sender_password: str = field(repr=False)
    company_id: str
    user_id: str
    user_password: str = field(repr=False)
    entity_id: str | None = None
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
        for name in ("gateway_url", "sender_id", "sender_password", "company_id", "user_id", "user_password"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"Intacct configuration is missing {name}")
        if not self.gateway_url.startswith(("http://", "https://")):
            raise ConfigError(f"Intacct gateway_url must start with http:// or https://, got {self.gateway_url!r}")
        positive_ints = {
            "functions_per_request": (1, MAX_FUNCTIONS_PER_REQUEST),
            "max_concurrency": (1, 64),
            "partitions": (1, 64),
            "max_retries": (0, 100),
            "max_response_bytes": (1024, 2**40),
        }
        for name, (low, high) in positive_ints.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"Intacct {name} must be an integer between {low} and {high}, got {value!r}")
        for name in ("connect_timeout", "read_timeout", "backoff_base", "backoff_max", "session_refresh_margin"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"Intacct {name} must be a non-negative number, got {value!r}")

        if self.partitions > self.max_concurrency:
            raise ConfigError(f"Intacct partitions ({self.partitions}) cannot exceed max_concurrency "
                              f"({self.max_concurrency}): each worker needs at least one request slot")

    def __str__(self) -> str:
        return repr(self)

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
        missing = [
            n for n in ("sender_id", "sender_password", "company_id", "user_id", "user_password") if n not in kwargs
        ]
        if missing:
            raise ConfigError(f"Intacct configuration is missing {', '.join(missing)}")
        kwargs.setdefault("gateway_url", DEFAULT_GATEWAY_URL)
        return cls(**kwargs)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, prefix: str = "INTACCT_") -> IntacctConfig:
        """Read INTACCT_GATEWAY_URL, INTACCT_SENDER_ID, INTACCT_SENDER_PASSWORD, INTACCT_COMPANY_ID,
        INTACCT_USER_ID, INTACCT_USER_PASSWORD, INTACCT_ENTITY_ID and the tuning variables named
        after the fields (INTACCT_FUNCTIONS_PER_REQUEST, INTACCT_MAX_CONCURRENCY, ...)."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            key = prefix + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        missing = [
            prefix + n.upper()
            for n in ("sender_id", "sender_password", "company_id", "user_id", "user_password")
            if not values.get(n)
        ]
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
        """Map an Airflow connection: host/schema/port -> gateway URL, login -> user id,
        password -> user password, extras -> sender_id, sender_password, company_id, entity_id
        and tuning fields."""
        extra = dict(extra or {})
        values: dict[str, Any] = {"user_id": login, "user_password": password}
        values["gateway_url"] = extra.pop("gateway_url", None) or _gateway_url(host, schema, port)
        values.update(extra)
        missing = [
            n for n in ("sender_id", "sender_password", "company_id", "user_id", "user_password") if not values.get(n)
        ]
        if missing:
            where = {"user_id": "login", "user_password": "password"}
            named = ", ".join(f"{n} ({'connection ' + where[n] if n in where else 'extra'})" for n in missing)
            raise ConfigError(f"Airflow connection {conn_id!r} is missing {named}")
        try:
            return cls.from_mapping(values)
        except ConfigError as exc:
            raise ConfigError(f"Airflow connection {conn_id!r}: {exc}") from None


def _gateway_url(host: str | None, schema: str | None, port: int | None) -> str:
    if not host:
        return DEFAULT_GATEWAY_URL
    if host.startswith(("http://", "https://")):
        return host
    scheme = "https"
    if schema in ("http", "https"):
        scheme, schema = schema, None
    netloc = f"{host}:{port}" if port else host
    path = schema or "ia/xml/xmlgw.phtml"
    return f"{scheme}://{netloc}/{path.lstrip('/')}"


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


DEFAULT_CONN_ID = "intacct_default"


def resolve_config(conn_id: str | None = None) -> IntacctConfig:
    """The configuration the product's tasks and commands use: the Airflow connection
    (``conn_id``, default intacct_default); without an explicit ``conn_id``, the INTACCT_*
    variables when that connection cannot be resolved (or Airflow is not installed) and
    INTACCT_GATEWAY_URL is set."""
    try:
        from include.intacct.hook import IntacctHook

        return IntacctHook(conn_id or DEFAULT_CONN_ID).get_config()
    except ConfigError:
        raise
    except Exception as exc:  # no such Airflow connection (or no Airflow): the environment, if it is set
        if conn_id is not None or not os.environ.get("INTACCT_GATEWAY_URL"):
            raise ConfigError(f"No usable Airflow connection {conn_id or DEFAULT_CONN_ID!r} "
                              f"({type(exc).__name__}: {exc}); set it, or the INTACCT_* environment variables "
                              "(INTACCT_GATEWAY_URL, INTACCT_SENDER_ID, ...)") from None
        log.info("Airflow connection %s unavailable (%s); using the INTACCT_* environment",
                 conn_id or DEFAULT_CONN_ID, type(exc).__name__)
    return IntacctConfig.from_env()
