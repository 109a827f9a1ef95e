"""Synthetic ERP generator.

    python -m include.erp.generate --out data/erp.db --lines 10000 --seed 42 \\
        [--csv DIR] [--as-of 2026-11-22] [--defect-rate 0.05 | --defect term_near_match=0.02 ...] \\
        --manifest data/erp_manifest.json
    python -m include.erp.generate edit --out data/erp.db --rate 0.05 --seed 7 --manifest data/erp_manifest.json

``--out`` is a SQLite file or any SQLAlchemy URL. Every column is stored as text
so malformed values can be planted. Documents are written in chunks as they are
built, so memory stays flat at any scale; the same seed and arguments give
byte-identical data.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from include.erp import contract
from include.erp.defects import AP, AR, DEFECTS, EDITED_AFTER_POST, JE, resolve_rates
from include.erp.documents import DOCUMENT_SPECS, MASTER_SPECS
from include.erp.synthetic import DocumentFactory, build_masters, cents_text, stamp_text

_ROWS_PER_INSERT = 10_000
_DOC_TYPE_WEIGHTS = ((AR, 0.5), (AP, 0.3), (JE, 0.2))
_LINES_PER_DOCUMENT = {AR: (1, 5), AP: (1, 4), JE: (1, 3)}  # JE: pairs of lines
MANIFEST_FORMAT = 1


def _database_url(out: str) -> str:
    return out if "://" in out else f"sqlite:///{Path(out).resolve()}"


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    for table, columns in contract.TABLES.items():
        sa.Table(table, metadata, *(sa.Column(c.name, sa.Text) for c in columns))
    return metadata


class _Writer:
    """Buffers rows per table and writes them with executemany in chunks."""

    def __init__(self, conn: sa.Connection, metadata: sa.MetaData):
        self.conn = conn
        self.metadata = metadata
        self.buffers: dict[str, list[dict[str, Any]]] = {t: [] for t in contract.TABLES}
        self.counts: Counter[str] = Counter()

    def add(self, table: str, row: dict[str, Any]) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= _ROWS_PER_INSERT:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            rows = self.buffers[name]
            if rows:
                table = self.metadata.tables[name]
                if self.conn.dialect.name == "sqlite":  # the driver directly: a third of the run otherwise
                    placeholders = ", ".join("?" for _ in table.c)
                    self.conn.exec_driver_sql(f'insert into "{name}" values ({placeholders})',
                                              [tuple(row.get(c) for c in table.c.keys()) for row in rows])
                else:
                    self.conn.execute(table.insert(), rows)
                self.counts[name] += len(rows)
                rows.clear()


def _recreate(engine: sa.Engine, metadata: sa.MetaData, out: str) -> None:
    if "://" not in out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a fresh file, so a seed gives byte-identical output
    metadata.drop_all(engine)
    metadata.create_all(engine)


def _create_indexes(conn: sa.Connection, metadata: sa.MetaData) -> None:
    for table, indexes in contract.recommended_indexes().items():
        for number, columns in enumerate(indexes):
            sa.Index(f"ix_{table}_{number}", *(metadata.tables[table].c[c] for c in columns)).create(conn)


def _pick_defect(rng: random.Random, rates: dict[str, float]) -> str | None:
    draw, cumulative = rng.random(), 0.0
    for name, rate in rates.items():
        cumulative += rate
        if draw < cumulative:
            return name
    return None


def generate(out: str, *, lines: int, seed: int, as_of: date, defect_rate: float | None = None,
             defect_rates: dict[str, float] | None = None, manifest: str | Path | None = None,
             csv_dir: str | Path | None = None) -> dict[str, Any]:
    """Write a synthetic ERP to ``out``; return (and write) the ground-truth manifest."""
    if not 1 <= lines <= 10_000_000:
        raise ValueError(f"--lines must be between 1 and 10,000,000, got {lines}")
    rates = resolve_rates(defect_rate, defect_rates)
    rng = random.Random(seed)
    masters = build_masters(rng, as_of)
    factory = DocumentFactory(rng, masters, as_of)
    metadata = _metadata()
    engine = sa.create_engine(_database_url(out))
    documents: list[dict[str, Any]] = []
    defect_counts: Counter[str] = Counter({name: 0 for name in DEFECTS})
    document_counts: Counter[str] = Counter()
    try:
        _recreate(engine, metadata, out)
        with engine.begin() as conn:
            writer = _Writer(conn, metadata)
            for table, records in (("customers", masters.customers), ("vendors", masters.vendors),
                                   ("items", masters.items)):
                for record in records:
                    writer.add(table, record)
            types, weights = zip(*_DOC_TYPE_WEIGHTS, strict=True)
            remaining = lines
            while remaining > 0:
                doc_type = rng.choices(types, weights)[0]
                low, high = _LINES_PER_DOCUMENT[doc_type]
                if doc_type == JE:
                    if remaining < 2:
                        doc_type, low, high = AR, 1, 1
                    else:
                        high = min(high, remaining // 2)
                count = min(rng.randint(low, high), remaining)
                document = factory.document(doc_type, count * 2 if doc_type == JE else count)
                remaining -= len(document.lines)
                defect = _pick_defect(rng, rates[doc_type])
                if defect:
                    factory.plant(document, defect)
                    defect_counts[defect] += 1
                    expected = DEFECTS[defect].expected_error_class
                    documents.append({"doc_type": doc_type, "key": document.key, "defects": [defect],
                                      "expected_error_class": expected.value if expected else None})
                document_counts[doc_type] += 1
                spec = DOCUMENT_SPECS[doc_type]
                if document.write_header:
                    for header in (document.header, *document.extra_headers):
                        writer.add(spec.header_table, header)
                if document.write_lines:
                    for line in document.lines:
                        writer.add(spec.lines_table, line)
            writer.flush()
            _create_indexes(conn, metadata)
        result = {
            "format": MANIFEST_FORMAT,
            "generator": {"seed": seed, "lines": lines, "as_of": as_of.isoformat(),
                          "closed_books_date": factory.closed_books_date.isoformat(),
                          "defect_rates": rates},
            "documents_total": dict(sorted(document_counts.items())),
            "rows": {t: writer.counts[t] for t in contract.TABLES},
            "new_masters": {"customer": masters.new_customer_ids, "vendor": masters.new_vendor_ids,
                            "item": masters.new_item_ids},
            "defect_counts": {**dict(defect_counts), EDITED_AFTER_POST.name: 0},
            "documents": documents,
        }
        if csv_dir:
            export_csv(engine, csv_dir)
    finally:
        engine.dispose()
    if manifest:
        write_manifest(result, manifest)
    return result


def write_manifest(manifest: dict[str, Any], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1) + "\n")


def export_csv(engine: sa.Engine, folder: str | Path) -> None:
    """Write every contract table to ``folder/<table>.csv`` in storage order, streamed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metadata = _metadata()
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if engine.dialect.name == "sqlite":
                order = [sa.literal_column("rowid")]
            else:
                order = [table.c[c] for c in contract.recommended_indexes()[name][-1]]
            query = sa.select(table).order_by(*order)
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                out = csv.writer(handle, lineterminator="\n")
                out.writerow(table.c.keys())
                for partition in conn.execution_options(stream_results=True, yield_per=5000).execute(
                        query).partitions():
                    out.writerows(["" if v is None else v for v in row] for row in partition)


