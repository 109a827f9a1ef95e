"""Generator speed and ERP source memory at growing sizes.

    .venv/bin/python bench/erp_read_memory.py [--lines 20000 200000 1000000] [--chunk-size 2000]

For each size it generates a synthetic ERP (SQLite), then reads every document
and master in a fresh process and reports that process's peak resident memory.
Flat reading means the peak barely moves while the ERP grows tenfold.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_READER = """
import sys, resource
from include.erp.documents import DOCUMENT_SPECS, MASTER_SPECS
from include.erp.source import open_source
documents = lines = 0
with open_source(sys.argv[1]) as source:
    for doc_type in DOCUMENT_SPECS:
        for page in source.iter_documents(doc_type, chunk_size=int(sys.argv[2])):
            documents += len(page)
            lines += sum(len(d.lines) for d in page)
    masters = sum(len(p) for t in MASTER_SPECS for p in source.iter_masters(t))
print(documents, lines, masters, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    from include.erp.generate import generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--chunk-size", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'lines':>9} {'gen cpu s':>9} {'gen wall s':>10} {'documents':>9} {'read wall s':>11} {'read peak MB':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.lines:
            path = Path(folder) / f"erp-{size}.db"
            cpu, wall = time.process_time(), time.perf_counter()
            generate(str(path), lines=size, seed=42, as_of=date(2026, 11, 22), defect_rate=0.05)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            started = time.perf_counter()
            output = subprocess.run([sys.executable, "-c", _READER, str(path), str(args.chunk_size)], cwd=ROOT,
                                    check=True, capture_output=True, text=True).stdout.split()
            read_wall = time.perf_counter() - started
            documents, peak_kb = int(output[0]), int(output[3])
            print(f"{size:>9} {cpu:>9.1f} {wall:>10.1f} {documents:>9} {read_wall:>11.1f} {peak_kb / 1024:>12.1f}")


if __name__ == "__main__":
    main()
