"""`make demo` and `make airflow`: the embedded default, end to end on one machine.

``run``: start the Intacct sandbox, generate a synthetic ERP with a mix of real-world
defects, run the master data DAG then the transactions DAG on Airflow (SQLite), and
print the reconciliation summary. Everything lives under ``data/demo`` and is
recreated on each run. ``--transport rest`` (``make demo TRANSPORT=rest``) connects
through the sandbox's REST API (OAuth 2.0) instead of its XML gateway.

``airflow``: the sandbox plus Airflow's scheduler, dag-processor, api-server and
triggerer (LocalExecutor), for people who want the UI. State under ``data/`` persists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from include.devtools.airflow_local import REPO_ROOT, LocalAirflow, port_or_free
from include.devtools.connections import intacct_connection_env

DATA_DIR = REPO_ROOT / "data"
SANDBOX_PORT = 8790


def integration_env(data_dir: Path, sandbox_config: dict) -> dict[str, str]:
    """Environment for every Airflow component and task of the embedded default."""
    from include.settings import load_settings

    return {
        "PYTHONPATH": str(REPO_ROOT),
        # `airflow backfill create --from-date/--to-date` reads dates in Airflow's default
        # timezone: it must be the schedules' timezone, or a period's last day is left out.
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": load_settings().schedule_timezone,
        "INTEGRATION_DATA_DIR": str(data_dir),
        "INTEGRATION_DB_URL": f"sqlite:///{data_dir / 'integration.db'}",
        "ERP_SOURCE_URL": f"sqlite:///{data_dir / 'erp.db'}",
        **intacct_connection_env(sandbox_config),
    }


# What a user may point ``make airflow`` at instead of the synthetic ERP and the local ledger.
USER_OVERRIDES = ("ERP_SOURCE_URL", "INTEGRATION_DB_URL")


def airflow_ui_env(data_dir: Path, sandbox_config: dict, environ: dict[str, str] | None = None) -> dict[str, str]:
    """``integration_env``, where the user's ERP_SOURCE_URL / INTEGRATION_DB_URL win."""
    environ = os.environ if environ is None else environ
    env = integration_env(data_dir, sandbox_config)
    env.update({name: environ[name] for name in USER_OVERRIDES if environ.get(name)})
    return env


def _airflow_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        **extra,
    })
    return env


def _step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def _airflow(env: dict[str, str], *args: str, log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run([sys.executable, "-m", "airflow", *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise SystemExit(f"airflow {' '.join(args)} failed (exit {result.returncode}); full log: {log}\n{tail}")


def _generate_erp(data_dir: Path, lines: int, seed: int, defect_rate: float) -> dict:
    from include.erp.generate import generate

    return generate(str(data_dir / "erp.db"), lines=lines, seed=seed, as_of=date.today(),
                    defect_rate=defect_rate, manifest=data_dir / "erp_manifest.json")


def run_demo(lines: int, seed: int, defect_rate: float, transport: str = "xml") -> int:
    from include.intacct_sandbox.process import start_sandbox

    data_dir = DATA_DIR / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    log = data_dir / "demo.log"
    started = time.monotonic()

    _step("Starting the local Intacct sandbox (seeded demo company DEMO)")
    with start_sandbox(data_dir / "sandbox") as sandbox:
        print(f"    {'REST API ' + sandbox.rest_url if transport == 'rest' else 'gateway ' + sandbox.url}")
        _step(f"Generating a synthetic ERP: {lines:,} lines, seed {seed}, {defect_rate:.0%} defective documents")
        manifest = _generate_erp(data_dir, lines, seed, defect_rate)
        counts = {name: n for name, n in manifest["defect_counts"].items() if n}
        print(f"    {data_dir / 'erp.db'}; defective documents by kind: {json.dumps(counts)}")

        env = _airflow_env(data_dir / "airflow",
                           integration_env(data_dir, sandbox.config_kwargs(transport=transport)))
        _step("Preparing Airflow's metadata database (SQLite)")
        _airflow(env, "db", "migrate", log=log)
        _step("Running DAG intacct_master_data (Intacct -> reference store, ERP masters -> Intacct)")
        _airflow(env, "dags", "test", "intacct_master_data", log=log)
        _step("Running DAG intacct_post_transactions (validate, post, remediate, reconcile)")
        _airflow(env, "dags", "test", "intacct_post_transactions", log=log)
        posted = sandbox.admin.counters()

    reports = sorted((data_dir / "reports").glob("*.md"), key=lambda p: p.stat().st_mtime)
    _step(f"Done in {time.monotonic() - started:.0f}s")
    if reports:
        print(reports[-1].read_text())
        print(f"Reconciliation report: {reports[-1]}")
    print(f"Sandbox counters: {json.dumps(posted)}")
    print(f"Airflow log of this demo: {log}")
    print("Browse the runs in the Airflow UI: make airflow  (then open http://127.0.0.1:8080)")
    return 0


def run_airflow(port: int, transport: str = "xml") -> int:
    from include.intacct_sandbox.process import start_sandbox

    DATA_DIR.mkdir(exist_ok=True)
    ports = {"Airflow": (port, port_or_free(port)), "the sandbox": (SANDBOX_PORT, port_or_free(SANDBOX_PORT))}
    for what, (wanted, chosen) in ports.items():
        if wanted != chosen:
            print(f"Port {wanted} is in use: {what} listens on {chosen} instead.", flush=True)
    with start_sandbox(DATA_DIR / "sandbox", port=ports["the sandbox"][1]) as sandbox:
        env = airflow_ui_env(DATA_DIR, sandbox.config_kwargs(transport=transport))
        if "ERP_SOURCE_URL" in os.environ:
            print(f"ERP: {env['ERP_SOURCE_URL']} (ERP_SOURCE_URL)")
        elif not (DATA_DIR / "erp.db").exists():
            _step("Generating a synthetic ERP (data/erp.db)")
            _generate_erp(DATA_DIR, lines=2000, seed=42, defect_rate=0.1)
        airflow = LocalAirflow(DATA_DIR / "airflow", port=ports["Airflow"][1], env=env)
        with airflow:
            from include.intacct import IntacctConfig

            airflow.ensure_intacct_pool(IntacctConfig(**sandbox.config_kwargs(transport=transport)))
            endpoint = sandbox.rest_url if transport == "rest" else sandbox.url
            print(f"\nIntacct sandbox: {endpoint}  (admin: python -m include.intacct_sandbox admin --help)")
            print(f"Airflow UI: {airflow.url}  (local development: no login). Ctrl-C stops everything.", flush=True)
            try:
                while True:
                    time.sleep(2)
            except KeyboardInterrupt:
                return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the main job end to end on the embedded default")
    run.add_argument("--lines", type=int, default=2000)
    run.add_argument("--seed", type=int, default=42)
    run.add_argument("--defect-rate", type=float, default=0.1)
    ui = sub.add_parser("airflow", help="start the sandbox and Airflow with its UI")
    ui.add_argument("--port", type=int, default=8080)
    for command in (run, ui):
        command.add_argument("--transport", choices=("xml", "rest"), default="xml",
                             help="the Intacct API the connection speaks: the XML gateway or the REST API")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run_demo(args.lines, args.seed, args.defect_rate, args.transport)
    return run_airflow(args.port, args.transport)


if __name__ == "__main__":
    raise SystemExit(main())
