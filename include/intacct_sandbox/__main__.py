"""Command line: `serve` runs the sandbox; `admin ...` administers a running one.

    python -m include.intacct_sandbox serve --host 127.0.0.1 --port 8790 --state-dir data/sandbox
    python -m include.intacct_sandbox admin close-books --through 2026-09-30
    python -m include.intacct_sandbox admin faults --target writes --probability unavailable=0.1 --seed 7
    python -m include.intacct_sandbox admin faults --show
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys

DEFAULT_URL = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8790")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from include.intacct_sandbox.app import SandboxApp
    from include.intacct_sandbox.options import Options
    from include.intacct_sandbox.sandbox import Sandbox

    options = Options(seed=args.seed, latency_ms=args.latency_ms, function_latency_ms=args.function_latency_ms,
                      concurrency_limit=args.concurrency_limit, session_timeout_seconds=args.session_timeout,
                      result_ttl_seconds=args.result_ttl, fault_target=args.fault_target,
                      session_endpoint_path=args.session_endpoint_path or "",
                      fault_probabilities={k: float(v) for k, v in _pairs(args.fault, "--fault").items()})
    sandbox = Sandbox(args.state_dir, options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(SandboxApp(sandbox), log_level="warning", access_log=False, lifespan="on",
                            http="httptools", timeout_keep_alive=30, backlog=256)
    server = uvicorn.Server(config)
    sessions = f", sessions at {options.session_endpoint_path}" if options.session_endpoint_path else ""
    print(f"Intacct sandbox listening on http://{host}:{port} (gateway /ia/xml/xmlgw.phtml{sessions}, state "
          f"{sandbox.store.path})", flush=True)
    server.run(sockets=[sock])
    return 0


SESSION_PATH_DEFAULT = "/ia/xml/session/xmlgw.phtml"  # gateway.SESSION_PATH, without importing the server


def _session_path(text: str) -> str:
    if not text.startswith("/") or text == "/ia/xml/xmlgw.phtml" or text.startswith("/admin/") or any(
            c in text for c in "?# "):
        raise argparse.ArgumentTypeError(f"'{text}' is not a usable session path: give an absolute path other "
                                         "than /ia/xml/xmlgw.phtml and /admin/..., e.g. /ia/xml/session/xmlgw.phtml")
    return text


def _fault_target(text: str) -> str:
    from include.intacct_sandbox.faults import check_target

    try:
        return check_target(text)
    except ValueError as exc:  # argparse shows it with the option's name and the usage
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"{what}: expected NAME=VALUE, got '{item}'")
        out[key] = value
    return out


def _admin(args: argparse.Namespace) -> int:
    from include.intacct_sandbox.admin import SandboxAdmin, SandboxAdminError

    admin = SandboxAdmin(args.url)
    c = args.company
    try:
        match args.command:
            case "reset":
                admin.reset()
                result = {"status": "reset"}
            case "closed-books":
                result = admin.closed_books(c)
            case "close-books":
                result = admin.close_books(args.through, args.module, c)
            case "reopen":
                result = admin.reopen(args.module, args.to, c)
            case "activate" | "deactivate":
                status = "active" if args.command == "activate" else "inactive"
                result = admin.set_status(args.object, args.id, status, c)
            case "update":
                result = admin.update_record(args.object, args.id, _pairs(args.fields, "fields"), c)
            case "create":
                result = admin.create_record(args.object, _pairs(args.fields, "fields"), c)
            case "udd":
                permitted = True if args.grant else False if args.revoke else None
                status = "active" if args.activate else "inactive" if args.deactivate else None
                result = admin.set_udd(args.name, permitted, status, c)
            case "faults":
                probabilities = {k: float(v) for k, v in _pairs(args.probability, "probability").items()}
                changes = args.next or probabilities or args.seed is not None or args.target or args.reset_counts
                if args.show and changes:
                    raise SystemExit("faults: --show only shows; leave out --next, --probability, --seed, "
                                     "--target and --reset-counts")
                if args.show:
                    result = admin.faults()
                elif args.clear:
                    result = admin.clear_faults()
                else:
                    result = admin.set_faults(args.next.split(",") if args.next else None, probabilities or None,
                                              args.seed, args.target, args.reset_counts)
            case "settings":
                values = _pairs(args.values, "settings")
                result = admin.update_settings(**values) if values else admin.settings()
            case "expire-sessions":
                result = {"expired": admin.expire_sessions(args.company_filter)}
            case "posted":
                result = admin.posted(args.object, c)
            case "counters":
                result = admin.counters(args.company_filter)
            case _:
                raise SystemExit(f"unknown admin command {args.command}")
    except SandboxAdminError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m include.intacct_sandbox",
                                     description="A local server that speaks the Sage Intacct XML gateway protocol.")
    sub = parser.add_subparsers(dest="mode", required=True)
    serve = sub.add_parser("serve", help="run the sandbox server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8790, help="0 lets the OS choose a free port")
    serve.add_argument("--state-dir", default="data/sandbox", help="folder of the SQLite state (kept across runs)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the fault-injection RNG")
    serve.add_argument("--latency-ms", type=float, default=0.0, help="time to answer every gateway request (its processing included)")
    serve.add_argument("--function-latency-ms", type=float, default=0.0, help="added to the time to answer per function in a request")
    serve.add_argument("--concurrency-limit", type=int, default=2, help="in-flight requests per company")
    serve.add_argument("--session-timeout", type=float, default=3600.0, help="sliding session timeout, seconds")
    serve.add_argument("--result-ttl", type=float, default=600.0, help="readByQuery resultId lifetime, seconds")
    serve.add_argument("--fault", action="append", default=[], metavar="FAULT=P",
                       help="inject a fault with probability P (seeded by --seed); repeatable")
    serve.add_argument("--fault-target", type=_fault_target, default="all", metavar="TARGET",
                       help="requests that faults are aimed at: all, writes, reads or function:<name> "
                            "(e.g. function:query); other requests are never faulted")

    serve.add_argument("--session-endpoint-path", nargs="?", const=SESSION_PATH_DEFAULT, default=None,
                       type=_session_path, metavar="PATH",
                       help="give sessions a distinct endpoint (default path /ia/xml/session/xmlgw.phtml) and "
                            "accept session ids only there, as a tenant given another endpoint; off by default: "
                            "getAPISession returns the login URL and sessions work on it, as Intacct does")

    admin = sub.add_parser("admin", help="administer a running sandbox")
    admin.add_argument("--url", default=DEFAULT_URL, help=f"sandbox base URL (default {DEFAULT_URL}, or SANDBOX_URL)")
    admin.add_argument("--company", default="DEMO")
    commands = admin.add_subparsers(dest="command", required=True)
    commands.add_parser("reset", help="back to the seeded companies")
    commands.add_parser("closed-books", help="show the closed-books dates")
    p = commands.add_parser("close-books", help="close books through a date")
    p.add_argument("--through", required=True, help="YYYY-MM-DD")
    p.add_argument("--module", default="all", help="GL, AR, AP or all")
    p = commands.add_parser("reopen", help="move a module's closed-books date back")
    p.add_argument("--module", default="all")
    p.add_argument("--to", help="YYYY-MM-DD (default: reopen the last closed month)")
    for name in ("activate", "deactivate"):
        p = commands.add_parser(name, help=f"{name} a record by its business id")
        p.add_argument("object")
        p.add_argument("id")
    p = commands.add_parser("update", help="change fields of a record (WHENMODIFIED advances)")
    p.add_argument("object")
    p.add_argument("id")
    p.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    p = commands.add_parser("create", help="create a master record directly")
    p.add_argument("object")
    p.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    p = commands.add_parser("udd", help="grant/revoke or (de)activate a user-defined dimension")
    p.add_argument("name")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--grant", action="store_true")
    group.add_argument("--revoke", action="store_true")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--activate", action="store_true")
    group.add_argument("--deactivate", action="store_true")
    p = commands.add_parser("faults", help="inject faults, aim them, or show them and their counts")
    p.add_argument("--next", help="comma-separated faults for the next matching requests, e.g. "
                                  "rate_limit,bad_gateway")
    p.add_argument("--probability", action="append", default=[], metavar="FAULT=P")
    p.add_argument("--seed", type=int, help="restart the random sequence with this seed")
    p.add_argument("--target", metavar="TARGET",
                   help="aim faults at all, writes, reads or function:<name> (e.g. function:query)")
    p.add_argument("--reset-counts", action="store_true", help="set the injected/matched/seen counts to zero")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--clear", action="store_true", help="no more faults, counts at zero")
    group.add_argument("--show", action="store_true", help="show the faults, target, seed and counts")
    p = commands.add_parser("settings", help="show or change latency, concurrency, timeouts")
    p.add_argument("values", nargs="*", metavar="NAME=VALUE")
    p = commands.add_parser("expire-sessions", help="expire every session")
    p.add_argument("--only-company", dest="company_filter")
    p = commands.add_parser("posted", help="list posted invoices, bills and journal entries")
    p.add_argument("--object", help="ARINVOICE, APBILL or GLBATCH")
    p = commands.add_parser("counters", help="API transaction and request counters")
    p.add_argument("--only-company", dest="company_filter")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return _serve(args) if args.mode == "serve" else _admin(args)


if __name__ == "__main__":
    sys.exit(main())
