"""The sandbox: its state, its sessions and cursors, and the administration operations
(reset, close and reopen books, change records "in Intacct", faults, settings)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from include import demo_company as demo
from include.intacct_sandbox import seed as seeding
from include.intacct_sandbox.catalog import OBJECTS, UDD_FIELDS, find_object
from include.intacct_sandbox.context import Failure, FunctionContext
from include.intacct_sandbox.faults import Faults
from include.intacct_sandbox.gateway import Gateway, Senders
from include.intacct_sandbox.options import UNAUTHORIZED_SENDER_ID, Options
from include.intacct_sandbox.records import advance_modified, stamp_new_record
from include.intacct_sandbox.rest.auth import OAuth
from include.intacct_sandbox.store import Store
from include.intacct_sandbox.writes import create_master

MODULES = seeding.MODULES
POSTED_OBJECTS = ("ARINVOICE", "APBILL", "GLBATCH")


class AdminError(ValueError):
    """Bad input to an administration call; the message names the field."""


class Sandbox:
    def __init__(self, state_dir: str | Path, options: Options | None = None):
        self.options = options or Options()
        self._start_options = replace(self.options)
        self.companies = seeding.COMPANIES
        self.senders = Senders(
            passwords={demo.SANDBOX_SENDER_ID: self.options.sender_password,
                       UNAUTHORIZED_SENDER_ID: self.options.sender_password},
            companies={demo.SANDBOX_SENDER_ID: set(self.companies),
                       UNAUTHORIZED_SENDER_ID: {demo.MULTI_ENTITY_COMPANY_ID}},
        )
        self.store = Store(state_dir)
        self.store.set_key_fields({**{o.name: o.key for o in OBJECTS.values()},
                                   **{u.object_name: "id" for u in demo.UDDS}})
        self.sessions: dict = {}
        self.cursors: dict = {}
        # (session, object) -> resultId of that session's latest readByQuery of the object with pages left
        self.latest_cursors: dict[tuple[str, str], str] = {}
        self.faults = self._start_faults()
        self.in_flight: Counter[str] = Counter()
        # Per company, since the last reset: the most requests it held at once, and how many it refused
        # for going over the concurrency limit (kept in memory, reported with the counters).
        self.most_in_flight: Counter[str] = Counter()
        self.refused_over_limit: Counter[str] = Counter()
        self.clock_offset = timedelta(0)
        self.gateway = Gateway(self)
        self.oauth = OAuth(self)  # the REST API's tokens, as `sessions` are the XML API's
        if self.store.is_empty():
            self._seed()

    def _start_faults(self) -> Faults:
        try:
            return Faults(self.options.seed, self.options.fault_probabilities, self.options.fault_target)
        except ValueError as exc:
            raise AdminError(f"faults: {exc}") from None

    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def _seed(self) -> None:
        now = self.now()
        seeding.seed(self.store, now.date(), now.replace(tzinfo=None))

    # --- administration ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seeded companies, with the start options (fault seed, target and probabilities
        included), no sessions or cursors, and the fault counts at zero."""
        self.clock_offset = timedelta(0)
        self._seed()
        self.sessions.clear()
        self.oauth = OAuth(self)
        self.cursors.clear()
        self.latest_cursors.clear()
        self.options = replace(self._start_options)
        self.faults = self._start_faults()
        self.most_in_flight.clear()
        self.refused_over_limit.clear()

    def _company(self, company: str) -> str:
        if company not in self.companies:
            raise AdminError(f"company: unknown company '{company}' (known: {', '.join(self.companies)})")
        return company

    @staticmethod
    def _modules(module: str) -> tuple[str, ...]:
        module = (module or "all").upper()
        if module == "ALL":
            return MODULES
        if module not in MODULES:
            raise AdminError(f"module: '{module}' is not one of GL, AR, AP or all")
        return (module,)

    @staticmethod
    def _date(value: Any, name: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise AdminError(f"{name}: '{value}' is not a date (YYYY-MM-DD)") from None

    def closed_books(self, company: str) -> dict[str, str]:
        self._company(company)
        return {m: self.store.setting(company, f"closed_through:{m}") for m in MODULES}

    def close_books(self, company: str, through: Any, module: str = "all") -> dict[str, str]:
        company, through = self._company(company), self._date(through, "through")
        for m in self._modules(module):
            self.store.set_setting(company, f"closed_through:{m}", through.isoformat())
        self.store.commit()
        return self.closed_books(company)

    def reopen(self, company: str, module: str, to: Any = None) -> dict[str, str]:
        """Move a module's closed-books date back: to `to`, or by one month (the last closed period reopens)."""
        company = self._company(company)
        for m in self._modules(module):
            current = self.store.setting(company, f"closed_through:{m}")
            if to is not None:
                target = self._date(to, "to")
            elif current:
                first = date.fromisoformat(current).replace(day=1)
                target = first - timedelta(days=1)
            else:
                continue
            self.store.set_setting(company, f"closed_through:{m}", target.isoformat())
        self.store.commit()
        return self.closed_books(company)

    def _resolve(self, company: str, object_name: str) -> tuple[str, str]:
        """(object name, key field) for a catalog object or a UDD."""
        definition = find_object(object_name or "")
        if definition is not None:
            return definition.name, definition.key
        if (object_name or "").upper() in self.store.setting(company, "udds", {}):
            return object_name.upper(), "id"
        raise AdminError(f"object: unknown object '{object_name}'")

    def _record(self, company: str, object_name: str, record_id: str) -> tuple[str, dict]:
        company = self._company(company)
        name, _ = self._resolve(company, object_name)
        record = self.store.find_by_key(company, name, str(record_id))
        if record is None and str(record_id).isdigit():
            record = self.store.get(company, name, int(record_id))
        if record is None:
            raise AdminError(f"id: no {name} record with id '{record_id}' in company {company}")
        return name, record

    def set_status(self, company: str, object_name: str, record_id: str, status: str) -> dict:
        if status not in ("active", "inactive"):
            raise AdminError(f"status: '{status}' is not active or inactive")
        name, record = self._record(company, object_name, record_id)
        field = "status" if "status" in record else "STATUS"
        return self._save(company, name, {**record, field: status})

    def update_record(self, company: str, object_name: str, record_id: str, fields: dict[str, Any]) -> dict:
        name, record = self._record(company, object_name, record_id)
        if not isinstance(fields, dict) or not fields:
            raise AdminError("fields: give at least one field to change")
        changes = {str(k) if name not in OBJECTS else str(k).upper(): "" if v is None else str(v)
                   for k, v in fields.items()}
        if "RECORDNO" in changes:
            raise AdminError("fields: RECORDNO cannot change")
        return self._save(company, name, {**record, **changes})

    def _save(self, company: str, name: str, record: dict) -> dict:
        advance_modified(record, self.now().replace(tzinfo=None))
        self.store.put(company, name, record)
        self.store.commit()
        return record

    def create_record(self, company: str, object_name: str, fields: dict[str, Any]) -> dict:
        company = self._company(company)
        name, key = self._resolve(company, object_name)
        now = self.now().replace(tzinfo=None)
        if name in OBJECTS:
            definition = OBJECTS[name]
            if not definition.master:
                raise AdminError(f"object: {name} is a document; post it through the gateway")
            values = {str(k).upper(): "" if v is None else str(v) for k, v in fields.items()}
            ctx = FunctionContext(self.store, company, None, now, "", self)
            try:
                record = create_master(ctx, definition, values)
            except Failure as failure:
                self.store.rollback_to(0)
                raise AdminError("; ".join(e.description2 for e in failure.errors)) from None
        else:
            values = {k: "" if v is None else str(v) for k, v in fields.items() if k in UDD_FIELDS}
            if not values.get("id"):
                raise AdminError("fields: a UDD value needs an 'id'")
            if self.store.find_by_key(company, name, values["id"]) is not None:
                raise AdminError(f"fields: {name} value '{values['id']}' already exists")
            values.setdefault("status", "active")
            record = stamp_new_record(self.store, company, name, values, now)
            record = {k: v for k, v in record.items() if k in UDD_FIELDS}
            self.store.put(company, name, record)
        self.store.commit()
        return record

    def set_udd(self, company: str, name: str, permitted: bool | None = None, status: str | None = None) -> dict:
        company = self._company(company)
        udds = dict(self.store.setting(company, "udds", {}))
        key = (name or "").upper()
        if key not in udds:
            raise AdminError(f"name: unknown user-defined dimension '{name}' (known: {', '.join(udds)})")
        udd = dict(udds[key])
        if permitted is not None:
            udd["permitted"] = bool(permitted)
        if status is not None:
            if status not in ("active", "inactive"):
                raise AdminError(f"status: '{status}' is not active or inactive")
            udd["status"] = status
        udds[key] = udd
        self.store.set_setting(company, "udds", udds)
        self.store.commit()
        return udd

    def set_faults(self, next_faults: list[str] | None = None, probabilities: dict[str, float] | None = None,
                   seed: int | None = None, target: str | None = None, reset_counts: Any = False) -> dict:
        try:
            self.faults.set(next_faults, probabilities, seed, target, _as_flag(reset_counts, "reset_counts"))
        except ValueError as exc:
            raise AdminError(f"faults: {exc}") from None
        return self.faults.describe()

    def update_settings(self, **values: Any) -> dict:
        for name, value in values.items():
            if name not in Options.RUNTIME:
                raise AdminError(f"{name}: not a runtime setting (settable: {', '.join(Options.RUNTIME)})")
            try:
                number = int(value) if name == "concurrency_limit" else float(value)
            except (TypeError, ValueError):
                raise AdminError(f"{name}: '{value}' is not a number") from None
            if number < 0 or (name == "concurrency_limit" and number < 1):
                raise AdminError(f"{name}: {value} is out of range")
            setattr(self.options, name, number)
        return self.options.runtime_settings()

    def expire_sessions(self, company: str | None = None) -> int:
        """End the XML sessions of ``company`` (None: all) and refuse the REST tokens issued so far."""
        doomed = [sid for sid, s in self.sessions.items() if company in (None, s.company)]
        for sid in doomed:
            del self.sessions[sid]
        self.oauth.revoke(company)
        return len(doomed)

    def advance_clock(self, seconds: float) -> str:
        self.clock_offset += timedelta(seconds=float(seconds))
        return self.now().isoformat(timespec="seconds")

    def posted(self, company: str, object_name: str | None = None) -> list[dict]:
        company = self._company(company)
        names = POSTED_OBJECTS
        if object_name:
            definition = find_object(object_name)
            if definition is None or definition.name not in POSTED_OBJECTS:
                raise AdminError(f"object: '{object_name}' is not one of {', '.join(POSTED_OBJECTS)}")
            names = (definition.name,)
        out = []
        for name in names:
            for record in sorted(self.store.records(company, name), key=lambda r: int(r["RECORDNO"])):
                item = {k: v for k, v in record.items() if k != "_LINES"}
                item["OBJECT"] = name
                item["LINES"] = list(record.get("_LINES", []))
                out.append(item)
        return out

    def counters(self, company: str | None = None) -> dict:
        companies = [self._company(company)] if company else [*self.companies, "*"]
        return {c: {**self.store.setting(c, "counters", {"api_transactions": 0, "requests": 0}),
                    "most_in_flight": self.most_in_flight[c], "refused_over_limit": self.refused_over_limit[c]}
                for c in companies}

    def count_request(self, company: str) -> None:
        key = company if company in self.companies else "*"
        counters = dict(self.store.setting(key, "counters", {"api_transactions": 0, "requests": 0}))
        counters["requests"] = counters.get("requests", 0) + 1
        self.store.set_setting(key, "counters", counters)


def _as_flag(value: Any, name: str) -> bool:
    """A JSON boolean, or its text from a query parameter."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")
