"""docs/reference/configuration.md: every environment variable the product's settings read, with the
defaults the code applies, and every field of the Intacct connection (``IntacctConfig``).

The variables are found by running the code's own readers against an environment that records what
they ask for, so a variable the code reads but this page does not describe stops the generator.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from include.devtools.docs_markdown import note, page, table
from include.intacct.config import (
    DEFAULT_COMPANY_TIMEZONE,
    DEFAULT_GATEWAY_URL,
    DEFAULT_REST_URL,
    MAX_FUNCTIONS_PER_REQUEST,
    MAX_REST_RECORDS_PER_REQUEST,
    REQUIRED_FIELDS,
    IntacctConfig,
    gateway_beside,
)
from include.pipeline.breaker import threshold_from_env
from include.remediation.transient import retry_delays
from include.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parents[2]


class _RecordingEnv(dict):
    """An environment that remembers every variable a reader asks for."""

    def __init__(self):
        super().__init__()
        self.read: list[str] = []

    def _saw(self, name: str) -> None:
        if name not in self.read:
            self.read.append(name)

    def get(self, name, default=None):
        self._saw(name)
        return super().get(name, default)

    def __getitem__(self, name):
        self._saw(name)
        return super().__getitem__(name)

    def __contains__(self, name):
        self._saw(name)
        return super().__contains__(name)


@dataclass(frozen=True)
class _Setting:
    name: str
    read: Callable[[Mapping[str, str]], Any]  # the product's own reader, given an environment
    meaning: str


def _settings() -> tuple[_Setting, ...]:
    def attribute(name: str) -> Callable[[Mapping[str, str]], Any]:
        return lambda env: getattr(load_settings(env), name)

    return (
        _Setting("INTEGRATION_DATA_DIR", attribute("data_dir"), "reports, the default SQLite files"),
        _Setting("INTEGRATION_DB_URL", attribute("integration_db_url"),
                 "the ledger and the reference store (PostgreSQL in production)"),
        _Setting("ERP_SOURCE_URL", attribute("erp_source"),
                 "your ERP: a SQLAlchemy URL or a CSV folder (see [the source contract](../erp/index.md))"),
        _Setting("INTACCT_COMPANY_TIMEZONE", attribute("company_timezone"), "the timezone of Intacct's timestamps"),
        _Setting("INTEGRATION_SCHEDULE_TIMEZONE", attribute("schedule_timezone"),
                 "the timezone of the nightly schedules; set Airflow's `AIRFLOW__CORE__DEFAULT_TIMEZONE` to the "
                 "same value, because `airflow backfill create` reads its dates in that timezone"),
        _Setting("INTEGRATION_REFERENCE_MAX_AGE_HOURS", attribute("reference_max_age_hours"),
                 "validation refuses master data older than this"),
        _Setting("INTEGRATION_MASTER_DATA_LOOKBACK_MINUTES", attribute("master_data_lookback_minutes"),
                 "incremental master-data reads re-read this much"),
        _Setting("INTEGRATION_CHUNK_SIZE", attribute("chunk_size"),
                 "documents per validation chunk (memory stays flat)"),
        _Setting("INTEGRATION_INTACCT_POOL", attribute("intacct_pool"),
                 "the Airflow pool capping the tenant's concurrency: one slot per worker that may call Intacct "
                 "at once; size it from the connection with `python -m include.intacct pool`"),
        _Setting("INTEGRATION_CLOSED_PERIOD_POLICY", attribute("closed_period_policy"),
                 "per document type: `ar_invoice=hold,ap_bill=next_open_period,journal_entry=manual` "
                 "(see [closed periods](../pipeline/remediation.md#closed-periods))"),
        _Setting("INTEGRATION_PAYMENT_TERM_AUTO_CREATE", attribute("payment_term_auto_create"),
                 "create a missing payment term in Intacct, then post"),
        _Setting("INTEGRATION_TERM_MAPPING_FILE", attribute("term_mapping_file"),
                 "ERP term name → exact Intacct term name (see [payment terms](../pipeline/remediation.md#payment-terms))"),
        _Setting("INTEGRATION_CLAIM_LEASE_SECONDS", attribute("claim_lease_seconds"),
                 "how long a claim stays its run's without a sign of life (a heartbeat while the run's task "
                 "works, or Airflow showing the run still running); see "
                 "[the ledger](../pipeline/ledger.md#safe-with-parallel-runs-and-crashed-workers)"),
        _Setting("INTEGRATION_TRANSIENT_RETRY_DELAYS", retry_delays,
                 "seconds to wait before each re-post of transient failures within a run, e.g. `5,20,60`"),
        _Setting("INTEGRATION_CIRCUIT_BREAKER_THRESHOLD", threshold_from_env,
                 "requests in a row failing transiently (after the client's retries) that stop a run's sending"),
    )


_PROBE = "Probe/Value"


def _shown_setting(value: Any, data_dir: Path) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict) and len(set(value.values())) == 1:
        return f"`{next(iter(value.values()))}` for every document type"
    if isinstance(value, dict):
        return "`" + ",".join(f"{k}={v}" for k, v in value.items()) + "`"
    if isinstance(value, tuple):
        return "`" + ",".join(_number(v) for v in value) + "`"
    if isinstance(value, int | float):
        return f"`{_number(value)}`"
    text = str(value).replace(f"{data_dir}/", "<data>/").replace(str(REPO_ROOT), "<repo>")
    return f"`{text}`"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _setting_default(setting: _Setting, others: tuple[_Setting, ...], data_dir: Path) -> str:
    """The default as the code applies it; one that takes another variable's value says so."""
    for other in others:
        if other.name == setting.name:
            continue
        try:
            if setting.read({other.name: _PROBE}) == _PROBE:
                return f"the value of `{other.name}`"
        except ValueError:
            continue  # the probe is not a valid value of that variable: it cannot be the one
    return _shown_setting(setting.read({}), data_dir)


