"""The sandbox's state: every company's records in memory, persisted to SQLite.

Reads come from memory (the sandbox must answer thousands of functions a second);
each request's effects are written to SQLite in one transaction at its end. An undo
log gives savepoints, so a failed function, or a whole operation under
transaction="true", leaves no trace.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
create table if not exists records (
    company text not null, object text not null, recordno integer not null, data text not null,
    primary key (company, object, recordno));
create table if not exists settings (
    company text not null, key text not null, value text not null, primary key (company, key));
create table if not exists control_ids (
    company text not null, controlid text not null, primary key (company, controlid));
"""
_MISSING = object()


class Store:
    def __init__(self, state_dir: str | Path):
        self.path = Path(state_dir) / "sandbox.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=normal")
        self._db.executescript(_SCHEMA)
        # company -> object -> recordno -> record
        self._records: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
        # company -> object -> business id -> recordno
        self._index: dict[str, dict[str, dict[str, int]]] = {}
        self._settings: dict[str, dict[str, Any]] = {}
        self._control_ids: dict[str, set[str]] = {}
        self._key_fields: dict[str, str] = {}
        self._undo: list[tuple] = []
        self._dirty_records: set[tuple[str, str, int]] = set()
        self._dirty_settings: set[tuple[str, str]] = set()
        self._new_control_ids: set[tuple[str, str]] = set()
        self._load()

    # --- loading and seeding ---------------------------------------------------------------------
    def _load(self) -> None:
        for company, obj, recordno, data in self._db.execute("select company, object, recordno, data from records"):
            self._put_memory(company, obj, recordno, json.loads(data))
        for company, key, value in self._db.execute("select company, key, value from settings"):
            self._settings.setdefault(company, {})[key] = json.loads(value)
        for company, cid in self._db.execute("select company, controlid from control_ids"):
            self._control_ids.setdefault(company, set()).add(cid)

    def is_empty(self) -> bool:
        return not self._records

    def set_key_fields(self, key_fields: dict[str, str]) -> None:
        """Which field is each object's business id (for find_by_key)."""
        self._key_fields = dict(key_fields)
        for company, objects in self._records.items():
            for obj, records in objects.items():
                index = self._index.setdefault(company, {}).setdefault(obj, {})
                index.clear()
                for recordno, record in records.items():
                    key = record.get(self._key_fields.get(obj, ""), "")
                    if key:
                        index[key] = recordno

    def wipe(self) -> None:
        self._db.execute("begin")
        for table in ("records", "settings", "control_ids"):
            self._db.execute(f"delete from {table}")
        self._db.execute("commit")
        self._records.clear()
        self._index.clear()
        self._settings.clear()
        self._control_ids.clear()
        self._undo.clear()
        self._dirty_records.clear()
        self._dirty_settings.clear()
        self._new_control_ids.clear()

    # --- records ---------------------------------------------------------------------------------
    def _put_memory(self, company: str, obj: str, recordno: int, record: dict[str, Any]) -> None:
        self._records.setdefault(company, {}).setdefault(obj, {})[recordno] = record
        key = record.get(self._key_fields.get(obj, ""), "")
        if key:
            self._index.setdefault(company, {}).setdefault(obj, {})[key] = recordno

    def _drop_memory(self, company: str, obj: str, recordno: int) -> None:
        record = self._records.get(company, {}).get(obj, {}).pop(recordno, None)
        if record is not None:
            key = record.get(self._key_fields.get(obj, ""), "")
            index = self._index.get(company, {}).get(obj, {})
            if key and index.get(key) == recordno:
                del index[key]

    def records(self, company: str, obj: str) -> Iterator[dict[str, Any]]:
        return iter(list(self._records.get(company, {}).get(obj, {}).values()))

    def count(self, company: str, obj: str) -> int:
        return len(self._records.get(company, {}).get(obj, {}))

    def get(self, company: str, obj: str, recordno: int) -> dict[str, Any] | None:
        return self._records.get(company, {}).get(obj, {}).get(recordno)

    def find_by_key(self, company: str, obj: str, key: str) -> dict[str, Any] | None:
        recordno = self._index.get(company, {}).get(obj, {}).get(key)
        return None if recordno is None else self.get(company, obj, recordno)

    def next_recordno(self, company: str) -> int:
        value = self.setting(company, "next_recordno", 1)
        self.set_setting(company, "next_recordno", value + 1)
        return value

    def put(self, company: str, obj: str, record: dict[str, Any]) -> dict[str, Any]:
        """Insert or replace a record (it must carry RECORDNO as a string)."""
        recordno = int(record["RECORDNO"])
        old = self.get(company, obj, recordno)
        self._undo.append(("record", company, obj, recordno, old))
        if old is not None:
            self._drop_memory(company, obj, recordno)
        self._put_memory(company, obj, recordno, record)
        self._dirty_records.add((company, obj, recordno))
        return record

    def delete(self, company: str, obj: str, recordno: int) -> None:
        old = self.get(company, obj, recordno)
        if old is None:
            return
        self._undo.append(("record", company, obj, recordno, old))
        self._drop_memory(company, obj, recordno)
        self._dirty_records.add((company, obj, recordno))

    # --- settings and control ids ----------------------------------------------------------------
    def setting(self, company: str, key: str, default: Any = None) -> Any:
        return self._settings.get(company, {}).get(key, default)

    def set_setting(self, company: str, key: str, value: Any) -> None:
        old = self._settings.get(company, {}).get(key, _MISSING)
        self._undo.append(("setting", company, key, old))
        self._settings.setdefault(company, {})[key] = value
        self._dirty_settings.add((company, key))

    def has_control_id(self, company: str, control_id: str) -> bool:
        return control_id in self._control_ids.get(company, ())

    def add_control_id(self, company: str, control_id: str) -> None:
        self._undo.append(("control", company, control_id))
        self._control_ids.setdefault(company, set()).add(control_id)
        self._new_control_ids.add((company, control_id))

    # --- savepoints and commit -------------------------------------------------------------------
    def savepoint(self) -> int:
        return len(self._undo)

    def rollback_to(self, savepoint: int) -> None:
        while len(self._undo) > savepoint:
            entry = self._undo.pop()
            if entry[0] == "record":
                _, company, obj, recordno, old = entry
                self._drop_memory(company, obj, recordno)
                if old is not None:
                    self._put_memory(company, obj, recordno, old)
            elif entry[0] == "setting":
                _, company, key, old = entry
                if old is _MISSING:
                    self._settings.get(company, {}).pop(key, None)
                else:
                    self._settings[company][key] = old
            else:
                _, company, control_id = entry
                self._control_ids.get(company, set()).discard(control_id)
                self._new_control_ids.discard((company, control_id))

    def commit(self) -> None:
        """Write everything changed since the last commit in one SQLite transaction."""
        if not (self._dirty_records or self._dirty_settings or self._new_control_ids):
            self._undo.clear()
            return
        upserts, deletes = [], []
        for company, obj, recordno in self._dirty_records:
            record = self.get(company, obj, recordno)
            if record is None:
                deletes.append((company, obj, recordno))
            else:
                upserts.append((company, obj, recordno, json.dumps(record, separators=(",", ":"))))
        settings = []
        for company, key in self._dirty_settings:
            value = self._settings.get(company, {}).get(key, _MISSING)
            if value is not _MISSING:
                settings.append((company, key, json.dumps(value)))
        db = self._db
        db.execute("begin")
        try:
            if upserts:
                db.executemany("insert or replace into records values (?, ?, ?, ?)", upserts)
            if deletes:
                db.executemany("delete from records where company = ? and object = ? and recordno = ?", deletes)
            if settings:
                db.executemany("insert or replace into settings values (?, ?, ?)", settings)
            if self._new_control_ids:
                db.executemany("insert or ignore into control_ids values (?, ?)", list(self._new_control_ids))
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        self._undo.clear()
        self._dirty_records.clear()
        self._dirty_settings.clear()
        self._new_control_ids.clear()

    def close(self) -> None:
        self._db.close()
