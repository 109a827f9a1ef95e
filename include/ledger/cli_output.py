"""How ``python -m include.ledger`` prints: short tables by default, every character with ``--full``,
or JSON with ``--json`` (for scripts, and for messages too long for a table cell, such as the INT402
steps or a term suggestion)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

MAX_CELL = 60  # characters of a table cell; --full prints the rest
ROW_COLUMNS = (
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
EVENT_COLUMNS = ("at", "object_type", "kind", "from", "to", "version", "run_id", "actor", "reason", "details")


def cell(value: Any) -> str:
    """A value as one short table cell (one line, cut with "…" past MAX_CELL characters)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    text = str(value).replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def plain(value: Any) -> Any:
    """JSON types: times in ISO 8601, amounts as decimal strings, statuses as their value."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def dumps(value: Any) -> str:
    return json.dumps(plain(value), indent=2, ensure_ascii=False)


def row_json(row) -> dict[str, Any]:
    return plain(asdict(row))


def event_json(event) -> dict[str, Any]:
    return plain(asdict(event))


def details_text(details: dict[str, Any] | None) -> str:
    """What Intacct said first (the message), then the rest as key=value."""
    if not details:
        return ""
    ordered = sorted(details.items(), key=lambda item: item[0] != "message")
    return " ".join(f"{k}={v}" for k, v in ordered if v is not None)


def _indented(label: str, value: Any, indent: str = "  ") -> list[str]:
    """``label: value``; a text of several lines goes under the label, each line indented, nothing cut."""
    if value is None or value == "":
        return []
    if isinstance(value, datetime):
        value = f"{value:%Y-%m-%d %H:%M:%S %Z}".strip()
    if isinstance(value, dict | list):
        value = json.dumps(plain(value), indent=2, ensure_ascii=False)
    text = str(value)
    if "\n" not in text:
        return [f"{indent}{label}: {text}"]
    return [f"{indent}{label}:", *(f"{indent}  {line}" for line in text.splitlines())]


def row_block(row, fields: Sequence[str] | None = None) -> str:
    """One object in full, a field a line (``fields``: which; default every non-empty one)."""
    values = asdict(row)
    lines = [f"{row.object_type} {row.key}"]
    for name in fields or values:
        lines += _indented(name, values[name].value if isinstance(values[name], Enum) else values[name])
    return "\n".join(lines)


def event_block(event) -> str:
    head = (f"{event.at:%Y-%m-%d %H:%M:%S}  {event.object_type}  {event.kind}  "
            f"{event.from_status or '-'} -> {event.to_status or '-'}")
    lines = [head]
    for label, value in (("version", event.source_version), ("run_id", event.run_id), ("actor", event.actor),
                         ("reason", event.reason)):
        lines += _indented(label, value)
    for name, value in (event.details or {}).items():
        lines += _indented(f"details.{name}", value)
    return "\n".join(lines)
