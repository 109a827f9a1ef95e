"""Staging a folder of CSV files (one per contract table) into a local SQLite file,
so CSV and database sources share one reading path.

The stage is rebuilt only when a CSV file was added, removed or changed (size or
modification time), streamed in chunks, into a new file that atomically replaces
the old one: a reader that still has the old file open keeps a consistent view.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path

from include.erp import contract
from include.erp.contract import ErpSourceError

_ROWS_PER_INSERT = 5000
_SIGNATURE_TABLE = "_csv_stage_signature"


def _signature(folder: Path) -> str:
    files = []
    for table in contract.TABLES:
        path = folder / f"{table}.csv"
        if path.is_file():
            stat = path.stat()
            files.append([path.name, stat.st_size, stat.st_mtime_ns])
    return json.dumps(files)


def _stage_path(folder: Path, staging_dir: str | Path | None) -> Path:
    directory = Path(staging_dir) if staging_dir else Path(tempfile.gettempdir()) / "erp-csv-stage"
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    return directory / f"{folder.name or 'root'}-{digest}.sqlite"


def _current_signature(stage: Path) -> str | None:
    if not stage.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{stage}?mode=ro", uri=True) as conn:
            return conn.execute(f"select signature from {_SIGNATURE_TABLE}").fetchone()[0]
    except sqlite3.Error:
        return None


def _load_table(conn: sqlite3.Connection, table: str, path: Path) -> None:
    wanted = [c.name for c in contract.columns(table)]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [c for c in contract.required_columns(table) if c not in header]
        if missing:
            raise ErpSourceError(f"{path} (table {table!r}) lacks required column {', '.join(missing)}")
        present = [c for c in wanted if c in header]
        positions = [header.index(c) for c in present]
        columns_sql = ", ".join(f'"{c}" TEXT' for c in present)
        conn.execute(f'create table "{table}" ({columns_sql})')
        insert = f'insert into "{table}" values ({", ".join("?" for _ in present)})'
        chunk: list[tuple[str | None, ...]] = []
        for record in reader:
            if not record:
                continue  # csv's representation of a blank line
            # A short row keeps its missing trailing cells as missing values.
            chunk.append(tuple(record[i] if i < len(record) else None for i in positions))
            if len(chunk) >= _ROWS_PER_INSERT:
                conn.executemany(insert, chunk)
                chunk.clear()
        if chunk:
            conn.executemany(insert, chunk)
    for number, index_columns in enumerate(contract.recommended_indexes().get(table, [])):
        if all(c in present for c in index_columns):
            quoted = ", ".join(f'"{c}"' for c in index_columns)
            conn.execute(f'create index "ix_{table}_{number}" on "{table}" ({quoted})')


def stage_csv_folder(folder: str | Path, staging_dir: str | Path | None = None) -> Path:
    """Stage ``folder``'s contract CSV files; return the SQLite file to read."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise ErpSourceError(f"CSV folder {folder} does not exist")
    stage = _stage_path(folder, staging_dir)
    signature = _signature(folder)
    if _current_signature(stage) == signature:
        return stage
    handle, building = tempfile.mkstemp(prefix=stage.stem, suffix=".building", dir=stage.parent)
    os.close(handle)
    try:
        conn = sqlite3.connect(building)
        try:
            conn.execute("pragma journal_mode = off")
            conn.execute("pragma synchronous = off")
            for table in contract.TABLES:
                path = folder / f"{table}.csv"
                if path.is_file():
                    _load_table(conn, table, path)
            conn.execute(f"create table {_SIGNATURE_TABLE} (signature TEXT)")
            conn.execute(f"insert into {_SIGNATURE_TABLE} values (?)", (signature,))
            conn.commit()
        finally:
            conn.close()
        os.replace(building, stage)
    finally:
        if os.path.exists(building):
            os.unlink(building)
    return stage
