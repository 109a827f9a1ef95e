"""People's remediation actions from a shell.

    python -m include.remediation mark-synced --type ar_invoice --key INV-1 --actor jane \\
        --reason "adjusted manually in Intacct"
    python -m include.remediation held --period 2026-09

``mark-synced`` is option 4 of the closed-period article: the document is right in Intacct
(adjusted by hand), so it counts as synchronized from now on; who, when and why go to the
ledger's event log. It applies to documents in error or desynchronized, all or none.
"""

from __future__ import annotations

import argparse
import sys

from include.settings import DOC_TYPES, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m include.remediation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="the integration database (default: INTEGRATION_DB_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    mark = commands.add_parser("mark-synced", help="record documents as synchronized by hand")
    mark.add_argument("--type", dest="doc_type", required=True, choices=DOC_TYPES)
    mark.add_argument("--key", dest="keys", action="append", required=True, help="document number (repeatable)")
    mark.add_argument("--actor", required=True, help="who adjusted the documents")
    mark.add_argument("--reason", required=True, help="why they count as synchronized")
    held = commands.add_parser("held", help="documents held, optionally for one period YYYY-MM")
    held.add_argument("--period")
    return parser


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    from include.ledger import Ledger, LedgerInputError, TransitionRefused, UnknownObject

    args = _parser().parse_args(argv)
    ledger = Ledger(args.db_url or load_settings().integration_db_url)
    if args.command == "mark-synced":
        if not args.actor.strip() or not args.reason.strip():
            print("error: --actor and --reason must not be blank", file=sys.stderr)
            return 2
        try:
            marked = ledger.mark_synced_manually(args.doc_type, args.keys, actor=args.actor, reason=args.reason)
        except (UnknownObject, TransitionRefused, LedgerInputError) as exc:
            print(f"error: nothing marked: {exc}", file=sys.stderr)
            return 1
        print(f"marked {marked} {args.doc_type} document(s) as synced by {args.actor}: {args.reason}", file=out)
        return 0
    rows = ledger.held_for_period(args.period) if args.period else ledger.find(held=True)
    for row in rows:
        print(f"{row.object_type}\t{row.key}\t{row.hold}\t{row.held_for_period or '-'}\t"
              f"{(row.last_message or '').splitlines()[0] if row.last_message else ''}", file=out)
    print(f"{len(rows)} held", file=out)
    return 0
