"""``python -m include.intacct check [--conn-id ID] [--json]``: is this Intacct company ready?

Exit code 0 when everything the product needs works, 1 when a check failed, 2 on bad usage
or an incomplete configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys

from include.intacct.config import DEFAULT_CONN_ID, ConfigError, resolve_config


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
    _log_warnings_to_stderr()  # after Airflow configured logging: stdout carries the report only

    from include.intacct.preflight import render_text, run_preflight

    report = run_preflight(config, company_timezone=_company_timezone())
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(render_text(report), end="")
    return report.exit_code()


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
