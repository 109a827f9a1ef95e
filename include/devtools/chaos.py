"""A night under chaos: the transactions pipeline against a sandbox that injects random faults,
with the load worker killed mid-way, then an audit of the ledger against Intacct.

The night runs the same step functions the DAG's tasks call, in the DAG's order, each with the
retries its task has in Airflow (``TASK_RETRIES``): a step that raises is run again, as Airflow
would; a step that fails for good, or raises AirflowFailException, is a night that needed a
person. The first attempt of the load runs in a worker process that is SIGKILLed once part of
the documents are in Intacct; its task retry runs in this process.

The audit compares three views once the faults are cleared: the ERP's documents, the ledger,
and what Intacct holds (the sandbox's admin API). Used by ``bench/chaos.py`` (10,000+ documents)
and by a CI-sized test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from include.settings import REPO_ROOT

DOC_TYPES = ("ar_invoice", "ap_bill", "journal_entry")
POSTED_OBJECT = {"ar_invoice": ("ARINVOICE", "RECORDID"), "ap_bill": ("APBILL", "RECORDID"),
                 "journal_entry": ("GLBATCH", "REFERENCENO")}
# Rates of each fault per request: about what a bad night at a real tenant shows.
DEFAULT_FAULT_RATES = {"rate_limit": 0.04, "bad_gateway": 0.03, "unavailable": 0.03, "timeout_after_commit": 0.03,
                       "drop_connection": 0.02, "session_expiry": 0.02}
TASK_RETRIES = 3  # default_args["retries"] of the transactions DAG; reconcile has none

LOAD_IN_A_WORKER = """
import json, sys
from include.intacct import IntacctClient, IntacctConfig
from include.pipeline import steps
plan = json.load(open(sys.argv[1]))
steps.load(plan, int(sys.argv[2]), client_factory=lambda: IntacctClient(IntacctConfig.from_env()))
"""


@dataclass
class ChaosOptions:
    lines: int = 30_000  # ERP document lines; documents are about a third of it
    seed: int = 11  # of the ERP data and of the faults
    fault_rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FAULT_RATES))
    fault_target: str = "all"
    kill_at: float = 0.3  # SIGKILL the load's first attempt once this share of the documents is in Intacct
    functions_per_request: int = 20  # smaller than a real night's 100: more requests meet more faults
    max_concurrency: int = 2
    latency_ms: float = 20.0
    function_latency_ms: float = 1.0
    workdir: Path | None = None


@dataclass
class ChaosReport:
    documents: int = 0
    requests: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    killed: dict[str, int] = field(default_factory=dict)  # recorded / in Intacct when the worker died
    tasks: dict[str, int] = field(default_factory=dict)  # task -> attempts it took
    posted_once: int = 0
    duplicated: int = 0
    lost: list[str] = field(default_factory=list)
    left_for_next_run: list[str] = field(default_factory=list)  # recorded as retryable, not in Intacct
    mismatches: list[str] = field(default_factory=list)
    person_actions: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.duplicated or self.lost or self.mismatches or self.person_actions)

    def to_json(self) -> dict:
        return {"documents": self.documents, "requests": self.requests, "faults": self.faults,
                "killed": self.killed, "tasks": self.tasks, "posted_once": self.posted_once,
                "duplicated": self.duplicated, "lost": len(self.lost), "left_for_next_run": len(self.left_for_next_run),
                "mismatches": len(self.mismatches), "person_actions": self.person_actions,
                "seconds": round(self.seconds, 1), "ok": self.ok}

    def text(self) -> str:
        faults = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items()) if n) or "none"
        lines = [
            f"documents:             {self.documents:,}",
            f"requests:              {self.requests:,} (faults injected: {sum(self.faults.values()):,}: {faults})",
            f"load worker killed:    after {self.killed.get('recorded', 0):,} recorded, "
            f"{self.killed.get('in_intacct', 0):,} in Intacct",
            f"posted exactly once:   {self.posted_once:,}",
            f"lost:                  {len(self.lost)}",
            f"duplicated:            {self.duplicated}",
            f"ledger vs Intacct:     {len(self.mismatches)} mismatch(es)",
            f"left for the next run: {len(self.left_for_next_run)} (recorded as retryable)",
            f"person action needed:  {'; '.join(self.person_actions) or 'none'}",
            f"task attempts:         {', '.join(f'{t} {n}' for t, n in self.tasks.items() if n > 1) or 'one each'}",
            f"took:                  {self.seconds:.1f} s",
        ]
        for title, items in (("lost", self.lost), ("mismatches", self.mismatches)):
            lines += [f"  {title}: {item}" for item in items[:20]]
        return "\n".join(lines)


class _Night:
    """The DAG's tasks as plain calls, each with its task's retries."""

    def __init__(self, report: ChaosReport):
        self.report = report

    def task(self, name: str, call: Callable[[], Any], retries: int = TASK_RETRIES, first_attempt: int = 1) -> Any:
        """Run ``call`` as Airflow runs a task: again after a failure, up to ``retries`` times in all
        (``first_attempt`` > 1: earlier attempts already failed elsewhere, e.g. a killed worker)."""
        from airflow.sdk.exceptions import AirflowFailException

        for attempt in range(first_attempt, retries + 2):
            self.report.tasks[name] = attempt
            try:
                return call()
            except AirflowFailException as exc:
                self.report.person_actions.append(f"{name} failed without retry: {exc}")
                return None
            except Exception as exc:  # noqa: BLE001 - Airflow retries any other failure the same way
                if attempt > retries:
                    self.report.person_actions.append(f"{name} failed after {attempt} attempts: {exc}")
                    return None
                time.sleep(0.2)
        return None


def _context(run_id: str, as_of) -> dict:
    start = datetime.combine(as_of, day_time(0), UTC)
    return {"run_id": run_id, "params": {}, "dag_run": SimpleNamespace(run_type="scheduled", run_after=datetime.now(UTC)),
            "data_interval_start": start, "data_interval_end": start + timedelta(days=1)}


def _integration_env(workdir: Path, sandbox, options: ChaosOptions) -> dict[str, str]:
    return {
        "INTEGRATION_DATA_DIR": str(workdir / "data"),
        "INTEGRATION_DB_URL": f"sqlite:///{workdir / 'integration.db'}",
        "ERP_SOURCE_URL": f"sqlite:///{workdir / 'erp.db'}",
        "INTEGRATION_SCHEDULE_TIMEZONE": "UTC",
        "INTEGRATION_TRANSIENT_RETRY_DELAYS": "0.5,1,2",
        **sandbox.env(),
        "INTACCT_FUNCTIONS_PER_REQUEST": str(options.functions_per_request),
        "INTACCT_MAX_CONCURRENCY": str(options.max_concurrency),
        "INTACCT_BACKOFF_BASE": "0.05",
        "INTACCT_BACKOFF_MAX": "1",
    }


def run_chaos(options: ChaosOptions) -> ChaosReport:
    """One night under chaos, audited. The sandbox and all state live in ``options.workdir``
    (a temporary folder when None)."""
    if options.workdir is None:
        with tempfile.TemporaryDirectory(prefix="intacct-chaos-") as folder:
            return run_chaos(ChaosOptions(**{**options.__dict__, "workdir": Path(folder)}))
    from include.intacct_sandbox.process import start_sandbox

    started = time.monotonic()
    workdir = Path(options.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    report = ChaosReport()
    with start_sandbox(workdir / "sandbox", latency_ms=options.latency_ms,
                       function_latency_ms=options.function_latency_ms,
                       concurrency_limit=options.max_concurrency) as sandbox:
        env = _integration_env(workdir, sandbox, options)
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)  # the steps read their settings (and the route's delays) from the environment
        try:
            _night(options, sandbox, env, workdir, report)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    report.seconds = time.monotonic() - started
    return report


def _night(options: ChaosOptions, sandbox, env: dict[str, str], workdir: Path, report: ChaosReport) -> None:
    from include.erp.generate import generate
    from include.intacct import IntacctClient, IntacctConfig
    from include.ledger import Ledger
    from include.masterdata import run as masterdata
    from include.masterdata.streams import ALL_STREAM_NAMES
    from include.pipeline import steps
    from include.settings import load_settings

    settings = load_settings(env)
    as_of = datetime.now(UTC).date()
    manifest = generate(env["ERP_SOURCE_URL"].removeprefix("sqlite:///"), lines=options.lines, seed=options.seed,
                        as_of=as_of, defect_rate=0.0)
    report.documents = sum(manifest["documents_total"].values())
    Ledger(settings.integration_db_url).migrate()

    def client() -> IntacctClient:
        return IntacctClient(IntacctConfig.from_env(env))

    with client() as reader:
        for stream in ALL_STREAM_NAMES:
            masterdata.extract(stream, run_id="chaos-master-data", settings=settings, client=reader)
    sandbox.admin.set_faults(probabilities=options.fault_rates, seed=options.seed, target=options.fault_target,
                             reset_counts=True)
    night = _Night(report)
    plan = night.task("check", lambda: steps.check(_context("scheduled__chaos", as_of), client_factory=client,
                                                   settings=settings))
    if plan is None:
        return _audit(sandbox, settings, report)
    extracted = [night.task(f"extract_validate[{t}]", lambda t=t: steps.extract_validate(t, plan, settings=settings))
                 for t in plan["doc_types"]]
    loaded = []
    for partition in steps.load_partitions(plan):
        first_attempt = 1
        if partition == 0:  # its first attempt dies with its worker; Airflow retries it
            report.killed = _load_killed_mid_way(plan, partition, extracted, env, workdir, settings, sandbox,
                                                 options.kill_at)
            first_attempt = 2 if report.killed["killed"] else 1
        loaded.append(night.task(f"load[{partition}]", lambda p=partition: steps.load(
            plan, p, client_factory=client, settings=settings), first_attempt=first_attempt))
    routes = night.task("route", lambda: steps.route(plan, settings=settings)) or []
    remediated = [night.task(task_id, lambda t=task_id: steps.remediate(
        t.removeprefix("remediate_"), plan, client_factory=client, settings=settings)) for task_id in routes]
    metrics = [plan["check"]["api"], *(x.get("api") for x in loaded if x), *(x.get("api") for x in remediated if x)]
    night.task("reconcile", lambda: steps.reconcile(plan, extract=[e for e in extracted if e],
                                                    load=[x for x in loaded if x],
                                                    remediation=[x for x in remediated if x], metrics=metrics,
                                                    client_factory=client, settings=settings), retries=0)
    _audit(sandbox, settings, report)


def _load_killed_mid_way(plan: dict, partition: int, extracted: list, env: dict[str, str], workdir: Path, settings,
                         sandbox, kill_at: float) -> dict[str, int]:
    """Start a load partition in a worker and SIGKILL it once Intacct has created ``kill_at`` of the
    run's documents (or when it would finish first: then nothing was killed)."""
    from include.ledger import Ledger

    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    ledger = Ledger(settings.integration_db_url)
    wanted = max(1, int(sum(e["queued"] for e in extracted if e) * kill_at))
    company = sandbox.config_kwargs()["company_id"]

    def created() -> int:  # Intacct's transaction counter: each created document counts one
        return sandbox.admin.counters(company)[company]["api_transactions"]

    before = created()
    worker = subprocess.Popen([sys.executable, "-c", LOAD_IN_A_WORKER, str(plan_file), str(partition)],
                              env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while worker.poll() is None and created() - before < wanted:
            time.sleep(0.01)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
        worker.wait()
    time.sleep(0.5)  # the requests the worker was waiting on finish on the server
    return {"recorded": ledger.count(status="success"), "in_intacct": created() - before,
            "pending": ledger.count(status="pending"), "killed": int(worker.returncode == -signal.SIGKILL)}


def _audit(sandbox, settings, report: ChaosReport) -> None:
    """ERP vs ledger vs Intacct, with the faults cleared."""
    from include.erp.source import open_source
    from include.ledger import Ledger, Status

    faults = sandbox.admin.faults()
    report.faults = {kind: n for kind, n in faults["injected"].items() if n}
    report.requests = faults["seen"]
    sandbox.admin.clear_faults()
    ledger = Ledger(settings.integration_db_url)
    with open_source(settings.erp_source) as source:
        for doc_type in DOC_TYPES:
            object_name, number_field = POSTED_OBJECT[doc_type]
            in_intacct: dict[str, list[str]] = {}
            for record in sandbox.admin.posted(object_name):
                in_intacct.setdefault(str(record.get(number_field)), []).append(str(record.get("RECORDNO")))
            rows = {row.key: row for row in _all_rows(ledger, doc_type)}
            keys = [d.key for page in source.iter_documents(doc_type) for d in page]
            counts = Counter({number: len(records) for number, records in in_intacct.items()})
            report.duplicated += sum(n - 1 for n in counts.values() if n > 1)
            for key in keys:
                row, records = rows.get(key), in_intacct.get(key, [])
                name = f"{doc_type} {key}"
                if len(records) == 1:
                    report.posted_once += 1
                if row is None:
                    (report.mismatches if records else report.lost).append(f"{name}: not in the ledger")
                elif row.status == Status.SUCCESS:
                    if not records:
                        report.mismatches.append(f"{name}: success in the ledger, not in Intacct")
                    elif row.intacct_record_no not in records:
                        report.mismatches.append(f"{name}: ledger RECORDNO {row.intacct_record_no}, Intacct "
                                                 f"{', '.join(records)}")
                elif records:
                    report.mismatches.append(f"{name}: {row.status} in the ledger, but in Intacct "
                                             f"({', '.join(records)})")
                elif row.status == Status.ERROR and row.error_class == "transient" and row.last_message:
                    report.left_for_next_run.append(name)
                elif row.status == Status.ERROR and row.last_message:
                    continue  # recorded with why it was not posted
                else:
                    report.lost.append(f"{name}: {row.status}, not in Intacct")
            report.mismatches += [f"{doc_type} {n}: in Intacct, not in the ERP" for n in in_intacct if n not in rows
                                  and n not in set(keys)]


def _all_rows(ledger, doc_type: str) -> list:
    rows, offset = [], 0
    while True:
        page = ledger.find(object_type=doc_type, limit=5000, offset=offset)
        if not page:
            return rows
        rows.extend(page)
        offset += len(page)
