"""Every object a list's filter matches, for "select all matching the filter": the same filters as the
list on the page (the objects tab, or "Needs attention"), checked the same way, newest change first."""

from __future__ import annotations

import sqlalchemy as sa

from include.ledger import Ledger
from include.ledger.db import read_transaction
from include.ledger.schema import objects
from include.status.actions import MAX_OBJECTS, ActionError, Target
from include.status.ledger_view import attention_condition, parse_filters
from include.status.objects import find_filters, parse_object_filters

VIEWS = ("objects", "attention")


def objects_in_scope(ledger: Ledger, view: str, filters: dict, limit: int = MAX_OBJECTS) -> list[Target]:
    """The objects the list ``view`` shows with ``filters`` (every page); ActionError beyond ``limit``."""
    filters = {k: v for k, v in (filters or {}).items() if k not in ("page", "page_size")}
    if view == "objects":
        rows = ledger.find(**find_filters(parse_object_filters(**filters)), newest_first=True, limit=limit + 1)
        targets = [Target(r.object_type, r.key) for r in rows]
    elif view == "attention":
        parsed = parse_filters(filters.get("object_type"), filters.get("error_class"))
        t = objects
        with read_transaction(ledger.engine) as conn:
            targets = [Target(r.object_type, r.key) for r in conn.execute(
                sa.select(t.c.object_type, t.c.key).where(attention_condition(parsed.object_type, parsed.error_class))
                .order_by(t.c.updated_at.desc(), t.c.id.desc()).limit(limit + 1))]
    else:
        raise ActionError(f"view {view!r} is not one of: {', '.join(VIEWS)}")
    if len(targets) > limit:
        raise ActionError(f"the filter matches more than {limit} objects; at most {limit} per action: narrow it")
    return targets
