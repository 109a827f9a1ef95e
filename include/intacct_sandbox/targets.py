"""What a read addresses: a catalogue object or a user-defined dimension, its fields, and the
parameters every read function checks the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import UDD_FIELDS, ObjectDef, find_object
from include.intacct_sandbox.context import Failure, FunctionContext
from include.intacct_sandbox.field_resolver import ObjectFieldResolver, computed_getters
from include.intacct_sandbox.query import Field, FieldResolver, QueryError
from include.intacct_sandbox.relations import ReadScope


@dataclass
class Target:
    """The object a read addresses: a catalog object or a user-defined dimension."""

    name: str
    fields: dict[str, str]
    definition: ObjectDef | None = None
    udd: bool = False
    key: str = "RECORDNO"

    def resolver(self, ctx: FunctionContext, follow_relations: bool = False) -> FieldResolver:
        if self.definition is None:
            return FieldResolver(self.name, self.fields)
        return ObjectFieldResolver(ReadScope(ctx), self.definition, follow_relations=follow_relations)


def target(ctx: FunctionContext, object_name: str | None, operation: str) -> Target:
    name = (object_name or "").strip()
    definition = find_object(name)
    if definition is not None:
        return Target(definition.name, definition.all_fields, definition, key=definition.key)
    udd = ctx.udds().get(name.upper())
    if udd is not None:
        if not udd["permitted"] or udd["status"] != "active":
            raise Failure([messages.no_permission(operation, name.upper())])
        return Target(name.upper(), UDD_FIELDS, udd=True, key="id")
    raise Failure([messages.object_not_found(name.upper() or "(empty)")])


def select_fields(resolver: FieldResolver, target_: Target, text: str | None) -> list[Field]:
    """The fields a comma-separated list names; empty or `*` is every field of the object."""
    text = (text or "").strip()
    names = list(target_.fields) if text in ("", "*") else [n for n in text.split(",") if n.strip()]
    try:
        return resolver.fields_of(names)
    except QueryError as exc:
        raise Failure([exc.error]) from None


def int_param(el, name: str, default: int, low: int, high: int, function: str) -> int:
    text = el.findtext(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise Failure([messages.invalid_parameter(function, f"{name} '{text}' is not a number")]) from None
    if not low <= value <= high:
        raise Failure([messages.invalid_parameter(function, f"{name} must be between {low} and {high}")])
    return value


def by_recordno(record: dict[str, Any]) -> int:
    return int(record.get("RECORDNO") or 0)


def with_computed(records, fields: list[Field], definition: ObjectDef | None) -> list[dict[str, Any]]:
    """The records with the values of the computed fields among ``fields`` filled in, ready to render.
    Records that need nothing computed are passed through as they are."""
    computed = computed_getters(fields, definition)
    if not computed:
        return list(records)
    return [{**r, **{name: get(r) for name, get in computed}} for r in records]
