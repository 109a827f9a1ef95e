"""``python -m include.ledger``: look at the ledger from a terminal.

    python -m include.ledger [--url URL] upgrade
    python -m include.ledger list [--status error] [--category finance] [--type ar_invoice] [--key 10432]
                                  [--key-prefix 104] [--error-class closed_period] [--limit 50]
    python -m include.ledger failed
    python -m include.ledger list --released --period 2026-09      # released, waiting to be posted
    python -m include.ledger held [--period 2026-09] [--hold closed_period]
    python -m include.ledger events KEY [--type ar_invoice]
    python -m include.ledger reconcile [--run-id RUN]

The database URL comes from --url, else $INTEGRATION_DB_URL, else data/integration.db.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from include.ledger.db import default_url
from include.ledger.ledger import Ledger
from include.ledger.transitions import Category, Hold, Status

_MAX_CELL = 60
_LIST_COLUMNS = (
    "object_type",
    "key",
    "status",
    "error_class",
    "hold",
    "held_for_period",
    "intacct_record_no",
    "attempts",
    "amount",
    "updated_at",
    "last_message",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    text = str(value).replace("\n", " ")
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _details(details: dict[str, Any] | None) -> str:
    """What Intacct said first (the message), then the rest as key=value."""
    if not details:
        return ""
    ordered = sorted(details.items(), key=lambda item: item[0] != "message")
    return " ".join(f"{k}={v}" for k, v in ordered if v is not None)


def _print_rows(rows, out) -> None:
    print(format_table(_LIST_COLUMNS, [[getattr(r, c) for c in _LIST_COLUMNS] for r in rows]), file=out)
    print(f"({len(rows)} objects)", file=out)


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
    held = commands.add_parser("held", help="objects held, optionally for one period")
    held.add_argument("--period", help="YYYY-MM")
    held.add_argument("--hold", choices=[h.value for h in Hold])
    events = commands.add_parser("events", help="the event log of one object")
    events.add_argument("key")
    events.add_argument("--type", dest="object_type")
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
            groups = ledger.failed_by_class(limit_per_class=args.limit)
            print(
                format_table(
                    ("error_class", "count", "amount"), [(g.error_class, g.count, g.amount) for g in groups]
                ),
                file=out,
            )
            for group in groups:
                print(f"\n{group.error_class}: {group.count} objects", file=out)
                _print_rows(group.rows, out)
        elif args.command == "held":
            if args.period:
                rows = ledger.held_for_period(args.period, hold=args.hold)
            else:
                rows = ledger.find(held=True, hold=args.hold)
            _print_rows(rows, out)
        elif args.command == "events":
            found = ledger.events(args.object_type, args.key)
            print(
                format_table(
                    (
                        "at",
                        "object_type",
                        "kind",
                        "from",
                        "to",
                        "version",
                        "run_id",
                        "actor",
                        "reason",
                        "details",
                    ),
                    [
                        (
                            e.at,
                            e.object_type,
                            e.kind,
                            e.from_status,
                            e.to_status,
                            e.source_version,
                            e.run_id,
                            e.actor,
                            e.reason,
                            _details(e.details),
                        )
                        for e in found
                    ],
                ),
                file=out,
            )
            if not found:
                print(f"no events for key {args.key!r}", file=out)
                return 1
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