# -- edits after posting -----------------------------------------------------------


def _latest_stamp(conn: sa.Connection, metadata: sa.MetaData) -> datetime:
    latest = max(conn.execute(sa.select(sa.func.max(metadata.tables[s.header_table].c.updated_at))).scalar() or ""
                 for s in DOCUMENT_SPECS.values())
    return datetime.fromisoformat(latest) if latest else datetime.now(UTC)


def _edit_document(conn: sa.Connection, metadata: sa.MetaData, rng: random.Random, doc_type: str, key: str,
                   new_stamp: str) -> dict[str, Any]:
    spec = DOCUMENT_SPECS[doc_type]
    header = metadata.tables[spec.header_table]
    lines = metadata.tables[spec.lines_table]
    text_column = "title" if doc_type == JE else "description"
    change: dict[str, Any]
    if rng.random() < 0.6:
        delta = rng.randint(1, 50_000)
        sides = ("debit", "credit") if doc_type == JE else ("amount",)  # a JE stays balanced
        change = {"column": "+".join(sides), "delta": cents_text(delta)}
        for side in sides:
            line_no, amount = conn.execute(
                sa.select(lines.c.line_no, lines.c[side]).where(lines.c[spec.key_column] == key,
                                                                 lines.c[side] != "")
                .order_by(sa.cast(lines.c.line_no, sa.Integer)).limit(1)).one()
            cents = round(float(amount) * 100) + delta
            conn.execute(lines.update().where(lines.c[spec.key_column] == key, lines.c.line_no == line_no)
                         .values({side: cents_text(cents)}))
    else:
        change = {"column": text_column, "appended": " (revised)"}
        conn.execute(header.update().where(header.c[spec.key_column] == key)
                     .values({text_column: header.c[text_column] + " (revised)"}))
    conn.execute(header.update().where(header.c[spec.key_column] == key).values(updated_at=new_stamp))
    return change


