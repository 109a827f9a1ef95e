"""Filters for readByQuery (the SQL-like string) and query (the XML filter tree).

Both compile to one predicate over a record's field values, typed by the catalog:
dates and timestamps compare as moments, numbers as decimals, STATUS accepts
'T'/'F' as well as active/inactive, strings compare case-sensitively unless the
query asks otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import BOOLEAN, DATE, DECIMAL, ENUM, INTEGER, TIMESTAMP
from include.intacct_sandbox.records import parse_timestamp

Predicate = Callable[[dict[str, Any]], bool]
_GLDIM = re.compile(r"GLDIM[A-Z0-9_]+")


class QueryError(Exception):
    def __init__(self, error: messages.GatewayError):
        super().__init__(error.description2)
        self.error = error


@dataclass(frozen=True)
class Field:
    """A field a read names: its own name, the type it compares as, and how to read it from a record."""

    name: str
    type: str
    get: Callable[[dict[str, Any]], Any]


def _stored(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda record: record.get(name, "")


class FieldResolver:
    """Maps the field names a caller writes (any case) to the object's own names and types."""

    def __init__(self, object_name: str, fields: dict[str, str], allow_gldim: bool = False):
        self.object_name = object_name
        self.fields = fields
        self._by_upper = {name.upper(): name for name in fields}
        self.allow_gldim = allow_gldim

    def field(self, name: str) -> Field:
        upper = name.strip().upper()
        actual = self._by_upper.get(upper)
        if actual is not None:
            return Field(actual, self.fields[actual], _stored(actual))
        if self.allow_gldim and _GLDIM.fullmatch(upper):  # a UDD on a line, named as an element can be
            return Field(upper, "TEXT", _stored(upper))
        raise QueryError(messages.unknown_field(self.object_name, [name.strip()]))

    def resolve(self, name: str) -> tuple[str, str]:
        field = self.field(name)
        return field.name, field.type

    def fields_of(self, names: list[str]) -> list[Field]:
        """The fields named, in order; every unknown one is named in a single error, as Intacct lists them."""
        out, unknown = [], []
        for name in names:
            if not name.strip():
                raise QueryError(messages.query_syntax("a field name is empty"))
            try:
                out.append(self.field(name))
            except QueryError:
                unknown.append(name.strip())
        if unknown:
            raise QueryError(messages.unknown_field(self.object_name, unknown))
        return out


def _coerce(field_type: str, name: str, value: str, case_insensitive: bool) -> Any:
    if value is None or value == "":
        return None
    if field_type in (DATE, TIMESTAMP):
        moment = parse_timestamp(value)
        return moment
    if field_type in (INTEGER, DECIMAL):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    if field_type == BOOLEAN:
        lowered = value.strip().lower()
        return {"t": "true", "true": "true", "f": "false", "false": "false"}.get(lowered, lowered)
    if field_type == ENUM and name.upper() == "STATUS":
        lowered = value.strip().lower()
        return {"t": "active", "active": "active", "f": "inactive", "inactive": "inactive"}.get(lowered, lowered)
    return value.lower() if case_insensitive else value


def _like_regex(pattern: str, case_insensitive: bool) -> re.Pattern:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if case_insensitive else 0))


def comparison(resolver: FieldResolver, field: str, op: str, values: list[str],
               case_insensitive: bool = False) -> Predicate:
    resolved = resolver.field(field)
    name, ftype, get = resolved.name, resolved.type, resolved.get
    if op in ("isnull", "isnotnull"):
        want_null = op == "isnull"
        return lambda r: (get(r) in ("", None)) == want_null
    if op in ("like", "notlike"):
        regex = _like_regex(values[0], case_insensitive)
        negate = op == "notlike"
        return lambda r: bool(regex.fullmatch(str(get(r) or ""))) != negate
    targets = [_coerce(ftype, name, v, case_insensitive) for v in values]
    if op in ("in", "notin"):
        members = set(targets)
        negate = op == "notin"

        def member(r):
            value = _coerce(ftype, name, get(r), case_insensitive)
            return (value in members) != negate if value is not None else negate
        return member
    if op == "between":
        low, high = targets

        def between(r):
            value = _coerce(ftype, name, get(r), case_insensitive)
            return value is not None and low is not None and high is not None and low <= value <= high
        return between
    target = targets[0]
    compare = _OPERATORS[op]

    def check(r):
        value = _coerce(ftype, name, get(r), case_insensitive)
        if value is None or target is None:
            return op == "notequalto" and (value is None) != (target is None)
        if isinstance(value, datetime) != isinstance(target, datetime):
            return False
        try:
            return compare(value, target)
        except TypeError:
            return False
    return check


_OPERATORS = {
    "equalto": lambda a, b: a == b, "notequalto": lambda a, b: a != b,
    "lessthan": lambda a, b: a < b, "lessthanorequalto": lambda a, b: a <= b,
    "greaterthan": lambda a, b: a > b, "greaterthanorequalto": lambda a, b: a >= b,
}
_SYMBOLS = {"=": "equalto", "!=": "notequalto", "<>": "notequalto", "<": "lessthan", "<=": "lessthanorequalto",
            ">": "greaterthan", ">=": "greaterthanorequalto"}