def _environment_table() -> list[str]:
    settings = _settings()
    read: list[str] = []
    for reader in (load_settings, retry_delays, threshold_from_env):
        env = _RecordingEnv()
        reader(env)
        read += [name for name in env.read if name not in read]
    described = [s.name for s in settings]
    if set(read) != set(described):
        raise RuntimeError(
            "the configuration table and the code disagree: "
            f"read but not described {sorted(set(read) - set(described))}, "
            f"described but not read {sorted(set(described) - set(read))}; update _settings() in {__name__}")
    data_dir = load_settings({}).data_dir
    return table(("variable", "default", "meaning"),
                  [(f"`{s.name}`", _setting_default(s, settings, data_dir), s.meaning) for s in settings])


# What each IntacctConfig field is, in the connection and to a person. Every field needs one.
_CONNECTION_FIELDS: dict[str, str] = {
    "gateway_url": "XML: the gateway URL (a bare host name works too: Schema then holds the path, or "
                   "`http`/`https`; Port is used when set). REST: an optional override of where the "
                   "closed-books date is read",
    "sender_id": "the Web Services sender id (the sender must be authorized for the company). REST needs the "
                 "sender too: the company authorizes the sender behind the OAuth app, and the closed-books "
                 "date, which REST does not offer, is read through the XML API with the REST token's session",
    "sender_password": "the Web Services sender's password",
    "company_id": "the Intacct company id",
    "user_id": "the Web Services user id (e.g. `xml_gateway`)",
    "user_password": "XML: that user's password (REST does not use it)",
    "entity_id": "optional: the entity (location id) to sign in to in a multi-entity company (REST: the "
                 "token's <code>user@company&#124;entity</code>)",
    "transport": "`xml` (the XML gateway) or `rest` (the REST API, OAuth 2.0)",
    "rest_url": "REST: the API's base URL (a bare host name works as for XML)",
    "client_id": "REST: the OAuth app's client id, from the Sage developer console",
    "client_secret": "REST: the OAuth app's client secret, from the Sage developer console",
    "token_refresh_margin": "REST: seconds before its expiry a token is replaced",
    "company_timezone": "optional, REST: the company's timezone: REST answers timestamps in UTC, the facade "
                        "hands them over in the company's wall clock like the XML API",
    "connect_timeout": "seconds to wait for a connection",
    "read_timeout": "seconds to wait for an answer",
    "functions_per_request": "writes sent in one request",
    "max_concurrency": "the tenant's entitlement: requests in flight at once, all workers together (older "
                       "sources' tier 1; Sage's performance tiers give 6 per application at tier 1, 12 at tier 3)",
    "partitions": "how many worker processes share that entitlement: the size of the Airflow pool and the "
                  "number of load partitions; each keeps `max_concurrency / partitions` requests in flight",
    "max_retries": "retries of transient failures",
    "backoff_base": "seconds: retry n waits between half and all of `backoff_base × 2^(n-1)` (at most "
                    "`backoff_max`), unless Intacct says how long (`Retry-After`)",
    "backoff_max": "seconds: the longest wait between two retries",
    "max_response_bytes": "the largest answer the client reads; a bigger one is a transport error",
    "session_refresh_margin": "XML: seconds before its expiry a session is replaced",
}