def edit(out: str, *, rate: float, seed: int, manifest: str | Path, csv_dir: str | Path | None = None
         ) -> dict[str, Any]:
    """Edit a share of the clean, not yet edited documents after posting; record them."""
    if not 0 <= rate <= 1:
        raise ValueError(f"--rate must be between 0 and 1, got {rate}")
    ground_truth = json.loads(Path(manifest).read_text())
    already = {(d["doc_type"], d["key"]) for d in ground_truth["documents"]}
    rng = random.Random(f"edit:{seed}")
    metadata = _metadata()
    engine = sa.create_engine(_database_url(out))
    edited = []
    try:
        with engine.begin() as conn:
            moment = _latest_stamp(conn, metadata) + timedelta(hours=1)
            for doc_type, spec in DOCUMENT_SPECS.items():
                key_col = metadata.tables[spec.header_table].c[spec.key_column]
                last = ""
                while True:  # keyset pages of keys: flat memory
                    keys = conn.execute(sa.select(key_col).distinct().where(key_col > last)
                                        .order_by(key_col).limit(5000)).scalars().all()
                    if not keys:
                        break
                    last = keys[-1]
                    for key in keys:
                        if (doc_type, key) in already or rng.random() >= rate:
                            continue
                        moment += timedelta(seconds=rng.randint(1, 120))
                        change = _edit_document(conn, metadata, rng, doc_type, key, stamp_text(moment))
                        edited.append({"doc_type": doc_type, "key": key, "defects": [EDITED_AFTER_POST.name],
                                       "expected_error_class": None, "change": change,
                                       "updated_at": stamp_text(moment)})
        if csv_dir:
            export_csv(engine, csv_dir)
    finally:
        engine.dispose()
    ground_truth["documents"].extend(edited)
    counts = ground_truth["defect_counts"]
    counts[EDITED_AFTER_POST.name] = counts.get(EDITED_AFTER_POST.name, 0) + len(edited)
    write_manifest(ground_truth, manifest)
    return ground_truth


# -- command line ---------------------------------------------------------------------


def _defect_setting(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in DEFECTS or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=RATE with NAME one of {', '.join(DEFECTS)}")
    return name, float(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m include.erp.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="SQLite file or SQLAlchemy URL to (re)create")
    parser.add_argument("--lines", type=int, default=10_000, help="document lines to write (100 to 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="today for the data: open period ends here (default: today, UTC)")
    parser.add_argument("--csv", dest="csv_dir", help="also write the tables as CSV files into this folder")
    rates = parser.add_mutually_exclusive_group()
    rates.add_argument("--defect-rate", type=float, default=None,
                       help="share of documents with one defect, spread over the defects (default 0.05)")
    rates.add_argument("--defect", type=_defect_setting, action="append", default=[],
                       help="NAME=RATE: the share of applicable documents with this defect (repeatable)")
    parser.add_argument("--manifest", help="where to write the ground-truth manifest (JSON)")
    return parser


def _edit_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m include.erp.generate edit",
                                     description="Edit documents after they were posted (bumps updated_at).")
    parser.add_argument("--out", required=True, help="the generated SQLite file or SQLAlchemy URL")
    parser.add_argument("--rate", type=float, default=0.05, help="share of clean documents to edit")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--manifest", required=True, help="the generator's manifest, updated in place")
    parser.add_argument("--csv", dest="csv_dir", help="rewrite the CSV files in this folder too")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    started = datetime.now(UTC)
    if argv[:1] == ["edit"]:
        args = _edit_parser().parse_args(argv[1:])
        result = edit(args.out, rate=args.rate, seed=args.seed, manifest=args.manifest, csv_dir=args.csv_dir)
        print(f"edited {result['defect_counts'][EDITED_AFTER_POST.name]} documents after posting in total; "
              f"manifest {args.manifest}")
        return 0
    args = _parser().parse_args(argv)
    explicit = dict(args.defect) or None
    result = generate(args.out, lines=args.lines, seed=args.seed, as_of=args.as_of or datetime.now(UTC).date(),
                      defect_rate=None if explicit else (0.05 if args.defect_rate is None else args.defect_rate),
                      defect_rates=explicit, manifest=args.manifest, csv_dir=args.csv_dir)
    defective = sum(result["defect_counts"].values())
    seconds = (datetime.now(UTC) - started).total_seconds()
    print(f"wrote {sum(result['documents_total'].values())} documents, "
          f"{sum(result['rows'][s.lines_table] for s in DOCUMENT_SPECS.values())} lines, "
          f"{sum(result['rows'][m.table] for m in MASTER_SPECS.values())} masters to {args.out} "
          f"({defective} with a defect) in {seconds:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