# --- readByQuery's string grammar -------------------------------------------------------------------
_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:\\.|[^'\\])*') |
    (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_])) |
    (?P<op><=|>=|<>|!=|=|<|>) |
    (?P<punct>[(),]) |
    (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
)""", re.VERBOSE)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise QueryError(messages.query_syntax(f"unexpected text at position {position}: {text[position:]!r}"))
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, text: str, resolver: FieldResolver):
        self.tokens = _tokenize(text)
        self.position = 0
        self.resolver = resolver

    def peek_word(self, offset: int = 0) -> str:
        index = self.position + offset
        if index < len(self.tokens) and self.tokens[index][0] == "word":
            return self.tokens[index][1].upper()
        return ""

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise QueryError(messages.query_syntax("unexpected end of query"))
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, kind: str, value: str | None = None) -> str:
        got_kind, got = self.take()
        if got_kind != kind or (value is not None and got.upper() != value):
            raise QueryError(messages.query_syntax(f"expected {value or kind} but found {got!r}"))
        return got

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.position != len(self.tokens):
            raise QueryError(messages.query_syntax(f"unexpected {self.tokens[self.position][1]!r}"))
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.peek_word() == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while self.peek_word() == "AND":
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def not_expr(self) -> Predicate:
        if self.peek_word() == "NOT":
            self.take()
            inner = self.not_expr()
            return lambda r: not inner(r)
        if self.position < len(self.tokens) and self.tokens[self.position] == ("punct", "("):
            self.take()
            inner = self.or_expr()
            self.expect("punct", ")")
            return inner
        return self.comparison()

    def value(self) -> str:
        kind, value = self.take()
        if kind in ("string", "number", "word"):
            return value
        raise QueryError(messages.query_syntax(f"expected a value but found {value!r}"))

    def comparison(self) -> Predicate:
        field = self.expect("word")
        word = self.peek_word()
        if word == "IS":
            self.take()
            negate = self.peek_word() == "NOT"
            if negate:
                self.take()
            self.expect("word", "NULL")
            return comparison(self.resolver, field, "isnotnull" if negate else "isnull", [])
        negate = word == "NOT"
        if negate:
            self.take()
            word = self.peek_word()
        if word == "LIKE":
            self.take()
            return comparison(self.resolver, field, "notlike" if negate else "like", [self.value()])
        if word == "IN":
            self.take()
            self.expect("punct", "(")
            values = [self.value()]
            while self.tokens[self.position] == ("punct", ","):
                self.take()
                values.append(self.value())
            self.expect("punct", ")")
            return comparison(self.resolver, field, "notin" if negate else "in", values)
        if negate:
            raise QueryError(messages.query_syntax(f"expected LIKE or IN after NOT near {field!r}"))
        kind, op = self.take()
        if kind != "op":
            raise QueryError(messages.query_syntax(f"expected an operator after {field!r} but found {op!r}"))
        return comparison(self.resolver, field, _SYMBOLS[op], [self.value()])


def parse_read_by_query(text: str, resolver: FieldResolver) -> Predicate:
    if not (text or "").strip():
        return lambda r: True
    return _Parser(text, resolver).parse()


# --- query's XML filter tree -----------------------------------------------------------------------
_TWO_ARG = {"equalto", "notequalto", "lessthan", "lessthanorequalto", "greaterthan", "greaterthanorequalto",
            "like", "notlike"}


def parse_filter(element, resolver: FieldResolver, case_insensitive: bool) -> Predicate:
    tag = element.tag.lower()
    children = [c for c in element if isinstance(c.tag, str)]
    if tag == "filter":
        if len(children) != 1:
            raise QueryError(messages.query_syntax("filter must hold exactly one and, or or operator"))
        return parse_filter(children[0], resolver, case_insensitive)
    if tag in ("and", "or"):
        if len(children) < 2:
            raise QueryError(messages.query_syntax(f"<{tag}> needs at least 2 conditions"))
        parts = [parse_filter(c, resolver, case_insensitive) for c in children]
        if tag == "and":
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)
    field = element.findtext("field")
    if field is None:
        raise QueryError(messages.query_syntax(f"<{tag}> needs a <field>"))
    values = [v.text or "" for v in element.findall("value")]
    if tag in _TWO_ARG and len(values) != 1:
        raise QueryError(messages.query_syntax(f"<{tag}> takes exactly one <value>"))
    if tag == "between" and len(values) != 2:
        raise QueryError(messages.query_syntax("<between> takes exactly two <value> elements"))
    if tag in ("in", "notin") and not 1 <= len(values) <= 1000:
        raise QueryError(messages.query_syntax(f"<{tag}> takes 1 to 1000 <value> elements"))
    if tag in ("isnull", "isnotnull") and values:
        raise QueryError(messages.query_syntax(f"<{tag}> takes no <value>"))
    if tag not in _TWO_ARG | {"between", "in", "notin", "isnull", "isnotnull"}:
        raise QueryError(messages.query_syntax(f"unknown filter operator <{element.tag}>"))
    return comparison(resolver, field, tag, values, case_insensitive)


def sort_key(field: Field, case_insensitive: bool):
    field_type, name, get = field.type, field.name, field.get

    def key(record):
        value = _coerce(field_type, name, get(record), case_insensitive)
        # None sorts first, and values of one type compare among themselves.
        return (value is not None, value if value is not None else 0)
    return key
