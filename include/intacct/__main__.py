"""Commands for the Intacct connection.

``python -m include.intacct check [--conn-id ID] [--json]``: is this Intacct company ready? Exit
code 0 when everything the product needs works, 1 when a check failed, 2 on bad usage or an
incomplete configuration.

``python -m include.intacct pool [--conn-id ID] [--pool NAME] [--print]``: size the Airflow pool
that caps the tenant's concurrency from the connection (``airflow pools set``): one slot per worker
that may call Intacct at once (the connection's ``partitions``), each keeping its share of the
tenant's ``max_concurrency`` in flight.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys

from include.intacct.config import DEFAULT_CONN_ID, ConfigError
from include.intacct.connection import resolve_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m include.intacct",
        description="Commands for the Intacct connection.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="check that the Intacct company is ready for the integration",
        description="Sign in and check everything the product needs from the Intacct company (sender "
                    "authorization, read permission on every master-data object and user-defined dimension, "
                    "the entities, the posted objects) and say exactly what to fix. Nothing is created.")
    check.add_argument("--conn-id", default=None,
                       help=f"Airflow connection to check (default {DEFAULT_CONN_ID}; without it the INTACCT_* "
                            "environment variables are used when that connection does not exist)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    pool = commands.add_parser(
        "pool", help="size the Airflow pool that caps the tenant's concurrency from the connection",
        description="Run `airflow pools set` so the Intacct pool has one slot per worker that may call Intacct "
                    "at once (the connection's partitions); each keeps max_concurrency / partitions requests "
                    "in flight, so together they never exceed the tenant's entitlement.")
    pool.add_argument("--conn-id", default=None, help=f"Airflow connection (default {DEFAULT_CONN_ID})")
    pool.add_argument("--pool", default=None, help="pool name (default: INTEGRATION_INTACCT_POOL or intacct_api)")
    pool.add_argument("--print", action="store_true", dest="print_only",
                      help="print the command instead of running it")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 for --help
        return int(exc.code or 0)
    try:
        # Airflow configures its logging to stdout when imported: keep stdout for the report.
        with contextlib.redirect_stdout(sys.stderr):
            config = resolve_config(args.conn_id)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "pool":
        return _set_pool(config, args.pool, print_only=args.print_only)
    _log_warnings_to_stderr()  # after Airflow configured logging: stdout carries the report only

    from include.intacct.preflight import render_text, run_preflight

    report = run_preflight(config, company_timezone=_company_timezone())
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(render_text(report), end="")
    return report.exit_code()


def pool_command(config, pool_name: str | None = None) -> list[str]:
    """``airflow pools set`` for the Intacct pool, sized from the connection."""
    from include.settings import load_settings

    name = pool_name or load_settings().intacct_pool
    description = (f"Sage Intacct company {config.company_id}: {config.partitions} worker(s) x "
                   f"{config.requests_per_worker} request(s) in flight (the tenant allows {config.max_concurrency})")
    return ["airflow", "pools", "set", name, str(config.partitions), description]


def _set_pool(config, pool_name: str | None, *, print_only: bool) -> int:
    import shlex
    import subprocess

    command = pool_command(config, pool_name)
    if print_only:
        print(shlex.join(command))
        return 0
    done = subprocess.run([sys.executable, "-m", *command], check=False)
    return done.returncode


def _company_timezone() -> str | None:
    """The product's INTACCT_COMPANY_TIMEZONE (or its default); None when the settings do not load."""
    from include.settings import SettingsError, load_settings

    try:
        return load_settings().company_timezone
    except SettingsError as exc:
        print(f"warning: integration settings not loaded, company timezone not compared: {exc}", file=sys.stderr)
        return None


def _log_warnings_to_stderr() -> None:
    client_log = logging.getLogger("include.intacct")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    client_log.handlers[:] = [handler]
    client_log.setLevel(logging.WARNING)
    client_log.propagate = False


if __name__ == "__main__":
    raise SystemExit(main())
