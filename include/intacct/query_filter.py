"""Filter builder for the ``query`` function: ``Filter.equalto("STATUS", "active") & Filter.greaterthan("RECORDNO", 5)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from include.intacct.xml import format_value

_BINARY = ("equalto", "notequalto", "lessthan", "lessthanorequalto", "greaterthan", "greaterthanorequalto", "like", "notlike")
MAX_IN_VALUES = 1000


def _field(field: Any) -> str:
    if not isinstance(field, str) or not field.strip():
        raise TypeError(f"Filter field must be a non-empty string, got {field!r}")
    return field


class Filter:
    """One filter node: an operator over a field, or ``and``/``or`` over two or more nodes."""

    __slots__ = ("operator", "field", "values", "children")

    def __init__(self, operator: str, field: str | None = None, values: tuple[str, ...] = (), children=()):
        self.operator = operator
        self.field = field
        self.values = values
        self.children: tuple[Filter, ...] = tuple(children)

    @classmethod
    def _binary(cls, operator: str, field: str, value: Any) -> Filter:
        return cls(operator, _field(field), (format_value(value, where=f"filter {operator} {field}"),))

    # equalto, notequalto, lessthan, ... like, notlike: (field, value), defined below the class.
    equalto: classmethod
    notequalto: classmethod
    lessthan: classmethod
    lessthanorequalto: classmethod
    greaterthan: classmethod
    greaterthanorequalto: classmethod
    like: classmethod
    notlike: classmethod

    @classmethod
    def between(cls, field: str, low: Any, high: Any) -> Filter:
        where = f"filter between {field}"
        return cls("between", _field(field), (format_value(low, where=where), format_value(high, where=where)))

    @classmethod
    def in_(cls, field: str, values: Iterable[Any]) -> Filter:
        return cls._many("in", field, values)

    @classmethod
    def notin(cls, field: str, values: Iterable[Any]) -> Filter:
        return cls._many("notin", field, values)

    @classmethod
    def _many(cls, operator: str, field: str, values: Iterable[Any]) -> Filter:
        texts = tuple(format_value(v, where=f"filter {operator} {field}") for v in values)
        if not 1 <= len(texts) <= MAX_IN_VALUES:
            raise ValueError(f"Filter {operator} on {field} takes 1 to {MAX_IN_VALUES} values, got {len(texts)}")
        return cls(operator, _field(field), texts)

    @classmethod
    def isnull(cls, field: str) -> Filter:
        return cls("isnull", _field(field))

    @classmethod
    def isnotnull(cls, field: str) -> Filter:
        return cls("isnotnull", _field(field))

    @classmethod
    def all_of(cls, *filters: Filter) -> Filter:
        return cls._group("and", filters)

    @classmethod
    def any_of(cls, *filters: Filter) -> Filter:
        return cls._group("or", filters)

    @classmethod
    def _group(cls, operator: str, filters: Iterable[Filter]) -> Filter:
        flat: list[Filter] = []
        for item in filters:
            if not isinstance(item, Filter):
                raise TypeError(f"Filter.{operator} takes Filter objects, got {type(item).__name__}")
            flat.extend(item.children if item.operator == operator else (item,))
        if len(flat) == 1:
            return flat[0]
        if not flat:
            raise ValueError(f"Filter {operator} needs at least one filter")
        return cls(operator, children=flat)

    def __and__(self, other: Filter) -> Filter:
        return Filter.all_of(self, other)

    def __or__(self, other: Filter) -> Filter:
        return Filter.any_of(self, other)

    def write(self, parent: etree._Element) -> etree._Element:
        element = etree.SubElement(parent, self.operator)
        if self.children:
            for child in self.children:
                child.write(element)
            return element
        etree.SubElement(element, "field").text = self.field
        for value in self.values:
            etree.SubElement(element, "value").text = value
        return element

    def __repr__(self) -> str:
        if self.children:
            return f"({f' {self.operator} '.join(map(repr, self.children))})"
        return f"{self.operator}({self.field}{''.join(', ' + v for v in self.values)})"


def _binary_operator(operator: str) -> classmethod:
    def build(cls: type[Filter], field: str, value: Any) -> Filter:
        return cls._binary(operator, field, value)

    build.__name__ = build.__qualname__ = operator
    build.__doc__ = f"``<{operator}><field>field</field><value>value</value></{operator}>``"
    return classmethod(build)


for _operator in _BINARY:
    setattr(Filter, _operator, _binary_operator(_operator))
