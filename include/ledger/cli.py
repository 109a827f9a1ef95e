"""``python -m include.ledger``: look at the ledger from a terminal.

    python -m include.ledger [--url URL] upgrade
    python -m include.ledger list [--status error] [--category finance] [--type ar_invoice] [--key 10432]
                                  [--key-prefix 104] [--error-class closed_period] [--limit 50]
    python -m include.ledger failed [--full | --json]
    python -m include.ledger list --released --period 2026-09      # released, waiting to be posted
    python -m include.ledger held [--period 2026-09] [--hold closed_period]
    python -m include.ledger show KEY [--type ar_invoice] [--json]  # one object, every field in full
    python -m include.ledger events KEY [--type ar_invoice] [--full | --json]
    python -m include.ledger reconcile [--run-id RUN]

Tables cut long cells with "…"; ``--full`` prints every character (messages and reasons on their own
lines), ``--json`` the same content as JSON. The database URL comes from --url, else
$INTEGRATION_DB_URL, else data/integration.db.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from include.ledger.cli_output import (
    EVENT_COLUMNS,
    ROW_COLUMNS,
    details_text,
    dumps,
    event_block,
    event_json,
    format_table,
    row_block,
    row_json,
)
from include.ledger.db import default_url
from include.ledger.ledger import Ledger
from include.ledger.transitions import Category, Hold, Status


def _print_rows(rows, out, *, full: bool = False) -> None:
    if full:
        for row in rows:
            print(row_block(row, ROW_COLUMNS[2:]) + "\n", file=out)
    else:
        print(format_table(ROW_COLUMNS, [[getattr(r, c) for c in ROW_COLUMNS] for r in rows]), file=out)
    print(f"({len(rows)} objects)", file=out)


def _output_options(parser: argparse.ArgumentParser) -> None:
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--full", action="store_true", help="every character of messages and reasons, nothing cut")
    shown.add_argument("--json", action="store_true", help="JSON, for scripts")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m include.ledger", description="The integration ledger.")
    parser.add_argument(
        "--url", default=None, help="database URL (default: $INTEGRATION_DB_URL or data/integration.db)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="create or upgrade the ledger's tables")
    listing = commands.add_parser("list", help="objects, filtered like the integration page")
    listing.add_argument("--status", action="append", choices=[s.value for s in Status])
    listing.add_argument("--category", choices=[c.value for c in Category])
    listing.add_argument("--type", dest="object_type", action="append")
    listing.add_argument("--key")
    listing.add_argument("--key-prefix")
    listing.add_argument("--version")
    listing.add_argument("--error-class", action="append")
    listing.add_argument("--hold", action="append", choices=[h.value for h in Hold])
    listing.add_argument(
        "--released",
        action="store_true",
        default=None,
        help="only errors whose hold was released and that wait to be retried",
    )
    listing.add_argument("--period", help="held (or released) for this period, YYYY-MM")
    listing.add_argument("--run-id")
    listing.add_argument("--limit", type=int, default=200)
    failed = commands.add_parser("failed", help="objects in error, by error class")
    failed.add_argument("--limit", type=int, default=20, help="rows shown per class")
    _output_options(failed)
    held = commands.add_parser("held", help="objects held, optionally for one period")
    held.add_argument("--period", help="YYYY-MM")
    held.add_argument("--hold", choices=[h.value for h in Hold])
    show = commands.add_parser("show", help="one object: every field of its ledger row, nothing cut")
    show.add_argument("key")
    show.add_argument("--type", dest="object_type", help="needed when several object types have this key")
    show.add_argument("--json", action="store_true", help="JSON, for scripts")
    events = commands.add_parser("events", help="the event log of one object")
    events.add_argument("key")
    events.add_argument("--type", dest="object_type")
    _output_options(events)
    reconcile = commands.add_parser(
        "reconcile", help="counts and totals by object type, status and error class"
    )
    reconcile.add_argument("--run-id")
    return parser


def main(argv: Sequence[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    with Ledger(args.url or default_url()) as ledger:
        if args.command == "upgrade":
            print(f"ledger at revision {ledger.migrate()}", file=out)
        elif args.command == "list":
            _print_rows(
                ledger.find(
                    status=args.status,
                    category=args.category,
                    object_type=args.object_type,
                    key=args.key,
                    key_prefix=args.key_prefix,
                    version=args.version,
                    error_class=args.error_class,
                    hold=args.hold,
                    released=args.released,
                    held_for_period=args.period,
                    run_id=args.run_id,
                    limit=args.limit,
                ),
                out,
            )
        elif args.command == "failed":
            return _failed(ledger, args, out)
        elif args.command == "held":
            if args.period:
                rows = ledger.held_for_period(args.period, hold=args.hold)
            else:
                rows = ledger.find(held=True, hold=args.hold)
            _print_rows(rows, out)
        elif args.command == "show":
            return _show(ledger, args, out)
        elif args.command == "events":
            return _events(ledger, args, out)
        elif args.command == "reconcile":
            rows = ledger.reconciliation(run_id=args.run_id)
            print(
                format_table(
                    ("object_type", "status", "error_class", "count", "amount"),
                    [
                        (r["object_type"], r["status"], r["error_class"], r["count"], r["amount"])
                        for r in rows
                    ],
                ),
                file=out,
            )
    return 0


def _failed(ledger: Ledger, args, out) -> int:
    groups = ledger.failed_by_class(limit_per_class=args.limit)
    if args.json:
        print(dumps([{"error_class": g.error_class, "count": g.count, "amount": g.amount,
                      "objects": [row_json(r) for r in g.rows]} for g in groups]), file=out)
        return 0
    print(format_table(("error_class", "count", "amount"), [(g.error_class, g.count, g.amount) for g in groups]),
          file=out)
    for group in groups:
        print(f"\n{group.error_class}: {group.count} objects", file=out)
        _print_rows(group.rows, out, full=args.full)
    return 0


def _show(ledger: Ledger, args, out) -> int:
    rows = ledger.find(key=args.key, object_type=args.object_type)
    if args.json:
        print(dumps([row_json(r) for r in rows]), file=out)
    else:
        print("\n\n".join(row_block(r) for r in rows), file=out)
    if not rows:
        print(f"no object with key {args.key!r}", file=sys.stderr if args.json else out)
        return 1
    return 0


def _events(ledger: Ledger, args, out) -> int:
    found = ledger.events(args.object_type, args.key)
    if args.json:
        print(dumps([event_json(e) for e in found]), file=out)
    elif args.full:
        print("\n\n".join(event_block(e) for e in found), file=out)
    else:
        print(format_table(EVENT_COLUMNS, [(e.at, e.object_type, e.kind, e.from_status, e.to_status, e.source_version,
                                            e.run_id, e.actor, e.reason, details_text(e.details)) for e in found]),
              file=out)
    if not found:
        print(f"no events for key {args.key!r}", file=sys.stderr if args.json else out)
        return 1
    return 0
