"""``python -m include.backfill 2026-09 [--dry-run] [--api] [--unpause]``: post what a reopened period held."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys

from include.backfill.periods import PeriodError, period_bounds
from include.backfill.run import DagPaused, PeriodStillClosed, backfill_period


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m include.backfill",
        description="Post the documents held for a period that Intacct has reopened: checks the closed-books "
                    "date, releases the period's closed-period holds and runs `airflow backfill create "
                    "--dag-id intacct_post_transactions --from-date <start> --to-date <end>`.")
    parser.add_argument("period", help="the reopened period, YYYY-MM (e.g. 2026-09)")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the dates, the command and how many documents wait; change nothing")
    parser.add_argument("--api", action="store_true",
                        help="start the backfill through Airflow's REST API (connection airflow_api) "
                             "instead of the airflow CLI")
    parser.add_argument("--unpause", action="store_true",
                        help="unpause intacct_post_transactions when it is paused (its backfill runs would "
                             "otherwise wait, never running); without it a paused DAG is refused")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        period_bounds(args.period)  # before any connection is opened
    except PeriodError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from include.ledger import Ledger
    from include.masterdata.run import open_client
    from include.settings import load_settings

    settings = load_settings()
    ledger = Ledger(settings.integration_db_url)
    client = open_client()
    try:
        ledger.migrate()
        outcome = backfill_period(args.period, settings=settings, ledger=ledger, client=client,
                                  dry_run=args.dry_run, use_api=args.api, actor=getpass.getuser(),
                                  unpause=args.unpause)
    except (PeriodError, PeriodStillClosed, DagPaused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()
        ledger.close()
    print(json.dumps(outcome.to_json(), indent=2))
    if outcome.started == "dry run":
        print(f"Would run: {' '.join(outcome.command)}  ({outcome.waiting} held document(s) in those dates)")
    else:
        if outcome.unpaused:
            print("intacct_post_transactions was paused: unpaused it so the backfill's runs execute "
                  "(its nightly schedule runs again too)")
        print(f"Backfill started ({outcome.started}) for {outcome.from_date} .. {outcome.to_date}: "
              f"{outcome.waiting} released document(s) will post; a running scheduler executes it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
