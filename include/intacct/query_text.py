"""readByQuery's SQL-like text as a ``Filter``, for the transports that have no readByQuery (REST).

The grammar readByQuery documents: comparisons (``=``, ``!=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``),
``[NOT] LIKE``, ``[NOT] IN (...)``, ``IS [NOT] NULL``, joined by ``AND`` / ``OR`` with parentheses.
``STATUS = 'T'`` means active, as on the XML API. A text this grammar does not cover is an error that
quotes it, never a silently wider read.
"""

from __future__ import annotations

import re

from include.intacct.query_filter import Filter

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:\\.|[^'\\])*') |
    (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_])) |
    (?P<op><=|>=|<>|!=|=|<|>) |
    (?P<punct>[(),]) |
    (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
)""", re.VERBOSE)
_SYMBOLS = {"=": "equalto", "!=": "notequalto", "<>": "notequalto", "<": "lessthan", "<=": "lessthanorequalto",
            ">": "greaterthan", ">=": "greaterthanorequalto"}
_STATUS_LETTERS = {"T": "active", "F": "inactive"}


class QueryTextError(ValueError):
    """A readByQuery text outside the grammar; the message quotes where."""


def parse_query_text(text: str) -> Filter | None:
    """The filter a readByQuery text states; None for an empty text (every record)."""
    if not (text or "").strip():
        return None
    parser = _Parser(text)
    result = parser.or_expr()
    if parser.position != len(parser.tokens):
        raise QueryTextError(f"readByQuery text {text!r}: unexpected {parser.tokens[parser.position][1]!r}")
    return result


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position, stripped = 0, text.rstrip()
        while position < len(stripped):
            match = _TOKEN.match(stripped, position)
            if not match:
                raise QueryTextError(f"readByQuery text {text!r}: cannot read {stripped[position:]!r}")
            kind = match.lastgroup
            value = match.group(kind)
            if kind == "string":
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            self.tokens.append((kind, value))
            position = match.end()
        self.position = 0

    def _peek_word(self) -> str:
        if self.position < len(self.tokens) and self.tokens[self.position][0] == "word":
            return self.tokens[self.position][1].upper()
        return ""

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise QueryTextError(f"readByQuery text {self.text!r}: ends too early")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _expect(self, kind: str, value: str | None = None) -> str:
        got_kind, got = self._take()
        if got_kind != kind or (value is not None and got.upper() != value):
            raise QueryTextError(f"readByQuery text {self.text!r}: expected {value or kind}, found {got!r}")
        return got

    def or_expr(self) -> Filter:
        parts = [self.and_expr()]
        while self._peek_word() == "OR":
            self._take()
            parts.append(self.and_expr())
        return Filter.any_of(*parts)

    def and_expr(self) -> Filter:
        parts = [self.atom()]
        while self._peek_word() == "AND":
            self._take()
            parts.append(self.atom())
        return Filter.all_of(*parts)

    def atom(self) -> Filter:
        if self.position < len(self.tokens) and self.tokens[self.position] == ("punct", "("):
            self._take()
            inner = self.or_expr()
            self._expect("punct", ")")
            return inner
        return self.comparison()

    def _value(self, field: str) -> str:
        kind, value = self._take()
        if kind not in ("string", "number", "word"):
            raise QueryTextError(f"readByQuery text {self.text!r}: expected a value after {field}, found {value!r}")
        if field.upper() == "STATUS":
            return _STATUS_LETTERS.get(value.upper(), value)
        return value

    def comparison(self) -> Filter:
        field = self._expect("word")
        word = self._peek_word()
        if word == "IS":
            self._take()
            negate = self._peek_word() == "NOT"
            if negate:
                self._take()
            self._expect("word", "NULL")
            return Filter.isnotnull(field) if negate else Filter.isnull(field)
        negate = word == "NOT"
        if negate:
            self._take()
            word = self._peek_word()
        if word == "LIKE":
            self._take()
            value = self._value(field)
            return Filter.notlike(field, value) if negate else Filter.like(field, value)
        if word == "IN":
            self._take()
            self._expect("punct", "(")
            values = [self._value(field)]
            while self.position < len(self.tokens) and self.tokens[self.position] == ("punct", ","):
                self._take()
                values.append(self._value(field))
            self._expect("punct", ")")
            return Filter.notin(field, values) if negate else Filter.in_(field, values)
        if negate:
            raise QueryTextError(f"readByQuery text {self.text!r}: expected LIKE or IN after NOT near {field!r}")
        kind, op = self._take()
        if kind != "op":
            raise QueryTextError(f"readByQuery text {self.text!r}: expected an operator after {field!r}, found {op!r}")
        return getattr(Filter, _SYMBOLS[op])(field, self._value(field))
