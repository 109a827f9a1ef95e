"""A night of the transactions pipeline against the sandbox, without Airflow.

Builds the settings (integration database, ERP, data folder in a temporary
directory), generates the ERP with the synthetic generator, refreshes master
data from the sandbox into the reference store, then runs the same step
functions the DAG's tasks call, in the DAG's order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from include.erp.generate import generate
from include.intacct import IntacctClient, IntacctConfig
from include.masterdata import run as masterdata
from include.masterdata.streams import ALL_STREAM_NAMES
from include.pipeline import steps
from include.remediation import HANDLERS
from include.settings import load_settings


def client_config(sandbox, transport: str = "xml", options: dict | None = None) -> IntacctConfig:
    """The sandbox connection over ``transport``, with ``options`` overriding fields. On REST the user signs in
    with the OAuth client's secret, so an overridden ``user_password`` (a test of refused credentials) stands
    for a wrong client secret there."""
    options = dict(options or {})
    if transport == "xml":
        return IntacctConfig(**{**sandbox.config_kwargs, **options})
    company = options.get("company_id") or sandbox.config_kwargs["company_id"]
    if "user_password" in options:
        options["client_secret"] = options.pop("user_password")
    return IntacctConfig(**{**sandbox.process.config_kwargs(company, transport), **options})


def refresh_master_data(settings, client) -> None:
    """Read every master-data object from the sandbox into the reference store (as the master-data DAG does)."""
    from include.ledger import Ledger

    Ledger(settings.integration_db_url).migrate()
    for stream in ALL_STREAM_NAMES:
        masterdata.extract(stream, run_id="master-data-test", settings=settings, client=client)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database in WAL mode."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


@dataclass
class Night:
    tmp: Path
    sandbox: object
    as_of: date = field(default_factory=lambda: datetime.now(UTC).date())

    client_options: dict = field(default_factory=dict)  # IntacctConfig overrides, e.g. max_retries
    transport: str = "xml"  # the connection's API: xml (the gateway) or rest

    def __post_init__(self):
        self.erp_path = self.tmp / "erp.db"
        self.env = {
            "INTEGRATION_DATA_DIR": str(self.tmp / "data"),
            "INTEGRATION_DB_URL": f"sqlite:///{self.tmp / 'integration.db'}",
            "ERP_SOURCE_URL": f"sqlite:///{self.erp_path}",
            "INTEGRATION_CHUNK_SIZE": "500",
        }
        self.settings = load_settings(self.env)
        self.runs = 0

    def client(self) -> IntacctClient:
        return IntacctClient(client_config(self.sandbox, self.transport, self.client_options))

    def generate(self, *, lines: int, seed: int = 42, defect_rate: float | None = 0.0, **kwargs) -> dict:
        return generate(str(self.erp_path), lines=lines, seed=seed, as_of=self.as_of, defect_rate=defect_rate,
                        **kwargs)

    def refresh_master_data(self) -> None:
        refresh_master_data(self.settings, self.client())

    def use_integration_db(self, template: Path) -> None:
        """Start from a copy of an integration database (e.g. with fresh master data)."""
        copy_sqlite(template, self.tmp / "integration.db")

    def night_interval(self) -> tuple[datetime, datetime]:
        """The scheduled data interval that ends the midnight after ``as_of`` (schedule timezone)."""
        zone = ZoneInfo(self.settings.schedule_timezone)
        start = datetime.combine(self.as_of, time(0), zone)
        return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)

    def context(self, run_type: str = "scheduled", params: dict | None = None, run_id: str | None = None,
                data_interval: tuple[datetime, datetime] | None = None) -> dict:
        self.runs += 1
        start, end = data_interval or self.night_interval()
        return {"run_id": run_id or f"{run_type}__test-{self.runs}", "params": params or {},
                "dag_run": SimpleNamespace(run_type=run_type, run_after=datetime.now(UTC)),
                "data_interval_start": start, "data_interval_end": end}

    def run(self, params: dict | None = None, *, before_load=None, **context_kwargs) -> dict:
        """One run, task by task as the DAG wires them; returns everything each step returned."""
        factory = self.client
        plan = steps.check(self.context(params=params, **context_kwargs), client_factory=factory,
                           settings=self.settings)
        extracted = [steps.extract_validate(t, plan, client_factory=factory, settings=self.settings)
                     for t in plan["doc_types"]]
        if before_load:
            before_load()
        loaded = [steps.load(plan, partition, client_factory=factory, settings=self.settings)
                  for partition in steps.load_partitions(plan)]
        routes = steps.route(plan, settings=self.settings)
        remediated = [steps.remediate(task_id.removeprefix("remediate_"), plan, client_factory=factory,
                                      settings=self.settings) for task_id in routes]
        assert all(task_id.removeprefix("remediate_") in {c.value for c in HANDLERS} for task_id in routes)
        metrics = [plan["check"]["api"], *(x.get("api") for x in loaded), *(x.get("api") for x in remediated)]
        summary = steps.reconcile(plan, extract=extracted, load=loaded, remediation=remediated, metrics=metrics,
                                  client_factory=factory, settings=self.settings)
        return {"plan": plan, "extracted": extracted, "loaded": loaded, "routes": routes,
                "remediated": remediated, "summary": summary}


def assigned_error_classes(ledger, documents) -> dict[str, str | None]:
    """The error class the pipeline assigned to each manifest document (its first failure in the
    event log), whatever a remediation route did afterwards (e.g. pushed a missing customer and posted)."""
    assigned = {}
    for document in documents:
        failures = [e for e in ledger.events(document["doc_type"], document["key"]) if e.kind == "failed"]
        assigned[document["key"]] = (failures[0].details or {}).get("error_class") if failures else None
    return assigned
