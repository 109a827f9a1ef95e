"""One declaration per check: the GX expectation that finds failing rows, the error
class it assigns, and the words that explain each failure.

Expectations are built from the ``great_expectations.expectations`` module passed
in, so importing this module does not import GX. Explanations read the original
typed documents, never the frame, so messages carry no NaN or numpy values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from include.erp.documents import DOCUMENT_SPECS, SourceDocument
from include.error_classes import ErrorClass
from include.quality.fields import (
    REQUIRED_HEADER_FIELDS,
    REQUIRED_LINE_FIELDS,
    TEXT,
    amount_fields,
    decimal_places,
    header_fields,
    line_fields,
    term_shape,
)
from include.quality.frame import (
    ACTIVE,
    MISSING,
    invalid_udd_values,
    location_entity_mismatch,
    long_dimension_values,
    missing_required_dimensions,
    present_column,
    reference_fields,
    reference_status,
    reference_table,
    status_column,
    unavailable_udds,
    xml_illegal_dimensions,
)
from include.quality.limits import (
    AMOUNT_DIGITS,
    AMOUNT_LIMIT,
    DIMENSION_VALUE_LIMIT,
    currency_problem,
    escaped,
    first_xml_illegal,
    max_length,
    preview,
)
from include.quality.reference_snapshot import ReferenceSnapshot, is_active

Scope = Literal["header", "line"]
Explanation = list[tuple[str, str]]  # (field, what is wrong)


@dataclass(frozen=True)
class Finding:
    """One failing row, seen through the document it came from."""

    document: SourceDocument
    line: Mapping[str, Any] | None
    line_index: int
    snapshot: ReferenceSnapshot
    key_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def problem_columns(self) -> set[str]:
        return {problem.column for problem in self.document.problems}

    def value(self, name: str) -> Any:
        if self.line is not None and name in self.line:
            return self.line.get(name)
        return self.document.header.get(name)


@dataclass(frozen=True)
class Check:
    name: str
    scope: Scope
    error_class: ErrorClass
    expectation: Callable[[Any], Any]  # gx.expectations module -> Expectation
    explain: Callable[[Finding], Explanation]


_NOUNS = {"customer_id": "customer", "vendor_id": "vendor", "journal": "journal", "account_no": "account",
          "item_id": "item", "department_id": "department", "location_id": "location", "class_id": "class",
          "project_id": "project", "entity_id": "entity"}


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _amount(value: Decimal) -> str:
    return f"{value:.2f}" if decimal_places(value) is not None and decimal_places(value) <= 2 else str(value)


# Expectation factories (gxe is great_expectations.expectations).
def _not_null(column: str) -> Callable[[Any], Any]:
    return lambda gxe: gxe.ExpectColumnValuesToNotBeNull(column=column)


def _in_set(column: str, values: list[Any]) -> Callable[[Any], Any]:
    return lambda gxe: gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values)


def _between(column: str, min_value: float | None = None, max_value: float | None = None) -> Callable[[Any], Any]:
    return lambda gxe: gxe.ExpectColumnValuesToBeBetween(column=column, min_value=min_value, max_value=max_value)


def _data_quality_checks(doc_type: str) -> list[Check]:
    spec = DOCUMENT_SPECS[doc_type]
    key_column, date_column = spec.key_column, spec.date_column
    header_types, line_types = header_fields(doc_type), line_fields(doc_type)

    def source_problems(f: Finding) -> Explanation:
        return [(problem.column, f"the ERP record could not be read: {problem}") for problem in f.document.problems]

    def required(name: str, scope: Scope) -> Callable[[Finding], Explanation]:
        def explain(f: Finding) -> Explanation:
            if name in f.problem_columns or (scope == "header" and not f.document.header):
                return []  # the reader's own message (or the orphan check) already says why
            return [(name, "required value is missing")]
        return explain

    def mistyped(scope: Scope) -> Callable[[Finding], Explanation]:
        types = header_types if scope == "header" else line_types

        def explain(f: Finding) -> Explanation:
            record = f.document.header if scope == "header" else (f.line or {})
            return [(name, f"expected a {field_type.name}, got {type(record.get(name)).__name__} "
                           f"{_shown(record.get(name))}")
                    for name, field_type in types.items()
                    if record.get(name) is not None and not field_type.accepts(record.get(name))
                    and name not in f.problem_columns]
        return explain

    checks = [
        Check("source_readable", "header", ErrorClass.DATA_QUALITY, _between("_source_problems", max_value=0),
              source_problems),
        Check("header_present", "header", ErrorClass.DATA_QUALITY, _in_set("_has_header", [True]),
              lambda f: [(key_column, "lines arrived without their header (orphan lines)")]),
        *[Check(f"required_{name}", "header", ErrorClass.DATA_QUALITY, _not_null(present_column(name)), required(name, "header"))
          for name in REQUIRED_HEADER_FIELDS[doc_type]],
        Check("header_types", "header", ErrorClass.DATA_QUALITY, _between("_mistyped_header", max_value=0),
              mistyped("header")),
        Check("has_lines", "header", ErrorClass.DATA_QUALITY, _between("_line_count", min_value=1),
              lambda f: [("lines", "the document has a header but no lines")]),
        Check("unique_document_number", "header", ErrorClass.DATA_QUALITY,
              lambda gxe: gxe.ExpectColumnValuesToBeUnique(column="_key_once"),
              lambda f: [(key_column, f"document number {preview(f.document.key)} appears "
                                      f"{f.key_counts.get(f.document.key, 2)} times in this batch")]),
        *[Check(f"required_{name}", "line", ErrorClass.DATA_QUALITY, _not_null(present_column(name)), required(name, "line"))
          for name in REQUIRED_LINE_FIELDS[doc_type]],
        Check("line_types", "line", ErrorClass.DATA_QUALITY, _between("_mistyped_line", max_value=0),
              mistyped("line")),
        Check("unique_line_number", "line", ErrorClass.DATA_QUALITY,
              lambda gxe: gxe.ExpectCompoundColumnsToBeUnique(column_list=["_doc", "_line_no_key"],
                                                              ignore_row_if="any_value_is_missing"),
              lambda f: [("line_no", f"line number {f.value('line_no')} is used by more than one line")]),
    ]
    for name in amount_fields(doc_type):
        checks.append(Check(
            f"{name}_decimals", "line", ErrorClass.DATA_QUALITY, _between(f"_{name}_decimals", max_value=2),
            lambda f, n=name: [(n, f"amount {f.value(n)} has {decimal_places(f.value(n))} decimal places; "
                                   "at most 2 are allowed")]))
    if doc_type == "journal_entry":
        checks.extend(_journal_entry_checks())
    else:
        checks.append(Check(
            "amount_not_zero", "line", ErrorClass.DATA_QUALITY,
            lambda gxe: gxe.ExpectColumnValuesToNotBeInSet(column="_amount_value", value_set=[0]),
            lambda f: [("amount", "the line amount is zero")]))
        checks.append(Check(
            "due_date_not_before_document_date", "header", ErrorClass.DATA_QUALITY,
            lambda gxe: gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="_due_date_ts", column_B="_doc_date_ts", or_equal=True,
                ignore_row_if="either_value_is_missing"),
            lambda f: [("due_date", f"due date {f.value('due_date')} is before the {date_column.replace('_', ' ')} "
                                    f"{f.value(date_column)}")]))
    checks.append(Check(
        "required_dimensions", "line", ErrorClass.DATA_QUALITY, _between("_missing_required_dims", max_value=0),
        lambda f: [(name, f"account {preview(f.value('account_no'))} requires {name}, which is empty")
                   for name in missing_required_dimensions(f.document, f.line or {}, f.snapshot)]))
    return checks


def _journal_entry_checks() -> list[Check]:
    def one_side(f: Finding) -> Explanation:
        debit, credit = f.value("debit"), f.value("credit")
        if debit and credit:
            return [("debit/credit", f"a line needs exactly one of debit or credit; it has debit {_amount(debit)} "
                                     f"and credit {_amount(credit)}")]
        return [("debit/credit", "a line needs exactly one of debit or credit; both are empty or zero")]

    def balance(f: Finding) -> Explanation:
        debits = sum((line.get("debit") or Decimal(0) for line in f.document.lines), Decimal(0))
        credits = sum((line.get("credit") or Decimal(0) for line in f.document.lines), Decimal(0))
        return [("debit/credit", f"debits {_amount(debits)} and credits {_amount(credits)} do not balance "
                                 f"(difference {_amount(debits - credits)})")]

    def negative(name: str) -> Check:
        return Check(f"{name}_not_negative", "line", ErrorClass.DATA_QUALITY, _between(f"_{name}_value", min_value=0),
                     lambda f: [(name, f"{name} {f.value(name)} is negative; put the amount on the other side")])

    return [
        Check("at_least_two_lines", "header", ErrorClass.DATA_QUALITY, _between("_je_line_count", min_value=2),
              lambda f: [("lines", f"a journal entry needs at least 2 lines; it has {len(f.document.lines)}")]),
        Check("one_side_per_line", "line", ErrorClass.DATA_QUALITY, _in_set("_sides", [1]), one_side),
        negative("debit"),
        negative("credit"),
        Check("balanced", "header", ErrorClass.DATA_QUALITY, _between("_imbalance", min_value=0, max_value=0),
              balance),
        Check("reverse_date_after_entry_date", "header", ErrorClass.DATA_QUALITY,
              lambda gxe: gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                  column_A="_reverse_date_ts", column_B="_doc_date_ts", or_equal=False,
                  ignore_row_if="either_value_is_missing"),
              lambda f: [("reverse_date", f"reverse date {f.value('reverse_date')} is not after the entry date "
                                          f"{f.value('entry_date')}")]),
    ]


def _too_long(value: Any, limit: int) -> str:
    if isinstance(value, str):
        return f"{len(value):,} characters, Intacct allows at most {limit}: {preview(value)}"
    return f"a number of more than {limit} digits, Intacct allows at most {limit} characters"


def _not_xml_legal(value: str) -> str:
    position, character = first_xml_illegal(value) or (0, "")
    return (f"holds the character {escaped(character)} (at position {position + 1:,}), which XML 1.0 cannot "
            f"carry, so Intacct cannot receive it: {preview(value)}")


def _field_limit_checks(doc_type: str) -> list[Check]:
    """What Intacct can receive (include/quality/limits.py): text lengths, XML-legal
    characters in every text field and dimension, ISO 4217 currencies, the amount range."""
    header_text = [name for name, field_type in header_fields(doc_type).items() if field_type is TEXT]
    line_text = [name for name, field_type in line_fields(doc_type).items() if field_type is TEXT]

    def record_of(f: Finding, scope: Scope) -> Mapping[str, Any]:
        return f.document.header if scope == "header" else (f.line or {})

    def lengths(scope: Scope, names: list[str]) -> Callable[[Finding], Explanation]:
        def explain(f: Finding) -> Explanation:
            record = record_of(f, scope)
            found = [(name, _too_long(record.get(name), limit)) for name in names
                     if (limit := max_length(name)) is not None and isinstance(record.get(name), str)
                     and len(record.get(name)) > limit]
            if scope == "line":
                found += [(f"dimensions.{escaped(udd)}", _too_long(value, DIMENSION_VALUE_LIMIT.max_length))
                          for udd, value in long_dimension_values(record.get("dimensions"))]
            return found
        return explain

    def xml_legal(scope: Scope, names: list[str]) -> Callable[[Finding], Explanation]:
        def explain(f: Finding) -> Explanation:
            record = record_of(f, scope)
            found = [(name, _not_xml_legal(record.get(name))) for name in names
                     if isinstance(record.get(name), str) and first_xml_illegal(record.get(name))]
            if scope == "line":
                found += [(f"dimensions.{escaped(udd)}", f"the dimension {part} {_not_xml_legal(text)}")
                          for udd, part, text in xml_illegal_dimensions(record.get("dimensions"))]
            return found
        return explain

    checks = [
        Check("header_lengths", "header", ErrorClass.DATA_QUALITY, _between("_too_long_header", max_value=0),
              lengths("header", header_text)),
        Check("header_xml_characters", "header", ErrorClass.DATA_QUALITY,
              _between("_xml_illegal_header", max_value=0), xml_legal("header", header_text)),
        Check("line_lengths", "line", ErrorClass.DATA_QUALITY, _between("_too_long_line", max_value=0),
              lengths("line", line_text)),
        Check("line_xml_characters", "line", ErrorClass.DATA_QUALITY, _between("_xml_illegal_line", max_value=0),
              xml_legal("line", line_text)),
    ]
    if "currency" in header_fields(doc_type):
        checks.append(Check("currency_iso_4217", "header", ErrorClass.DATA_QUALITY,
                            _between("_currency_not_iso", max_value=0),
                            lambda f: [("currency", currency_problem(f.value("currency")))]))
    bound = float(AMOUNT_LIMIT)
    for name in amount_fields(doc_type):
        checks.append(Check(
            f"{name}_magnitude", "line", ErrorClass.DATA_QUALITY,
            lambda gxe, n=name: gxe.ExpectColumnValuesToBeBetween(
                column=f"_{n}_value", min_value=-bound, max_value=bound, strict_min=True, strict_max=True),
            lambda f, n=name: [(n, f"{n} {preview(f.value(n))} is out of range: Intacct takes amounts below "
                                   f"{AMOUNT_LIMIT:,} in absolute value (at most {AMOUNT_DIGITS} digits before "
                                   "the decimal point)")]))
    return checks


def _term_explanation(doc_type: str) -> Callable[[Finding], Explanation]:
    kind = "AP" if doc_type == "ap_bill" else "AR"
    table_name = reference_table(doc_type, "term_name") or ""

    def explain(f: Finding) -> Explanation:
        term = f.value("term_name")
        terms = f.snapshot.statuses_for(table_name)
        if reference_status(term, terms) != MISSING:
            return [("term_name", f"term {preview(term)} is inactive in Intacct ({kind} terms)")]
        near = sorted(name for name, status in terms.items()
                      if is_active(status) and term_shape(name) == term_shape(term))
        hint = f"; did you mean {', '.join(repr(n) for n in near)}? (not applied: names must match exactly)" if near else ""
        return [("term_name", f"term {preview(term)} does not exactly match an active Intacct {kind} term{hint}")]
    return explain


def _entity_explanation(f: Finding) -> Explanation:
    entity = f.value("entity_id")
    entities = f.snapshot.entities
    if not entities:
        return [("entity_id", f"entity {preview(entity)} is set, but this Intacct company has no entities (it is not a "
                              "multi-entity company); leave entity_id empty")]
    if reference_status(entity, entities) == MISSING:
        known = ", ".join(repr(e) for e in sorted(entities) if is_active(entities[e]))
        return [("entity_id", f"entity {preview(entity)} is not an entity of this Intacct company (active entities: "
                              f"{known or 'none'}); use one of them, or leave entity_id empty to post at the "
                              "top level")]
    return [("entity_id", f"entity {preview(entity)} is inactive in Intacct; activate it in Intacct, or post the "
                          "document in an active entity")]


def _location_required_explanation(f: Finding) -> Explanation:
    entity = f.value("entity_id")
    which = f"a location of entity {preview(entity)}" if isinstance(entity, str) and entity.strip() else "a location"
    return [("location_id", "missing: this Intacct company has entities, so every line needs a location "
                            f"(Intacct refuses an empty one); set location_id to {which}")]


def _location_entity_explanation(f: Finding) -> Explanation:
    entity, location = f.value("entity_id"), f.value("location_id")
    belongs = location_entity_mismatch(entity, location, f.snapshot)
    if belongs is None:
        return []
    owner = f"entity {preview(belongs)}" if belongs else "no entity (the top level)"
    return [("location_id", f"location {preview(location)} belongs to {owner}, not to the document's entity "
                            f"{preview(entity)}; use a location of entity {preview(entity)}, or change the "
                            "document's entity_id")]


def _reference_checks(doc_type: str) -> list[Check]:
    line_names = set(line_fields(doc_type))
    checks = []
    for name in reference_fields(doc_type):
        scope: Scope = "line" if name in line_names else "header"
        if name == "term_name":
            checks.append(Check("term_matches", scope, ErrorClass.PAYMENT_TERM,
                                _in_set(status_column(name), [ACTIVE]), _term_explanation(doc_type)))
            continue
        if name == "entity_id":
            checks.append(Check("entity_active", scope, ErrorClass.INVALID_REFERENCE,
                                _in_set(status_column(name), [ACTIVE]), _entity_explanation))
            checks.append(Check("location_in_entity", "line", ErrorClass.INVALID_REFERENCE,
                                _between("_location_outside_entity", max_value=0), _location_entity_explanation))
            checks.append(Check("location_in_multi_entity", "line", ErrorClass.DATA_QUALITY,
                                _between("_location_missing_in_multi_entity", max_value=0),
                                _location_required_explanation))
            continue
        table_name = reference_table(doc_type, name) or ""

        def explain(f: Finding, n: str = name, t: str = table_name) -> Explanation:
            value = f.value(n)
            status = reference_status(value, f.snapshot.statuses_for(t))
            state = "does not exist in Intacct" if status == MISSING else "is inactive in Intacct"
            return [(n, f"{_NOUNS[n]} {preview(value)} {state}")]

        checks.append(Check(f"{_NOUNS[name]}_active", scope, ErrorClass.INVALID_REFERENCE,
                            _in_set(status_column(name), [ACTIVE]), explain))

    def udds_unavailable(f: Finding) -> Explanation:
        explanation = []
        for name in unavailable_udds((f.line or {}).get("dimensions"), f.snapshot):
            state = ("is inactive or not permitted for the integration user" if name in f.snapshot.udds
                     else "is not a dimension Intacct shows to the integration user")
            explanation.append((f"dimensions.{escaped(name)}", f"dimension {preview(name)} {state}"))
        return explanation

    def udd_values(f: Finding) -> Explanation:
        return [(f"dimensions.{escaped(name)}", f"{escaped(name)} value {preview(value)} "
                 + ("does not exist in Intacct" if status == MISSING else "is inactive in Intacct"))
                for name, value, status in invalid_udd_values((f.line or {}).get("dimensions"), f.snapshot)]

    checks.append(Check("dimension_available", "line", ErrorClass.DIMENSION_UNAVAILABLE,
                        _between("_unavailable_udds", max_value=0), udds_unavailable))
    checks.append(Check("dimension_value_active", "line", ErrorClass.INVALID_REFERENCE,
                        _between("_invalid_udd_values", max_value=0), udd_values))
    return checks


def _closed_period_check(doc_type: str) -> Check:
    date_column = DOCUMENT_SPECS[doc_type].date_column

    def explain(f: Finding) -> Explanation:
        posted, closed = f.value(date_column), f.snapshot.closed_books_date
        return [(date_column, f"posting date {posted} is in the closed period {posted:%Y-%m}; "
                              f"the books are closed through {closed}")]

    return Check("period_open", "header", ErrorClass.CLOSED_PERIOD, _between("_days_after_close", min_value=1),
                 explain)


def checks_for(doc_type: str) -> tuple[Check, ...]:
    """Every check of one document type's suite, in the order messages are listed."""
    if doc_type not in DOCUMENT_SPECS:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {sorted(DOCUMENT_SPECS)}")
    checks = (*_data_quality_checks(doc_type), *_field_limit_checks(doc_type), *_reference_checks(doc_type),
              _closed_period_check(doc_type))
    names = [check.name for check in checks]
    duplicated = {name for name in names if names.count(name) > 1}
    if duplicated:
        raise ValueError(f"check names must be unique, repeated: {sorted(duplicated)}")
    return checks

