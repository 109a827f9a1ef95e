"""The fields a read can name on an object: stored and catalogue fields, the ones computed from
the record and its relations, and (for `query` only) dotted fields of related objects.

readByQuery and read take no joins ("Joins are not supported",
https://developer.intacct.com/web-services/queries/): they see the object's own fields, where a
dotted name such as DISPLAYCONTACT.EMAIL1 is a field of the object. `query` also follows
relationships: `VENDOR.NAME` on APBILL, `VENDOR.TERM.DUEDATE`, `CUSTOMER.PARENT.NAME` (one
hierarchical hop at most).
"""

from __future__ import annotations

from typing import Any

from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS, ObjectDef
from include.intacct_sandbox.query import Field, FieldResolver, QueryError
from include.intacct_sandbox.relations import ReadScope, derived_fields, field_getter, relations_of


class ObjectFieldResolver(FieldResolver):
    def __init__(self, scope: ReadScope, definition: ObjectDef, *, follow_relations: bool):
        super().__init__(definition.name, definition.all_fields, allow_gldim=not definition.master)
        self.scope = scope
        self.definition = definition
        self.follow_relations = follow_relations
        self._own: dict[tuple[str, str], Field] = {}  # (object, field) -> Field, resolved once per read

    def field(self, name: str) -> Field:
        upper = name.strip().upper()
        own = self._own_field(self.definition, upper)
        if own is not None:
            return own
        if self.follow_relations and "." in upper:
            return self._related_field(name.strip(), upper)
        return super().field(name)

    def _own_field(self, definition: ObjectDef, upper: str) -> Field | None:
        cache_key = (definition.name, upper)
        cached = self._own.get(cache_key)
        if cached is not None:
            return cached
        actual = _by_upper(definition).get(upper)
        if actual is None:
            return None
        getter = field_getter(self.scope, definition, actual) or _stored(actual)
        field = Field(actual, definition.all_fields[actual], getter)
        self._own[cache_key] = field
        return field

    def _related_field(self, written: str, upper: str) -> Field:
        parts = upper.split(".")
        definition = self.definition
        chain = []
        hierarchical_hops = 0
        index = 0
        # Walk relationships until the rest is a field of the object reached (which may itself be
        # dotted, as DISPLAYCONTACT.EMAIL1 is on a vendor).
        while index < len(parts) - 1 and ".".join(parts[index:]) not in _by_upper(definition):
            relation = relations_of(definition.name).get(parts[index])
            if relation is None:
                raise QueryError(messages.unknown_field(self.object_name, [written]))
            if relation.target == definition.name:
                hierarchical_hops += 1
                if hierarchical_hops > 1:  # Intacct allows one hierarchical hop per field
                    raise QueryError(messages.unknown_field(self.object_name, [written]))
            chain.append(relation)
            definition = OBJECTS[relation.target]
            index += 1
        leaf = self._own_field(definition, ".".join(parts[index:]))
        if leaf is None or not chain:
            raise QueryError(messages.unknown_field(self.object_name, [written]))
        scope, leaf_get = self.scope, leaf.get

        def get(record: dict[str, Any]) -> Any:
            for relation in chain:
                record = scope.related(relation, record)
                if record is None:
                    return ""
            return leaf_get(record)
        return Field(upper, leaf.type, get)


def _stored(name: str):
    return lambda record: record.get(name, "")


_UPPER_NAMES: dict[str, dict[str, str]] = {}


def _by_upper(definition: ObjectDef) -> dict[str, str]:
    names = _UPPER_NAMES.get(definition.name)
    if names is None:
        names = _UPPER_NAMES[definition.name] = {n.upper(): n for n in definition.all_fields}
    return names


def computed_getters(fields: list[Field], definition: ObjectDef | None) -> list[tuple[str, Any]]:
    """(name, getter) of the fields a record does not simply store, for rendering rows."""
    if definition is None:
        return []
    stored, derived = definition.all_fields, derived_fields(definition)
    return [(f.name, f.get) for f in fields if f.name not in stored or f.name in derived]
