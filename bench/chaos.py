"""A night under chaos, audited: random HTTP 5xx / 429 / 524-after-commit / dropped connections /
session expiries on every request to the sandbox, the load worker SIGKILLed mid-way, Airflow's task
retries, then the ledger compared with the ERP and with what Intacct holds.

Prints documents, requests, faults injected by kind, lost, duplicated, ledger vs Intacct
mismatches and whether any person action was needed (target: 0 / 0 / 0 / none); exits 1 otherwise.

    .venv/bin/python bench/chaos.py                       # 10,000+ documents (the figures in docs/benchmarks.md)
    .venv/bin/python bench/chaos.py --lines 3000 --seed 5 # smaller, another fault sequence
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.devtools.chaos import DEFAULT_FAULT_RATES, ChaosOptions, run_chaos  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=32_000, help="ERP document lines (about 3.2 per document)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the ERP data and of the fault sequence")
    parser.add_argument("--fault", action="append", default=[], metavar="KIND=RATE",
                        help=f"override a fault's rate per request (defaults: {DEFAULT_FAULT_RATES})")
    parser.add_argument("--target", default="all", help="requests the faults aim at: all, writes, reads, "
                                                        "function:<name>")
    parser.add_argument("--kill-at", type=float, default=0.3, help="kill the first load after this share")
    parser.add_argument("--functions-per-request", type=int, default=20,
                        help="smaller than a real night's 100, so more requests meet more faults")
    parser.add_argument("--max-concurrency", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    rates = dict(DEFAULT_FAULT_RATES)
    for item in args.fault:
        kind, _, rate = item.partition("=")
        rates[kind] = float(rate)
    logging.basicConfig(level=logging.ERROR)
    for noisy in ("include", "great_expectations", "airflow"):  # every retry logs a warning: thousands here
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    report = run_chaos(ChaosOptions(lines=args.lines, seed=args.seed, fault_rates=rates, fault_target=args.target,
                                    kill_at=args.kill_at, functions_per_request=args.functions_per_request,
                                    max_concurrency=args.max_concurrency, latency_ms=args.latency_ms))
    print(json.dumps(report.to_json(), indent=2) if args.json else report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
