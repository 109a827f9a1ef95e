"""Runtime settings of the integration, read from environment variables.

The same variables configure the embedded default (Airflow standalone on SQLite)
and a production deployment (docker-compose sets them for every container).
Intacct credentials are not here: they come from the Airflow connection
``intacct_default`` or the ``INTACCT_*`` variables (see ``include.intacct``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DOC_TYPES = ("ar_invoice", "ap_bill", "journal_entry")
CLOSED_PERIOD_POLICIES = ("hold", "next_open_period", "manual")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    integration_db_url: str  # ledger + reference store
    erp_source: str  # SQLAlchemy URL or CSV folder of the ERP
    company_timezone: str
    schedule_timezone: str
    reference_max_age_hours: float
    master_data_lookback_minutes: int
    chunk_size: int
    intacct_pool: str
    closed_period_policy: dict[str, str] = field(default_factory=dict)
    payment_term_auto_create: bool = False
    term_mapping_file: Path | None = None
    # How long a claim stays someone's without a sign of life (a heartbeat while its run's task works,
    # or Airflow showing the run still running): the one lease of every claim the product takes.
    claim_lease_seconds: float = 900.0

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


def _policy_map(raw: str) -> dict[str, str]:
    """``ar_invoice=hold,ap_bill=next_open_period``; unnamed types default to hold."""
    policy = dict.fromkeys(DOC_TYPES, "hold")
    for part in filter(None, (p.strip() for p in raw.split(","))):
        doc_type, sep, value = part.partition("=")
        doc_type, value = doc_type.strip(), value.strip()
        if not sep or doc_type not in DOC_TYPES or value not in CLOSED_PERIOD_POLICIES:
            raise SettingsError(
                f"INTEGRATION_CLOSED_PERIOD_POLICY entry {part!r} is not <doc type>=<policy> with doc type in "
                f"{DOC_TYPES} and policy in {CLOSED_PERIOD_POLICIES}"
            )
        policy[doc_type] = value
    return policy


def number_setting(env: Mapping[str, str], name: str, default: float, kind: type = float,
                   minimum: float = 0) -> float:
    """A numeric setting from ``env``: ``default`` when unset, else checked (type, ``minimum``)."""
    raw = env.get(name)
    if raw is not None:
        raw = raw.strip()
    if raw in (None, ""):
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a {'whole number' if kind is int else 'number'}") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} " + ("must not be negative" if minimum == 0 else
                                                  f"must be at least {minimum}"))
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("INTEGRATION_DATA_DIR") or REPO_ROOT / "data").resolve()
    company_tz = env.get("INTACCT_COMPANY_TIMEZONE") or "America/New_York"
    mapping = env.get("INTEGRATION_TERM_MAPPING_FILE")
    chunk_size = int(number_setting(env, "INTEGRATION_CHUNK_SIZE", 2000, int))
    if chunk_size < 1:
        raise SettingsError("INTEGRATION_CHUNK_SIZE must be at least 1")
    return Settings(
        data_dir=data_dir,
        integration_db_url=env.get("INTEGRATION_DB_URL") or f"sqlite:///{data_dir / 'integration.db'}",
        erp_source=env.get("ERP_SOURCE_URL") or f"sqlite:///{data_dir / 'erp.db'}",
        company_timezone=company_tz,
        schedule_timezone=env.get("INTEGRATION_SCHEDULE_TIMEZONE") or company_tz,
        reference_max_age_hours=number_setting(env, "INTEGRATION_REFERENCE_MAX_AGE_HOURS", 26.0),
        master_data_lookback_minutes=int(number_setting(env, "INTEGRATION_MASTER_DATA_LOOKBACK_MINUTES", 10, int)),
        chunk_size=chunk_size,
        intacct_pool=env.get("INTEGRATION_INTACCT_POOL") or "intacct_api",
        closed_period_policy=_policy_map(env.get("INTEGRATION_CLOSED_PERIOD_POLICY", "")),
        payment_term_auto_create=(env.get("INTEGRATION_PAYMENT_TERM_AUTO_CREATE", "false").lower()
                                  in ("1", "true", "yes")),
        term_mapping_file=Path(mapping).resolve() if mapping else REPO_ROOT / "config" / "term_mapping.csv",
        claim_lease_seconds=number_setting(env, "INTEGRATION_CLAIM_LEASE_SECONDS", 900.0, minimum=1),
    )
