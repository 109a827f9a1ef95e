"""Benchmark of the transactions pipeline against the local Intacct sandbox.

Prints, each measured in this one run:
  * posting throughput with the tenant's limits emulated (latency per request, concurrency
    limit), as a ratio to the ceiling concurrency x functions per request / latency;
  * Intacct API transactions per posted document;
  * validation rows (document lines) per second at --validation-lines;
  * peak memory (max RSS) of extract+validate+load at each --memory-lines size, measured
    in a fresh process each, to show whether it grows with volume.

    .venv/bin/python bench/pipeline_throughput.py                    # the README's figures
    .venv/bin/python bench/pipeline_throughput.py --memory-lines 100000  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DOC_TYPES = ("ar_invoice", "ap_bill", "journal_entry")


def _settings(workdir: Path):
    from include.settings import load_settings

    return load_settings({"INTEGRATION_DATA_DIR": str(workdir), "INTEGRATION_CHUNK_SIZE": "2000"})


def _prepare(workdir: Path, sandbox, lines: int):
    """Clean synthetic ERP + master data extracted into the reference store."""
    from include.erp.generate import generate
    from include.intacct import IntacctClient, IntacctConfig
    from include.ledger import Ledger
    from include.masterdata.run import extract
    from include.masterdata.streams import SPECIAL_STREAMS, STREAMS

    settings = _settings(workdir)
    Ledger(settings.integration_db_url).migrate()  # the ledger's migrations include the reference store
    generate(str(workdir / "erp.db"), lines=lines, seed=7, as_of=date.today(), defect_rate=0.0)
    client = IntacctClient(IntacctConfig(**sandbox.config_kwargs()))
    for stream in [*STREAMS, *SPECIAL_STREAMS]:
        extract(stream, run_id="bench-master-data", settings=settings, client=client)
    client.close()
    return settings


def _plan(run_id: str) -> dict:
    from include.pipeline.selection import plan_run

    return plan_run(run_id=run_id, run_type="manual", params={}, data_interval_start=None,
                    data_interval_end=None, run_after=datetime.now(UTC), schedule_timezone="UTC").to_json()


def _client_factory(sandbox):
    from include.intacct import IntacctClient, IntacctConfig

    return lambda: IntacctClient(IntacctConfig(**sandbox.config_kwargs()))


def bench_posting(latency_ms: float, concurrency: int, per_request: int, lines: int) -> dict:
    from include.intacct_sandbox.process import start_sandbox
    from include.pipeline import steps

    with tempfile.TemporaryDirectory(prefix="bench-posting-") as tmp, \
            start_sandbox(Path(tmp) / "sandbox") as sandbox:
        workdir = Path(tmp)
        settings = _settings(workdir)
        _prepare(workdir, sandbox, lines)
        plan = _plan("bench-posting")
        extracted = [steps.extract_validate(t, plan, settings=settings) for t in DOC_TYPES]
        sandbox.admin.update_settings(latency_ms=latency_ms, concurrency_limit=concurrency)
        os.environ["INTACCT_FUNCTIONS_PER_REQUEST"] = str(per_request)
        before = sandbox.admin.counters()
        loaded, per_type = [], {}
        for summary in extracted:  # one after another, as the DAG's load tasks run (each holds the whole pool)
            started = time.perf_counter()
            loaded.append(steps.load(summary, plan, settings=settings, client_factory=_client_factory(sandbox)))
            per_type[summary["doc_type"]] = {"posted": loaded[-1]["posted"],
                                             "seconds": round(time.perf_counter() - started, 2)}
        elapsed = sum(item["seconds"] for item in per_type.values())
        after = sandbox.admin.counters()
    posted = sum(item["posted"] for item in loaded)
    ceiling = concurrency * per_request / (latency_ms / 1000)
    transactions = _counter_delta(before, after, "api_transactions")
    return {"documents_posted": posted, "seconds": round(elapsed, 2), "documents_per_second": round(posted / elapsed, 1),
            "ceiling_per_second": round(ceiling, 1), "ratio_to_ceiling": round(posted / elapsed / ceiling, 3),
            "api_transactions": transactions, "api_transactions_per_document": round(transactions / posted, 3),
            "http_requests": _counter_delta(before, after, "requests"), "per_type": per_type}


def _counter_delta(before: dict, after: dict, name: str) -> int:
    def total(counters: dict) -> int:
        if name in counters:
            return int(counters[name])
        return sum(int(c.get(name, 0)) for c in counters.values() if isinstance(c, dict))
    return total(after) - total(before)


def bench_validation(lines: int) -> dict:
    from include.erp.source import open_source
    from include.intacct_sandbox.process import start_sandbox
    from include.quality import DocumentValidator
    from include.reference_store import ReferenceStore, build_snapshot

    with tempfile.TemporaryDirectory(prefix="bench-validation-") as tmp, \
            start_sandbox(Path(tmp) / "sandbox") as sandbox:
        workdir = Path(tmp)
        settings = _prepare(workdir, sandbox, lines)
        from include.ledger import Ledger

        ledger = Ledger(settings.integration_db_url)
        snapshot = build_snapshot(ReferenceStore(ledger.engine), max_age_hours=24)
        source = open_source(settings.erp_source)
        chunks = {t: list(source.iter_documents(t, chunk_size=2000)) for t in DOC_TYPES}
        source.close()
        validators = {t: DocumentValidator(t, snapshot) for t in DOC_TYPES}
        validators["ar_invoice"].validate(chunks["ar_invoice"][0][:10])  # GX import and context set-up
        rows = 0
        started = time.perf_counter()
        for doc_type, doc_chunks in chunks.items():
            for chunk in doc_chunks:
                validators[doc_type].validate(chunk)
                rows += sum(max(1, len(d.lines)) for d in chunk)
        elapsed = time.perf_counter() - started
    return {"lines": rows, "seconds": round(elapsed, 2), "rows_per_second": round(rows / elapsed)}


def _peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM). Unlike ru_maxrss it starts afresh at exec,
    so the parent's peak (generating the data) does not leak into the child's figure."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run_once_for_memory(workdir: str) -> dict:
    """In this fresh process: extract, validate and post the ERP prepared in ``workdir``
    against the sandbox named by the INTACCT_* variables; report max RSS."""
    from include.intacct import IntacctClient, IntacctConfig
    from include.pipeline import steps

    settings = _settings(Path(workdir))
    baseline = _peak_rss_mb()
    plan = _plan("bench-memory")
    started = time.perf_counter()
    extracted = [steps.extract_validate(t, plan, settings=settings) for t in DOC_TYPES]
    loaded = [steps.load(e, plan, settings=settings, client_factory=lambda: IntacctClient(IntacctConfig.from_env()))
              for e in extracted]
    elapsed = time.perf_counter() - started
    return {"documents": sum(e["extracted"] for e in extracted), "posted": sum(x["posted"] for x in loaded),
            "seconds": round(elapsed, 1), "peak_rss_mb": _peak_rss_mb(), "rss_after_imports_mb": baseline}


def bench_memory(sizes: list[int]) -> list[dict]:
    """Data is generated here; each run happens in a fresh process so its peak is its own."""
    from include.intacct_sandbox.process import start_sandbox

    results = []
    for lines in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp, \
                start_sandbox(Path(tmp) / "sandbox") as sandbox:
            _prepare(Path(tmp), sandbox, lines)
            out = subprocess.run([sys.executable, __file__, "--memory-child", tmp], capture_output=True, text=True,
                                 check=True, env={**os.environ, **sandbox.env()})
        results.append({"lines": lines, **json.loads(out.stdout.strip().splitlines()[-1])})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=250)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--functions-per-request", type=int, default=100)
    parser.add_argument("--posting-lines", type=int, default=100_000)
    parser.add_argument("--validation-lines", type=int, default=100_000)
    parser.add_argument("--memory-lines", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(run_once_for_memory(args.memory_child)))
        return 0
    import logging

    logging.basicConfig(level=logging.WARNING)
    load = os.getloadavg()[0]
    posting = bench_posting(args.latency_ms, args.concurrency, args.functions_per_request, args.posting_lines)
    print(f"posting: {json.dumps(posting)}", flush=True)
    validation = bench_validation(args.validation_lines)
    print(f"validation: {json.dumps(validation)}", flush=True)
    memory = bench_memory(args.memory_lines) if args.memory_lines else []
    for item in memory:
        print(f"memory: {json.dumps(item)}", flush=True)
    print(f"\nSummary (one run; load average at start {load:.1f} on {os.cpu_count()} cores)")
    print(f"  posting throughput: {posting['documents_per_second']} docs/s = {posting['ratio_to_ceiling']:.0%} of the "
          f"ceiling {posting['ceiling_per_second']} docs/s ({args.concurrency} x {args.functions_per_request} / "
          f"{args.latency_ms:.0f} ms) over {posting['documents_posted']:,} documents  [target >= 80%]")
    for doc_type, item in posting["per_type"].items():
        print(f"    {doc_type}: {item['posted']:,} documents in {item['seconds']} s "
              f"({item['posted'] / item['seconds'] / posting['ceiling_per_second']:.0%})")
    print(f"  API transactions per posted document: {posting['api_transactions_per_document']}  [target <= 1.05]")
    print(f"  validation: {validation['rows_per_second']:,} lines/s over {validation['lines']:,} lines")
    for item in memory:
        print(f"  peak memory at {item['lines']:,} lines ({item['documents']:,} documents): "
              f"{item['peak_rss_mb']} MB (after imports: {item['rss_after_imports_mb']} MB)")
    if len(memory) > 1:
        print(f"  memory growth from {memory[0]['lines']:,} to {memory[-1]['lines']:,} lines: "
              f"x{memory[-1]['peak_rss_mb'] / memory[0]['peak_rss_mb']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
