"""Reading an ERP database (any SQLAlchemy URL) or a CSV folder as typed documents.

Memory stays flat whatever the ERP's size: headers are read in keyset pages of
``chunk_size`` ordered by ``(updated_at, key)`` and lines are fetched for one page
of header keys at a time. Nothing is dropped: unparseable values, orphan lines,
headers without lines and duplicated document numbers arrive as documents
carrying ``SourceProblem``s (see docs/erp/index.md for when each is yielded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from include.erp import contract
from include.erp.contract import ErpSourceError
from include.erp.csv_staging import stage_csv_folder
from include.erp.documents import DOCUMENT_SPECS, MASTER_SPECS, SourceDocument, SourceMaster, SourceProblem
from include.erp.parsing import PARSERS, parse_key

DEFAULT_CHUNK_SIZE = 2000
_IN_LIST_SIZE = 500  # bound parameters per IN (...) list, well under every driver's limit
# An updated_at this far ahead of the clock is a data or clock error, not a change to come.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST_PLAUSIBLE = datetime(1900, 1, 1, tzinfo=UTC)


def implausible_stamp(value: datetime, now: datetime) -> str | None:
    """Why an ERP ``updated_at`` cannot be a real change time (None when it can)."""
    if value > now + FUTURE_TOLERANCE:
        return (f"{value.isoformat()} is in the future (now {now.isoformat(timespec='seconds')}): an ERP clock or "
                "data error; incremental reads would never pick the record up. Correct updated_at in the ERP")
    if value < EARLIEST_PLAUSIBLE:
        return f"{value.isoformat()} is before 1900: not a real change time. Correct updated_at in the ERP"
    return None


@dataclass(frozen=True)
class _Table:
    name: str
    table: sa.TableClause  # untyped columns: values arrive as the driver returns them
    present: frozenset[str]
    native_timestamp: bool  # updated_at is a real timestamp column on a server database
    timestamp_has_zone: bool
    native_dates: frozenset[str]


@dataclass(frozen=True)
class _Window:
    changed_since: datetime | None = None
    changed_until: datetime | None = None
    date_column: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def admits(self, record: dict[str, Any]) -> bool:
        """The exact filter, applied in Python after SQL's index-friendly pre-filter.

        An unreadable or implausible ``updated_at`` (see ``implausible_stamp``) is admitted, so it is
        reported; a document without a readable posting date is outside any posting-date window.
        """
        updated_at = record.get("updated_at")
        if updated_at is not None and not record.get("_implausible_stamp"):
            if self.changed_since is not None and updated_at <= self.changed_since:
                return False
            if self.changed_until is not None and updated_at > self.changed_until:
                return False
        if self.date_column and (self.date_from or self.date_to):
            posting = record.get(self.date_column)
            if posting is None:
                return False
            if self.date_from and posting < self.date_from:
                return False
            if self.date_to and posting > self.date_to:
                return False
        return True


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _batches(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class SqlSource:
    """An ERP whose contract tables live in a SQLAlchemy database."""

    def __init__(self, url: str | sa.URL, *, name: str | None = None):
        self.url = sa.make_url(url)
        self.name = name or self.url.render_as_string(hide_password=True)
        database = self.url.database or ""
        if self.url.get_backend_name() == "sqlite" and database not in ("", ":memory:") \
                and not database.startswith("file:") and not Path(database).is_file():
            # Opening it would create an empty file and every run would find no documents.
            raise ErpSourceError(f"ERP source {self.name}: the SQLite file {database} does not exist")
        self._engine = sa.create_engine(self.url)
        self._tables: dict[str, _Table] = {}
        inspector = sa.inspect(self._engine)
        existing = {*inspector.get_table_names(), *inspector.get_view_names()}  # views map other schemas
        for table in contract.TABLES:
            if table in existing:
                self._describe(table)  # fail fast on a missing required column

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def __enter__(self) -> SqlSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    # -- schema ---------------------------------------------------------------

    def _describe(self, table: str) -> _Table:
        if table in self._tables:
            return self._tables[table]
        inspector = sa.inspect(self._engine)
        if not inspector.has_table(table):
            raise ErpSourceError(f"ERP source {self.name} has no table {table!r}")
        reflected = {c["name"].lower(): c for c in inspector.get_columns(table)}
        missing = [c for c in contract.required_columns(table) if c not in reflected]
        if missing:
            raise ErpSourceError(f"ERP table {table!r} in {self.name} lacks required column "
                                 f"{', '.join(missing)}")
        present = [c.name for c in contract.columns(table) if c.name in reflected]
        server = self._engine.dialect.name != "sqlite"  # SQLite keeps timestamps as text whatever the type
        stamp_type = reflected.get("updated_at", {}).get("type")
        native_timestamp = server and isinstance(stamp_type, sa.DateTime)
        native_dates = frozenset(
            c.name for c in contract.columns(table)
            if c.kind == contract.DATE and c.name in reflected and server
            and isinstance(reflected[c.name]["type"], sa.Date)
        )
        described = _Table(
            name=table,
            table=sa.table(table, *(sa.column(reflected[c]["name"]) for c in present)),
            present=frozenset(present),
            native_timestamp=native_timestamp,
            timestamp_has_zone=bool(native_timestamp and getattr(stamp_type, "timezone", False)),
            native_dates=native_dates,
        )
        self._tables[table] = described
        return described

    @staticmethod
    def _col(table: _Table, name: str) -> sa.ColumnClause:
        return next(c for c in table.table.columns if c.name.lower() == name)

    def _select(self, table: _Table) -> sa.Select:
        return sa.select(*(self._col(table, c.name).label(c.name) for c in contract.columns(table.name)
                           if c.name in table.present))

    # -- filters --------------------------------------------------------------

    def _stamp_bound(self, table: _Table, value: datetime) -> Any:
        if table.timestamp_has_zone:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def _change_conditions(self, table: _Table, window: _Window) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if "updated_at" in table.present:
            stamp = self._col(table, "updated_at")
            if table.native_timestamp:
                if window.changed_since:
                    conditions.append(stamp > self._stamp_bound(table, window.changed_since))
                if window.changed_until:
                    conditions.append(stamp <= self._stamp_bound(table, window.changed_until))
            else:
                # Text timestamps: a day of slack either side covers any offset and
                # format; the exact comparison happens on the parsed value.
                if window.changed_since:
                    conditions.append(stamp >= (window.changed_since - timedelta(days=1)).date().isoformat())
                if window.changed_until:
                    conditions.append(stamp < (window.changed_until + timedelta(days=2)).date().isoformat())
        return conditions

    def _posting_conditions(self, table: _Table, window: _Window) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = []
        if window.date_column and window.date_column in table.present:
            posting = self._col(table, window.date_column)
            native = window.date_column in table.native_dates
            if window.date_from:
                conditions.append(posting >= (window.date_from if native else window.date_from.isoformat()))
            if window.date_to:
                upper = window.date_to + timedelta(days=1)
                conditions.append(posting < (upper if native else upper.isoformat()))
        return conditions

    # -- header pages ---------------------------------------------------------

    def _header_pages(self, table: _Table, key_column: str, window: _Window, keys: Sequence[str] | None,
                      chunk_size: int) -> Iterator[list[tuple[dict[str, Any], int]]]:
        """Pages of raw header rows with how often each row's key occurs in the table.

        A key that occurs more than once is yielded once, at its latest row.
        """
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        key_col = self._col(table, key_column)
        stamp = self._col(table, "updated_at")
        posting = self._posting_conditions(table, window)
        changes = self._change_conditions(table, window)
        key_batches: Iterable[Sequence[str] | None] = (
            [None] if keys is None else _batches(sorted(set(keys)), max(chunk_size, 1)))
        with self._engine.connect() as conn:
            for key_batch in key_batches:
                conditions = list(posting)
                if key_batch is not None:
                    conditions.append(key_col.in_(key_batch))
                last: tuple[Any, Any] | None = None
                while True:
                    query = self._select(table).where(stamp.is_not(None), key_col.is_not(None), *conditions,
                                                      *changes)
                    if last is not None:
                        query = query.where(sa.tuple_(stamp, key_col) > sa.tuple_(sa.literal(last[0]),
                                                                                   sa.literal(last[1])))
                    query = query.order_by(stamp, key_col).limit(chunk_size)
                    rows = [dict(r._mapping) for r in conn.execute(query)]
                    if not rows:
                        break
                    last = (rows[-1]["updated_at"], rows[-1][key_column])
                    yield self._deduplicated(conn, table, key_column, rows)
                    if len(rows) < chunk_size:
                        break
                yield from self._unkeyed_pages(conn, table, key_column, conditions, chunk_size)
                if window.changed_since or window.changed_until:
                    yield from self._implausible_stamp_pages(conn, table, key_column, conditions, changes,
                                                             chunk_size)

    def _deduplicated(self, conn: sa.Connection, table: _Table, key_column: str,
                      rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
        key_col = self._col(table, key_column)
        stamp = self._col(table, "updated_at")
        repeated: dict[Any, tuple[int, Any]] = {}
        for batch in _batches([r[key_column] for r in rows], _IN_LIST_SIZE):
            query = (sa.select(key_col, sa.func.count(), sa.func.max(stamp)).where(key_col.in_(batch))
                     .group_by(key_col).having(sa.func.count() > 1))
            repeated.update({k: (n, latest) for k, n, latest in conn.execute(query)})
        page, seen = [], set()
        for row in rows:
            key = row[key_column]
            if key in repeated:
                count, latest = repeated[key]
                if row["updated_at"] != latest or key in seen:
                    continue
                seen.add(key)
                page.append((row, count))
            else:
                page.append((row, 1))
        return page

    def _unkeyed_pages(self, conn: sa.Connection, table: _Table, key_column: str,
                       conditions: list[sa.ColumnElement[bool]], chunk_size: int,
                       ) -> Iterator[list[tuple[dict[str, Any], int]]]:
        """Rows without a key or an updated_at cannot be paged by keyset or read
        incrementally: they are read (by offset, they are rare) on every run."""
        key_col = self._col(table, key_column)
        stamp = self._col(table, "updated_at")
        offset = 0
        while True:
            query = (self._select(table).where(sa.or_(stamp.is_(None), key_col.is_(None)), *conditions)
                     .order_by(key_col).offset(offset).limit(chunk_size))
            rows = [dict(r._mapping) for r in conn.execute(query)]
            if not rows:
                return
            yield [(row, 1) for row in rows]
            offset += len(rows)

    def _implausible_stamp_pages(self, conn: sa.Connection, table: _Table, key_column: str,
                                 conditions: list[sa.ColumnElement[bool]], changes: list[sa.ColumnElement[bool]],
                                 chunk_size: int) -> Iterator[list[tuple[dict[str, Any], int]]]:
        """Rows whose updated_at no incremental window would ever admit (far in the future, before
        1900, or text that is not a timestamp): read on every incremental run, so they are reported
        with their document instead of waiting forever. Rows the window itself reads are left to it."""
        key_col = self._col(table, key_column)
        stamp = self._col(table, "updated_at")
        now = datetime.now(UTC)
        if table.native_timestamp:
            implausible = sa.or_(stamp > self._stamp_bound(table, now + FUTURE_TOLERANCE),
                                 stamp < self._stamp_bound(table, EARLIEST_PLAUSIBLE))
        else:
            shaped = sa.and_(sa.func.substr(stamp, 5, 1) == "-", sa.func.substr(stamp, 8, 1) == "-")
            implausible = sa.or_(~shaped, stamp < EARLIEST_PLAUSIBLE.date().isoformat(),
                                 stamp > (now + FUTURE_TOLERANCE).isoformat())
        window = sa.and_(*changes) if changes else sa.false()
        offset = 0
        while True:
            query = (self._select(table).where(stamp.is_not(None), key_col.is_not(None), implausible,
                                               sa.not_(window), *conditions)
                     .order_by(key_col).offset(offset).limit(chunk_size))
            rows = [dict(r._mapping) for r in conn.execute(query)]
            if not rows:
                return
            yield self._deduplicated(conn, table, key_column, rows)
            offset += len(rows)

    # -- typing ---------------------------------------------------------------

    @staticmethod
    def _typed(table: str, label: str, row: dict[str, Any], problems: list[SourceProblem]) -> dict[str, Any]:
        typed = {}
        for column in contract.columns(table):
            value, reason = PARSERS[column.kind](row.get(column.name))
            if reason:
                problems.append(SourceProblem(table, label, column.name, reason))
            typed[column.name] = value
        return typed

    def _typed_pages(self, table: _Table, key_column: str, window: _Window, keys: list[str] | None,
                     chunk_size: int) -> Iterator[list[tuple[str, dict[str, Any], list[SourceProblem], Any]]]:
        """Pages of typed header records inside the window: (ledger key, record, problems, the ERP's key)."""
        now = datetime.now(UTC)
        for page in self._header_pages(table, key_column, window, keys, chunk_size):
            records = []
            for row, occurrences in page:
                problems: list[SourceProblem] = []
                label, key_problem = parse_key(row[key_column], key_column, sorted(row.items(), key=str))
                typed = self._typed(table.name, label, row, problems)
                stamp = typed.get("updated_at")
                implausible = implausible_stamp(stamp, now) if stamp is not None else None
                if not window.admits({**typed, "_implausible_stamp": implausible}):
                    continue
                reported = {problem.column for problem in problems}
                if key_problem and key_column not in reported:
                    problems.append(SourceProblem(table.name, label, key_column, key_problem))
                if implausible:
                    problems.append(SourceProblem(table.name, label, "updated_at", implausible))
                if stamp is None and "updated_at" not in reported:
                    problems.append(SourceProblem(table.name, label, "updated_at",
                                                  "updated_at is missing, so the record is read on every run"))
                if occurrences > 1:
                    problems.append(SourceProblem(table.name, label, key_column,
                                                  f"{label!r} appears {occurrences} times in {table.name}"))
                records.append((label, typed, problems, row[key_column]))
            yield records

    # -- documents ------------------------------------------------------------

    def iter_documents(self, doc_type: str, *, changed_since: datetime | None = None,
                       changed_until: datetime | None = None, posting_date_from: date | None = None,
                       posting_date_to: date | None = None, keys: Iterable[str] | None = None,
                       chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[list[SourceDocument]]:
        """Documents changed in ``(changed_since, changed_until]`` (all when ``None``),
        optionally only those posted in ``[posting_date_from, posting_date_to]`` or
        with the given keys, in lists of at most ``chunk_size`` ordered by
        ``(updated_at, key)``. Orphan lines follow the headers, on every read
        without a posting-date window."""
        if doc_type not in DOCUMENT_SPECS:
            raise ValueError(f"unknown document type {doc_type!r}; expected one of {', '.join(DOCUMENT_SPECS)}")
        spec = DOCUMENT_SPECS[doc_type]
        header = self._describe(spec.header_table)
        lines = self._describe(spec.lines_table)
        window = _Window(_aware(changed_since, "changed_since"), _aware(changed_until, "changed_until"),
                         spec.date_column, posting_date_from, posting_date_to)
        key_list = None if keys is None else [str(k) for k in keys]
        for page in self._typed_pages(header, spec.key_column, window, key_list, chunk_size):
            documents = [SourceDocument(doc_type, label, typed, [], problems) for label, typed, problems, _ in page]
            if documents:
                self._attach_lines(spec.doc_type, lines, documents, [erp_key for *_, erp_key in page])
                yield documents
        if window.date_from is None and window.date_to is None:
            yield from self._orphans(spec.doc_type, header, lines, key_list, chunk_size)

    def count_documents(self, doc_type: str, *, changed_since: datetime | None = None,
                        changed_until: datetime | None = None, posting_date_from: date | None = None,
                        posting_date_to: date | None = None, keys: Iterable[str] | None = None) -> int:
        """About how many documents ``iter_documents`` yields with the same filters (one COUNT with the
        window's index-friendly conditions, for progress lines; rows with problems may differ)."""
        spec = DOCUMENT_SPECS[doc_type]
        header = self._describe(spec.header_table)
        window = _Window(_aware(changed_since, "changed_since"), _aware(changed_until, "changed_until"),
                         spec.date_column, posting_date_from, posting_date_to)
        key_col = self._col(header, spec.key_column)
        conditions = [*self._posting_conditions(header, window), *self._change_conditions(header, window)]
        if keys is not None:
            return len(set(keys))
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count(sa.distinct(key_col))).select_from(header.table)
                                    .where(*conditions)).scalar() or 0)

    def _fetch_lines(self, conn: sa.Connection, lines: _Table, key_column: str,
                     keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        key_col = self._col(lines, key_column)
        for batch in _batches(sorted(set(keys)), _IN_LIST_SIZE):
            for row in conn.execute(self._select(lines).where(key_col.in_(batch))):
                by_key[str(row._mapping[key_column])].append(dict(row._mapping))
        return by_key

    def _typed_lines(self, spec_table: str, key: str, raw_lines: list[dict[str, Any]],
                     problems: list[SourceProblem]) -> list[dict[str, Any]]:
        typed_lines = []
        for raw in raw_lines:
            line_no = raw.get("line_no")
            typed_lines.append(self._typed(spec_table, f"{key} line {line_no}", raw, problems))
        # Line numbers stored as text would sort "10" before "2".
        typed_lines.sort(key=lambda line: (line["line_no"] is None, line["line_no"] or 0))
        return typed_lines

    def _attach_lines(self, doc_type: str, lines: _Table, documents: list[SourceDocument],
                      erp_keys: list[Any]) -> None:
        """Each document's lines, found by the key as the ERP holds it (a key the ledger cannot hold
        is known by a stand-in)."""
        spec = DOCUMENT_SPECS[doc_type]
        with self._engine.connect() as conn:
            by_key = self._fetch_lines(conn, lines, spec.key_column, [str(k) for k in erp_keys if k is not None])
        for document, erp_key in zip(documents, erp_keys, strict=True):
            raw_lines = by_key.get(str(erp_key), []) if erp_key is not None else []
            document.lines = self._typed_lines(spec.lines_table, document.key, raw_lines, document.problems)
            if not raw_lines and erp_key is not None:
                document.problems.append(SourceProblem(spec.lines_table, document.key, spec.key_column,
                                                       f"the document has no lines in {spec.lines_table}"))

    def _orphan_documents(self, conn: sa.Connection, doc_type: str, lines: _Table,
                          orphan_keys: list[Any]) -> list[SourceDocument]:
        spec = DOCUMENT_SPECS[doc_type]
        by_key = self._fetch_lines(conn, lines, spec.key_column, orphan_keys)
        documents = []
        for raw_key in orphan_keys:
            key, key_problem = parse_key(raw_key, spec.key_column, raw_key)
            problems = [SourceProblem(spec.lines_table, key, spec.key_column,
                                      f"lines have no header in {spec.header_table}")]
            if key_problem:
                problems.append(SourceProblem(spec.lines_table, key, spec.key_column, key_problem))
            typed_lines = self._typed_lines(spec.lines_table, key, by_key.get(str(raw_key), []), problems)
            documents.append(SourceDocument(doc_type, key, {}, typed_lines, problems))
        return documents

    def _orphans(self, doc_type: str, header: _Table, lines: _Table, keys: list[str] | None,
                 chunk_size: int) -> Iterator[list[SourceDocument]]:
        spec = DOCUMENT_SPECS[doc_type]
        line_key = self._col(lines, spec.key_column)
        header_key = self._col(header, spec.key_column)
        has_header = sa.exists().where(header_key == line_key)
        key_batches: Iterable[Sequence[str] | None] = (
            [None] if keys is None else _batches(sorted(set(keys)), _IN_LIST_SIZE))
        with self._engine.connect() as conn:
            for key_batch in key_batches:
                last = None
                while True:
                    query = sa.select(line_key).distinct().where(line_key.is_not(None), ~has_header)
                    if key_batch is not None:
                        query = query.where(line_key.in_(key_batch))
                    if last is not None:
                        query = query.where(line_key > last)
                    orphan_keys = [k for (k,) in conn.execute(query.order_by(line_key).limit(chunk_size))]
                    if not orphan_keys:
                        break
                    last = orphan_keys[-1]
                    yield self._orphan_documents(conn, doc_type, lines, orphan_keys)
            if keys is None:
                unkeyed = [dict(r._mapping) for r in conn.execute(self._select(lines).where(line_key.is_(None)))]
                if unkeyed:
                    key, _ = parse_key(None, spec.key_column, "lines without a document number")
                    problems = [SourceProblem(spec.lines_table, key, spec.key_column,
                                              f"{len(unkeyed)} line(s) have no document number")]
                    typed_lines = self._typed_lines(spec.lines_table, key, unkeyed, problems)
                    yield [SourceDocument(doc_type, key, {}, typed_lines, problems)]

    def get_documents(self, doc_type: str, keys: Iterable[str]) -> list[SourceDocument]:
        """The documents with these keys (orphan lines included), whatever their dates."""
        key_list = list(keys)
        if not key_list:
            return []
        return [d for page in self.iter_documents(doc_type, keys=key_list) for d in page]

    # -- masters --------------------------------------------------------------

    def iter_masters(self, object_type: str, *, changed_since: datetime | None = None,
                     changed_until: datetime | None = None, keys: Iterable[str] | None = None,
                     chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[list[SourceMaster]]:
        if object_type not in MASTER_SPECS:
            raise ValueError(f"unknown master type {object_type!r}; expected one of {', '.join(MASTER_SPECS)}")
        spec = MASTER_SPECS[object_type]
        table = self._describe(spec.table)
        window = _Window(_aware(changed_since, "changed_since"), _aware(changed_until, "changed_until"))
        key_list = None if keys is None else [str(k) for k in keys]
        for page in self._typed_pages(table, spec.key_column, window, key_list, chunk_size):
            masters = [SourceMaster(object_type, label, typed, problems) for label, typed, problems, _ in page]
            if masters:
                yield masters


def open_source(location: str | Path | sa.URL, *, staging_dir: str | Path | None = None) -> SqlSource:
    """Open an ERP source.

    ``location`` is a SQLAlchemy URL (``sqlite:////abs/erp.db``,
    ``postgresql+psycopg2://user@host/db``), a path to a SQLite file, or a CSV
    folder given as a ``Path`` to a directory or ``"csv:/abs/folder"``. A CSV
    folder is staged into a local SQLite file (in ``staging_dir``, by default the
    temp directory), restaged only when one of its CSV files changed.
    """
    if isinstance(location, sa.URL):
        return SqlSource(location)
    text = str(location)
    if text.startswith("csv:"):
        folder = Path(text.removeprefix("csv:"))
        return SqlSource(f"sqlite:///{stage_csv_folder(folder, staging_dir)}", name=f"CSV folder {folder}")
    if "://" in text:
        return SqlSource(text)
    path = Path(text)
    if path.is_dir():
        return SqlSource(f"sqlite:///{stage_csv_folder(path, staging_dir)}", name=f"CSV folder {path}")
    if path.is_file():
        return SqlSource(f"sqlite:///{path.resolve()}", name=str(path))
    raise ErpSourceError(f"ERP source {text!r} is neither a database URL, a SQLite file nor a CSV folder")
