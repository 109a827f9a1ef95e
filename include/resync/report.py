"""The resync run's report: one line per object (what happened and why), as Markdown and JSON."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from include.resync.request import ResyncRequest


def summary(results: list) -> dict[str, int]:
    return dict(Counter(r.result for r in results))


def markdown(request: ResyncRequest, results: list) -> str:
    lines = [f"# Resync {request.run_id}", "", request.describe(), "",
             "Outcome: " + (", ".join(f"{n} {what}" for what, n in sorted(summary(results).items()))
                            or "nothing selected"), "",
             "| key | before | result | status now | error class | message | RECORDNO |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        message = (r.message or "").replace("\n", " / ").replace("|", "\\|")
        lines.append(f"| {r.key} | {r.before or 'unknown'} | {r.result} | {r.status or ''} | {r.error_class or ''} "
                     f"| {message} | {r.record_no or ''} |")
    return "\n".join(lines) + "\n"


def write_report(request: ResyncRequest, results: list, reports_dir: Path) -> tuple[Path, Path]:
    reports_dir.mkdir(parents=True, exist_ok=True)
    stem = "resync_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.run_id)
    md_path, json_path = reports_dir / f"{stem}.md", reports_dir / f"{stem}.json"
    md_path.write_text(markdown(request, results))
    json_path.write_text(json.dumps({"request": request.to_json(), "summary": summary(results),
                                     "objects": [r.to_json() for r in results]}, indent=2, default=str))
    return md_path, json_path
