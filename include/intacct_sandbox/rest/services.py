"""The REST services beside the objects: dimensions, the XML session bridge and the object model."""

from __future__ import annotations

import secrets
from datetime import timedelta

from include.intacct.rest.objects import OBJECTS, for_rest
from include.intacct_sandbox.catalog import STANDARD_DIMENSIONS
from include.intacct_sandbox.gateway import MAX_SESSIONS_BEFORE_PURGE, Session
from include.intacct_sandbox.rest import envelope


def dimensions_list(ctx) -> tuple[int, dict]:
    """``GET /services/company-config/dimensions/list`` (reference §3.10): one entry per dimension, the
    user-defined ones with their ``platform-apps/nsp::`` endpoint. A UDD that is inactive shows disabled;
    one the user may not read is listed all the same (reading its values is what fails, INT402)."""
    items = []
    for name, label in STANDARD_DIMENSIONS:
        path = OBJECTS[name].path
        items.append({"dimensionName": name, "dimensionLabel": label, "termName": label,
                      "isUserDefinedDimension": False, "isEnabledInGL": True,
                      "dimensionEndpoint": f"/objects/{path}"})
    for name, udd in ctx.udds().items():
        items.append({"dimensionName": name, "dimensionLabel": udd["label"], "termName": udd["label"],
                      "isUserDefinedDimension": True, "isEnabledInGL": udd["status"] == "active",
                      "dimensionEndpoint": f"/objects/platform-apps/nsp::{name.lower()}"})
    return 200, envelope.result(items, {"totalCount": len(items), "start": 1, "pageSize": len(items),
                                        "next": None, "previous": None})


def session_id(ctx, identity) -> tuple[int, dict]:
    """``GET /services/core/session/id`` (reference §2.6): an XML API session for the token's user, company
    and entity, usable on the XML gateway with the sender's credentials."""
    sandbox = ctx.sandbox
    now = sandbox.now()
    lifetime = sandbox.options.session_timeout_seconds
    if len(sandbox.sessions) >= MAX_SESSIONS_BEFORE_PURGE:
        for stale in [sid for sid, s in sandbox.sessions.items() if s.expires <= now]:
            del sandbox.sessions[stale]
    new_id = secrets.token_urlsafe(24) + ".."
    entity_id = ctx.entity["LOCATIONID"] if ctx.entity else ""
    sandbox.sessions[new_id] = Session(ctx.company, identity.user_id, entity_id, now + timedelta(seconds=lifetime),
                                       identity.sender_id)
    return 200, envelope.result({"sessionId": new_id, "expiresIn": int(lifetime)})


def model(name: str) -> tuple[int, dict]:
    """``GET /services/core/model?name=<object>``: the properties the sandbox serves for the object.
    "The required field is always set to false" (reference §3.1), as Intacct's model says."""
    obj = for_rest(name)
    if obj is None:
        return envelope.not_found(f"there is no model for '{name}'")
    fields: dict = {}
    for fmap in obj.fields:
        fields[fmap.rest] = {"type": "string" if fmap.kind in ("text", "enum", "date", "timestamp", "decimal")
                             else fmap.kind, "readOnly": fmap.read_only, "writeOnly": False, "required": False,
                             "nullable": True, "mutable": not fmap.read_only,
                             **({"format": "date"} if fmap.kind == "date" else {}),
                             **({"format": "date-time"} if fmap.kind == "timestamp" else {}),
                             **({"enum": [rest for _, rest in fmap.values]} if fmap.values else {})}
    lists = {"lines": {"apiObject": obj.lines.rest_object}} if obj.lines is not None else {}
    return 200, envelope.result({"fields": fields, "groups": {}, "refs": {}, "lists": lists,
                                 "httpMethods": "OPTIONS,GET,POST,DELETE,PATCH", "idempotenceSupported": True})
