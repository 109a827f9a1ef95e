"""What one function sees: the company (and entity) of its session, the clock and the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from include import demo_company as demo
from include.intacct_sandbox import messages
from include.intacct_sandbox.catalog import OBJECTS
from include.intacct_sandbox.gl_detail import gl_detail
from include.intacct_sandbox.store import Store

# A line's RECORDNO: its document's RECORDNO times this, plus its line number.
LINE_RECORDNO_FACTOR = 1000


class Failure(Exception):
    """A function failed with these errors (specific first, then the generic line)."""

    def __init__(self, errors: list[messages.GatewayError], data_xml: str = ""):
        super().__init__("; ".join(e.description2 or e.description for e in errors))
        self.errors = errors
        self.data_xml = data_xml


@dataclass
class Outcome:
    data_xml: str = ""  # <data ...>...</data> or <key>..</key>, or empty
    transactions: int = 0  # API transactions this function used


@dataclass
class FunctionContext:
    store: Store
    company: str
    entity: dict[str, Any] | None  # the LOCATIONENTITY record of an entity-level session
    now: datetime
    base_url: str
    sandbox: Any  # the Sandbox (for cursors, options and sessions)
    user_id: str = demo.SANDBOX_USER_ID
    # The session the function runs in (a sign-in with login credentials is a session of its own
    # request): readMore by object continues that session's latest readByQuery of the object.
    session_key: str = ""
    multi_entity: bool = field(init=False)
    _closed: dict[str, date | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.multi_entity = self.store.count(self.company, "LOCATIONENTITY") > 0

    def visible(self, record: dict[str, Any]) -> bool:
        if self.entity is None:
            return True
        return record.get("MEGAENTITYID", "") in ("", self.entity["LOCATIONID"])

    def find(self, obj: str, key: str) -> dict[str, Any] | None:
        record = self.store.find_by_key(self.company, obj, key)
        return record if record is not None and self.visible(record) else None

    def find_active(self, obj: str, key: str) -> dict[str, Any] | None:
        record = self.find(obj, key)
        if record is None:
            return None
        status = record.get("STATUS", record.get("status", "active"))
        return record if status == "active" else None

    def records(self, obj: str):
        definition = OBJECTS.get(obj)
        if definition is not None and definition.parent:
            return self._line_records(definition)
        if obj == "GLDETAIL":
            return gl_detail(self, LINE_RECORDNO_FACTOR)
        return (r for r in self.store.records(self.company, obj) if self.visible(r))

    def _line_records(self, definition):
        parent = OBJECTS[definition.parent]
        for document in self.records(parent.name):
            shared = {name: document.get(name, "") for name in (
                "WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY", "MEGAENTITYKEY", "MEGAENTITYID",
                "MEGAENTITYNAME", "STATUS")}
            for line in document.get("_LINES", []):
                recordno = int(document["RECORDNO"]) * LINE_RECORDNO_FACTOR + int(line["LINE_NO"])
                yield {**shared, **line, "RECORDNO": str(recordno), "RECORDKEY": document["RECORDNO"],
                       "BATCHNO": document["RECORDNO"], "ENTRY_DATE": document.get(parent.date_field, ""),
                       "RECORD_URL": document.get("RECORD_URL", "")}

    def closed_through(self, module: str) -> date | None:
        text = self.store.setting(self.company, f"closed_through:{module}")
        if text not in self._closed:
            self._closed[text] = date.fromisoformat(text) if text else None
        return self._closed[text]

    def udds(self) -> dict[str, dict[str, Any]]:
        return self.store.setting(self.company, "udds", {})
