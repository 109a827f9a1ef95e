"""Documents -> the DataFrame the suites validate: one row per line (one row for a
header without lines), header fields repeated on each of its rows, plus derived
columns computed in pandas (reference statuses, decimals per amount, imbalance per
journal entry, missing required dimensions, text too long for Intacct or not XML-legal,
currency codes) so every check is a GX expectation.

pandas is imported inside functions: this module is imported at DAG-parse time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from include.erp.documents import DOCUMENT_SPECS, SourceDocument
from include.quality.fields import (
    DATE,
    REQUIRED_HEADER_FIELDS,
    REQUIRED_LINE_FIELDS,
    TEXT,
    amount_fields,
    decimal_places,
    header_fields,
    is_blank,
    line_fields,
)
from include.quality.limits import (
    DIMENSION_VALUE_LIMIT,
    XML_ILLEGAL,
    is_currency_code,
    max_length,
)
from include.quality.reference_snapshot import ReferenceSnapshot, is_active

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MISSING = "missing"
INACTIVE = "inactive"
ACTIVE = "active"

# Line or header field -> the snapshot table its value must be found (active) in.
_REFERENCE_TABLES: dict[str, str] = {
    "customer_id": "customers", "vendor_id": "vendors", "journal": "journals", "account_no": "accounts",
    "item_id": "items", "department_id": "departments", "location_id": "locations", "class_id": "classes",
    "project_id": "projects", "entity_id": "entities",
}


def reference_table(doc_type: str, field_name: str) -> str | None:
    if field_name == "term_name":
        return "ap_terms" if doc_type == "ap_bill" else "ar_terms"
    return _REFERENCE_TABLES.get(field_name)


def reference_fields(doc_type: str) -> tuple[str, ...]:
    spec = DOCUMENT_SPECS[doc_type]
    names = (*spec.header_columns, *spec.line_columns)
    return tuple(name for name in names if name != spec.key_column and reference_table(doc_type, name))


def status_column(field_name: str) -> str:
    return f"{field_name}__status"


def present_column(field_name: str) -> str:
    """1.0 where the field has a value, null where it is empty (a light column for GX)."""
    return f"{field_name}__present"


def reference_status(value: Any, table: Mapping[str, str]) -> str | None:
    """``active``, ``inactive`` or ``missing``; None when there is no text value to look up."""
    if not isinstance(value, str):
        return None
    status = table.get(value)
    if status is None:
        return MISSING
    return ACTIVE if is_active(status) else INACTIVE


def unavailable_udds(dimensions: Any, snapshot: ReferenceSnapshot) -> list[str]:
    """UDD names on a line that Intacct cannot accept: unknown, inactive or not permitted."""
    if not isinstance(dimensions, dict):
        return []
    return [name for name, value in dimensions.items()
            if not is_blank(value) and not (name in snapshot.udds and snapshot.udds[name].available)]


def invalid_udd_values(dimensions: Any, snapshot: ReferenceSnapshot) -> list[tuple[str, str, str]]:
    """(udd, value id, missing|inactive) for values of available UDDs that cannot be posted."""
    if not isinstance(dimensions, dict):
        return []
    found = []
    for name, value in dimensions.items():
        udd = snapshot.udds.get(name)
        if is_blank(value) or udd is None or not udd.available:
            continue
        status = reference_status(str(value), udd.values)
        if status != ACTIVE:
            found.append((name, str(value), status))
    return found


def _too_long_number(value: int, limit: int) -> bool:
    return abs(value) >= 10 ** limit  # more than ``limit`` digits, without writing them out


def long_dimension_values(dimensions: Any) -> list[tuple[str, Any]]:
    """(udd, value) for dimension values longer than Intacct takes (``DIMENSION_VALUE_LIMIT``)."""
    if not isinstance(dimensions, dict):
        return []
    limit = DIMENSION_VALUE_LIMIT.max_length
    return [(name, value) for name, value in dimensions.items()
            if (isinstance(value, str) and len(value) > limit)
            or (isinstance(value, int) and not isinstance(value, bool) and _too_long_number(value, limit))]


def xml_illegal_dimensions(dimensions: Any) -> list[tuple[str, str, str]]:
    """(udd, "name" | "value", text) for dimension names and values holding a character XML 1.0
    cannot carry: both are sent (the name inside the element name GLDIM<NAME>)."""
    if not isinstance(dimensions, dict):
        return []
    found = []
    for name, value in dimensions.items():
        if isinstance(name, str) and XML_ILLEGAL.search(name):
            found.append((name, "name", name))
        if isinstance(value, str) and XML_ILLEGAL.search(value):
            found.append((str(name), "value", value))
    return found


def location_entity_mismatch(entity_id: Any, location_id: Any, snapshot: ReferenceSnapshot) -> str | None:
    """The entity a line's location belongs to ("" for top level) when it is not the document's
    entity; None when they agree or cannot be compared (no entity on the document, an entity the
    company does not have, an unknown location, or a location whose entity master data lacks)."""
    if not isinstance(entity_id, str) or entity_id not in snapshot.entities or not isinstance(location_id, str):
        return None
    location_entity = snapshot.location_entities.get(location_id)
    return location_entity if location_entity is not None and location_entity != entity_id else None


def missing_required_dimensions(document: SourceDocument, line: Mapping[str, Any],
                                snapshot: ReferenceSnapshot) -> list[str]:
    """Fields the line's account requires (REQUIRE* flags) that are empty on the line and
    on the header (a header's customer_id / vendor_id counts for its lines)."""
    account = snapshot.accounts.get(line.get("account_no")) if isinstance(line.get("account_no"), str) else None
    if account is None:
        return []
    return sorted(name for name in account.required_dimensions
                  if is_blank(line.get(name)) and is_blank(document.header.get(name)))


@dataclass
class ValidationFrame:
    """The frame plus, per row, which document and which line (-1: none) it came from."""

    data: pd.DataFrame
    row_document: list[int]
    row_line: list[int]


def _objects(values: Iterable[Any], count: int):
    import numpy as np

    return np.fromiter(values, dtype=object, count=count)


def _without_blanks(values: list[Any]) -> list[Any]:
    """Blank text counts as missing for the required-field checks."""
    return [None if v.__class__ is str and not v.strip() else v for v in values]


def _mapped(series: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``series.map(function)`` computed once per distinct value (ids repeat a lot)."""
    distinct = {value: function(value) for value in series.dropna().unique()}
    return series.map(distinct)


def build_frame(doc_type: str, documents: list[SourceDocument], snapshot: ReferenceSnapshot) -> ValidationFrame:
    import numpy as np
    import pandas as pd

    spec = DOCUMENT_SPECS[doc_type]
    row_document: list[int] = []
    row_line: list[int] = []
    row_lines: list[Mapping[str, Any]] = []
    for position, document in enumerate(documents):
        if document.lines:
            for line_index, line in enumerate(document.lines):
                row_document.append(position)
                row_line.append(line_index)
                row_lines.append(line if isinstance(line, Mapping) else {})
        else:
            row_document.append(position)
            row_line.append(-1)
            row_lines.append({})
    n_docs, n_rows = len(documents), len(row_document)

    # One row per document first: header fields and document-level derived columns.
    headers = [document.header if isinstance(document.header, Mapping) else {} for document in documents]
    fields_by_name = header_fields(doc_type)
    per_doc: dict[str, Any] = {}
    mistyped_header = np.zeros(n_docs, dtype=np.int64)
    too_long_header = np.zeros(n_docs, dtype=np.int64)
    xml_illegal_header = np.zeros(n_docs, dtype=np.int64)
    valid_dates: dict[str, list[Any]] = {}
    for name, field_type in fields_by_name.items():
        raw = [header.get(name) for header in headers]
        mistyped = field_type.mistyped(raw)
        mistyped_flags = np.asarray(mistyped, dtype=bool)
        mistyped_header += mistyped_flags
        per_doc[name] = _objects(_without_blanks(raw), n_docs)
        if field_type is DATE:
            valid_dates[name] = [None if bad else v for v, bad in zip(raw, mistyped, strict=True)]
        if field_type is TEXT:
            too_long, illegal = _text_problems(raw, mistyped_flags, max_length(name))
            too_long_header += too_long
            xml_illegal_header += illegal
            if name == "currency":
                per_doc["_currency_not_iso"] = _currency_not_iso(raw, mistyped_flags)
    per_doc["_mistyped_header"] = mistyped_header
    per_doc["_too_long_header"] = too_long_header
    per_doc["_xml_illegal_header"] = xml_illegal_header
    per_doc["_source_problems"] = np.fromiter((len(d.problems) for d in documents), np.int64, n_docs)
    per_doc["_has_header"] = np.fromiter((bool(h) for h in headers), bool, n_docs)
    per_doc["_line_count"] = np.fromiter((len(d.lines) for d in documents), np.int64, n_docs)
    header_frame = pd.DataFrame(per_doc)

    def dates(name: str) -> pd.Series:
        return pd.to_datetime(pd.Series(_objects(valid_dates[name], n_docs)))

    header_frame["_doc_date_ts"] = dates(spec.date_column)
    if "due_date" in fields_by_name:
        header_frame["_due_date_ts"] = dates("due_date")
    if "reverse_date" in fields_by_name:
        header_frame["_reverse_date_ts"] = dates("reverse_date")
    if doc_type == "journal_entry":
        header_frame["_je_line_count"] = header_frame["_line_count"].where(header_frame["_line_count"] > 0)
    if snapshot.closed_books_date is not None:
        closed = pd.Timestamp(snapshot.closed_books_date)
        header_frame["_days_after_close"] = (header_frame["_doc_date_ts"] - closed).dt.days
    else:
        header_frame["_days_after_close"] = np.full(n_docs, np.nan)

    rows_index = np.asarray(row_document, dtype=np.int64)
    columns: dict[str, Any] = {name: header_frame[name].array.take(rows_index) for name in header_frame.columns}
    columns["_doc"] = rows_index
    columns["_line"] = np.asarray(row_line, dtype=np.int64)
    first_row = np.ones(n_rows, dtype=bool)
    first_row[1:] = rows_index[1:] != rows_index[:-1]
    # Document numbers as codes, on each document's first row only: duplicates are documents.
    key_codes = pd.factorize(pd.Series(_objects((d.key for d in documents), n_docs)))[0].astype(float)
    columns["_key_once"] = np.where(first_row, key_codes[rows_index], np.nan)

    # Line fields.
    raw_lines: dict[str, list[Any]] = {}
    mistyped_line = np.zeros(n_rows, dtype=np.int64)
    too_long_line = np.zeros(n_rows, dtype=np.int64)
    xml_illegal_line = np.zeros(n_rows, dtype=np.int64)
    for name, field_type in line_fields(doc_type).items():
        raw = raw_lines[name] = [line.get(name) for line in row_lines]
        mistyped_flags = np.asarray(field_type.mistyped(raw), dtype=bool)
        mistyped_line += mistyped_flags
        columns[name] = _objects(_without_blanks(raw) if field_type is TEXT else raw, n_rows)
        if field_type is TEXT:
            too_long, illegal = _text_problems(raw, mistyped_flags, max_length(name))
            too_long_line += too_long
            xml_illegal_line += illegal
    columns["_mistyped_line"] = mistyped_line
    columns["_line_no_key"] = np.asarray([v if v.__class__ is int else None for v in raw_lines["line_no"]],
                                         dtype=float)
    # Amounts: decimal places and value, only for values of the right type.
    for name in amount_fields(doc_type):
        places = [decimal_places(v) if v is not None else None for v in raw_lines[name]]
        columns[f"_{name}_decimals"] = np.asarray(places, dtype=float)
        columns[f"_{name}_value"] = np.asarray([float(v) if p is not None else None
                                                for v, p in zip(raw_lines[name], places, strict=True)],
                                               dtype=float)
    # User-defined dimensions: most lines carry none or one, so a plain pass is cheapest.
    unavailable, invalid = [], []
    dimension_rows: list[tuple[int, dict[Any, Any]]] = []
    for row, dimensions in enumerate(raw_lines["dimensions"]):
        if isinstance(dimensions, dict) and dimensions:
            unavailable.append(len(unavailable_udds(dimensions, snapshot)))
            invalid.append(len(invalid_udd_values(dimensions, snapshot)))
            dimension_rows.append((row, dimensions))
        else:
            unavailable.append(0 if isinstance(dimensions, dict) else None)
            invalid.append(0 if isinstance(dimensions, dict) else None)
    columns["_unavailable_udds"] = np.asarray(unavailable, dtype=float)
    columns["_invalid_udd_values"] = np.asarray(invalid, dtype=float)
    _dimension_problems(dimension_rows, too_long_line, xml_illegal_line)
    columns["_too_long_line"] = too_long_line
    columns["_xml_illegal_line"] = xml_illegal_line
    frame = pd.DataFrame(columns)

    if doc_type == "journal_entry":
        _journal_entry_columns(frame)
    # Reference data: one status column per referencing field.
    for name in reference_fields(doc_type):
        table = snapshot.statuses_for(reference_table(doc_type, name) or "")
        frame[status_column(name)] = _mapped(frame[name], lambda v, t=table: reference_status(v, t)).astype("category")
    for name in (*REQUIRED_HEADER_FIELDS[doc_type], *REQUIRED_LINE_FIELDS[doc_type]):
        frame[present_column(name)] = np.where(frame[name].isna(), np.nan, 1.0)
    frame["_missing_required_dims"] = _missing_required_dimension_counts(frame, snapshot)
    frame["_location_outside_entity"] = _location_outside_entity(frame, snapshot)
    frame["_location_missing_in_multi_entity"] = _location_missing_in_multi_entity(frame, snapshot)
    return ValidationFrame(frame, row_document, row_line)


def _has_xml_illegal(text: str) -> bool:
    # isprintable() is a fast C scan that is True for ordinary text; only text it refuses
    # (tabs, newlines, any control or unassigned character) needs the exact regex.
    return not text.isprintable() and XML_ILLEGAL.search(text) is not None


def _text_problems(raw: list[Any], mistyped: np.ndarray, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Per value of one text field, as sent (blank text included): longer than ``limit``
    characters, and holding a character XML 1.0 cannot carry. The whole column is measured
    and scanned at once in C (``max(map(len, ...))``, one joined string); values are looked
    at one by one only in a column where that finds something (mistyped values are left to
    the type check)."""
    import numpy as np

    too_long = np.zeros(len(raw), dtype=bool)
    illegal = np.zeros(len(raw), dtype=bool)
    any_mistyped = bool(mistyped.any())
    texts = ([v for v, bad in zip(raw, mistyped, strict=True) if v is not None and not bad] if any_mistyped
             else [v for v in raw if v is not None])
    if not texts:
        return too_long, illegal
    lengths_exceed = limit is not None and max(map(len, texts)) > limit
    if not lengths_exceed and not _has_xml_illegal("".join(texts)):
        return too_long, illegal  # the usual case
    is_text = np.fromiter((v is not None for v in raw), bool, len(raw)) & ~mistyped
    if lengths_exceed:
        too_long[is_text] = np.fromiter(map(len, texts), np.int64, len(texts)) > limit
    illegal[is_text] = np.fromiter(map(_has_xml_illegal, texts), bool, len(texts))
    return too_long, illegal


def _dimension_problems(maps: list[tuple[int, dict[Any, Any]]], too_long: np.ndarray, illegal: np.ndarray) -> None:
    """Adds, per line (row, non-empty dimension map), the dimension values longer than Intacct
    takes and the dimension names and values holding a character XML 1.0 cannot carry. All names
    and values are measured and scanned together first; lines are looked at one by one only when
    that finds something."""
    if not maps:
        return
    limit = DIMENSION_VALUE_LIMIT.max_length
    items = [item for _, dimensions in maps for item in dimensions.items()]
    texts = [text for item in items for text in item if isinstance(text, str)]
    if (max(map(len, texts), default=0) <= limit and not _has_xml_illegal("".join(texts))
            and not any(_too_long_number(value, limit) for _, value in items
                        if isinstance(value, int) and not isinstance(value, bool))):
        return
    for row, dimensions in maps:
        too_long[row] += len(long_dimension_values(dimensions))
        illegal[row] += len(xml_illegal_dimensions(dimensions))


def _currency_not_iso(raw: list[Any], mistyped: np.ndarray) -> np.ndarray:
    """Per document: 1.0 when the currency is not an ISO 4217 currency code, 0.0 when it is,
    null when there is none ("" counts as none: it is not sent) or it is not text."""
    import numpy as np
    import pandas as pd

    values = pd.Series(_objects(raw, len(raw)))
    present = values.notna().to_numpy() & ~mistyped & (values != "").to_numpy()
    flags = _mapped(values.where(present), lambda v: 0.0 if is_currency_code(v) else 1.0)
    return flags.to_numpy(dtype=float, na_value=np.nan)


def _journal_entry_columns(frame: pd.DataFrame) -> None:
    """Sides used per line (exactly one of debit/credit) and imbalance per entry; null
    where an amount is not a valid number (the type check reports those)."""
    debit, credit = frame["_debit_value"], frame["_credit_value"]
    unreadable = (frame["debit"].notna() & debit.isna()) | (frame["credit"].notna() & credit.isna())
    sides = debit.fillna(0).ne(0).astype(float) + credit.fillna(0).ne(0).astype(float)
    has_line = frame["_line"] >= 0
    frame["_sides"] = sides.where(has_line & ~unreadable)
    signed = debit.fillna(0) - credit.fillna(0)
    per_entry = signed.groupby(frame["_doc"]).sum().round(2)
    entry_unreadable = unreadable.groupby(frame["_doc"]).any()
    imbalance = per_entry.where(~entry_unreadable)
    frame["_imbalance"] = frame["_doc"].map(imbalance).where(has_line).astype(float)


def _missing_required_dimension_counts(frame: pd.DataFrame, snapshot: ReferenceSnapshot) -> pd.Series:
    """Per line: how many of its account's required dimensions are empty (on the line and,
    for customer_id / vendor_id, on the header)."""
    import pandas as pd

    has_line = frame["_line"] >= 0
    counts = pd.Series(0.0, index=frame.index, dtype=float)
    required_fields = sorted({name for account in snapshot.accounts.values() for name in account.required_dimensions})
    for name in required_fields:
        accounts = [accountno for accountno, ref in snapshot.accounts.items() if name in ref.required_dimensions]
        needed = frame["account_no"].isin(accounts)
        present = frame[name].notna() if name in frame.columns else False
        counts = counts + (needed & ~present).astype(float)
    return counts.where(has_line)


def _location_missing_in_multi_entity(frame: pd.DataFrame, snapshot: ReferenceSnapshot) -> pd.Series:
    """Per line: 1 when the company has entities and the line has no location (Intacct refuses
    it: "Use of empty Location is invalid"), else 0."""
    import pandas as pd

    has_line = frame["_line"] >= 0
    if not snapshot.entities:
        return pd.Series(0.0, index=frame.index, dtype=float).where(has_line)
    return frame["location_id"].isna().astype(float).where(has_line)


def _location_outside_entity(frame: pd.DataFrame, snapshot: ReferenceSnapshot) -> pd.Series:
    """Per line: 1 when the line's location belongs to another entity than the document's
    ``entity_id`` (see ``location_entity_mismatch``), else 0."""
    import pandas as pd

    has_line = frame["_line"] >= 0
    if not snapshot.entities:
        return pd.Series(0.0, index=frame.index, dtype=float).where(has_line)
    entity = frame["entity_id"]
    location_entity = _mapped(frame["location_id"], lambda v: snapshot.location_entities.get(v)
                              if isinstance(v, str) else None)
    comparable = entity.isin(list(snapshot.entities)) & location_entity.notna()
    outside = comparable & (location_entity != entity)
    return outside.astype(float).where(has_line)
