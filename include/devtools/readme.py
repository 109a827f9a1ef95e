"""Assemble README.md from the sections in docs/readme/, in reading order.

Each part of the product documents itself in its own section file; this puts them
together. ``python -m include.devtools.readme`` rewrites README.md; a test fails
when README.md is stale or a section file is not listed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SECTIONS_DIR = REPO_ROOT / "docs" / "readme"
README = REPO_ROOT / "README.md"

# Reading order: what it is and how to run it, then each part in the order data flows.
SECTIONS = (
    "intro", "setup", "client", "connect", "erp", "master_data", "transactions", "validation", "failures",
    "remediation", "resync", "ledger", "status-page", "sandbox", "production", "benchmarks", "development",
)
GENERATED_NOTE = "<!-- Generated from docs/readme/*.md by `python -m include.devtools.readme`; edit those. -->"


def unlisted_sections() -> list[str]:
    return sorted(p.stem for p in SECTIONS_DIR.glob("*.md") if p.stem not in SECTIONS)


def assemble() -> str:
    parts = [(SECTIONS_DIR / f"{name}.md") for name in SECTIONS]
    texts = [p.read_text().strip() for p in parts if p.exists()]
    return "\n\n".join([texts[0], GENERATED_NOTE, *texts[1:]]) + "\n"


def main() -> int:
    unlisted = unlisted_sections()
    if unlisted:
        print(f"docs/readme has sections not listed in SECTIONS: {unlisted}", file=sys.stderr)
        return 1
    README.write_text(assemble())
    print(f"wrote {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