def _connection_table() -> list[str]:
    config_fields = fields(IntacctConfig)
    names = [f.name for f in config_fields]
    if set(names) != set(_CONNECTION_FIELDS):
        raise RuntimeError(
            "the connection table and IntacctConfig disagree: "
            f"fields without a row {sorted(set(names) - set(_CONNECTION_FIELDS))}, "
            f"rows without a field {sorted(set(_CONNECTION_FIELDS) - set(names))}; update {__name__}")
    slots = _connection_slots()
    prefix = inspect.signature(IntacctConfig.from_env).parameters["prefix"].default
    derived = {
        "gateway_url": f"XML: `{DEFAULT_GATEWAY_URL}`; REST: the XML gateway of the REST host "
                       f"(`{gateway_beside(DEFAULT_REST_URL)}`)",
        "company_timezone": f"`INTACCT_COMPANY_TIMEZONE`, else `{DEFAULT_COMPANY_TIMEZONE}`",
    }
    limits = {"functions_per_request": f" (at most {MAX_FUNCTIONS_PER_REQUEST} on XML, "
                                       f"{MAX_REST_RECORDS_PER_REQUEST} records on REST)"}
    rows = []
    for f in config_fields:
        required = [transport for transport, needed in REQUIRED_FIELDS.items() if f.name in needed]
        if len(required) == len(REQUIRED_FIELDS):
            default = "required"
        elif required:
            default = f"required ({', '.join(t.upper() for t in required)})"
        elif f.name in derived:
            default = derived[f.name]
        else:
            default = _shown_field_default(f.name, f.default)
        rows.append((f"`{f.name}`", slots.get(f.name, f"extra `{f.name}`"), f"`{prefix}{f.name.upper()}`",
                     default, _CONNECTION_FIELDS[f.name] + limits.get(f.name, "")))
    return table(("field", "Airflow connection", "environment variable", "default", "meaning"), rows)


def _shown_field_default(name: str, default: Any) -> str:
    if default is MISSING or default is None or default == "":
        return "none"
    if name.endswith("_bytes") and default % 2**20 == 0:
        return f"`{default}` ({default // 2**20} MB)"
    if isinstance(default, int | float):
        return f"`{_number(default)}`"
    return f"`{default}`"


def _connection_slots() -> dict[str, str]:
    """Where an Airflow connection holds the fields that are not extras, checked against the code."""
    slots = {"user_id": "Login", "user_password": "Password",
             "gateway_url": "Host (XML), or extra `gateway_url`", "rest_url": "Host (REST), or extra `rest_url`"}
    extra = {"sender_id": "s", "sender_password": "sp", "company_id": "c"}
    xml = IntacctConfig.from_connection_fields(
        conn_id="probe", host="https://xml.example/gw", schema=None, login="probe-login", password="probe-password",
        extra=extra)
    rest = IntacctConfig.from_connection_fields(
        conn_id="probe", host="https://rest.example/api", schema=None, login="probe-login", password=None,
        extra={**extra, "transport": "rest", "client_id": "i", "client_secret": "cs"})
    if (xml.user_id, xml.user_password, xml.gateway_url, rest.rest_url) != (
            "probe-login", "probe-password", "https://xml.example/gw", "https://rest.example/api"):
        raise RuntimeError(f"IntacctConfig.from_connection_fields no longer maps Host/Login/Password as "
                           f"{__name__} says; update _connection_slots()")
    return slots


def render_configuration() -> str:
    return page(
        "# Configuration",
        "",
        note("include/settings.py, include/remediation/transient.py, include/pipeline/breaker.py and "
              "include/intacct/config.py"),
        "",
        "Secrets (the sender and user passwords, the client secret) come only from the Airflow connection "
        "`intacct_default` or the `INTACCT_*` environment variables; never from code, logs, XCom, the ledger "
        "or reports. Defaults are the ones the code applies when a variable is unset or empty "
        "(`<repo>` is the repository, `<data>` the data directory).",
        "",
        "## Environment variables",
        "",
        "Every variable the product's settings read, for every Airflow component (scheduler, workers, "
        "api-server, ...) alike:",
        "",
        *_environment_table(),
        "",
        "The alerts have their own settings: [Alerts](../operations/alerts.md). The sandbox takes its "
        "options on its command line: [the sandbox](../sandbox.md#start-it).",
        "",
        "## The Intacct connection",
        "",
        "Every field of the client's configuration (`IntacctConfig`): where an Airflow connection holds it "
        "(`intacct_default` unless a DAG says otherwise; every field not in Host, Login or Password is a key "
        "of the connection's extra), the environment variable that sets it outside Airflow, and its default. "
        "How to fill them in: [The Intacct connection](../connect/connection.md).",
        "",
        *_connection_table(),
    )
