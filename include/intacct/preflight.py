"""Is this Intacct company ready for the integration? One check of everything the product needs.

Each check signs in, reads or looks up, never creates: sign-in (sender and user credentials,
sender authorization; on REST the OAuth client credentials), the company's financial setup and
closed-books date (on REST through the XML session of the REST token: REST has neither), read
permission on every master-data object and user-defined dimension, the multi-entity setup and the
visibility of every object the product posts. Every failure carries the exact fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from include.error_classes import ERROR_CLASSES, ErrorClass
from include.intacct.classify import classify, match
from include.intacct.client import IntacctClient
from include.intacct.config import IntacctConfig
from include.intacct.errors import IntacctError, TransportError
from include.intacct.responses import is_true
from include.masterdata.dimensions import int402_message, int402_steps
from include.masterdata.streams import CLOSED_BOOKS_STREAM, DIMENSIONS_STREAM, STREAMS, Stream, udd_stream

Status = Literal["ok", "failed", "warning"]
OK: Status = "ok"
FAILED: Status = "failed"
WARNING: Status = "warning"

# The objects the product creates or updates (documents, ERP-owned masters, payment terms).
WRITTEN_OBJECTS = ("ARINVOICE", "APBILL", "GLBATCH", "CUSTOMER", "VENDOR", "ITEM", "ARTERM", "APTERM")
ENTITY_OBJECT = STREAMS["LOCATIONENTITY"]

SENDER_AUTHORIZATION_MENU = "Company > Setup > Security > Edit > Web Services authorizations"
WEB_SERVICES_USERS_MENU = "Company > Admin > Users, roles & groups > Web Services users"
ROLE_PERMISSIONS_MENU = "Company > Admin > Roles > (the Web Services user's role) > Subscriptions > Permissions"
WRITE_NOTE = ("Write permission cannot be proven without writing: nothing was created. The first posting "
              "verifies it; give the Web Services user's role Add and Edit permission on these objects.")


@dataclass(frozen=True)
class Check:
    """One thing checked: its outcome, what was found and, unless it is ok, what a person does."""

    group: str  # sign-in, company, read, dimensions, entities, write
    name: str
    status: Status
    checked: str  # what was checked, in words
    detail: str = ""  # what was found
    fix: str = ""  # the exact fix, for a failure or warning
    error_class: str | None = None
    intacct_message: str = ""  # the gateway's own error lines, when it refused

    @property
    def ok(self) -> bool:
        return self.status != FAILED


@dataclass
class PreflightReport:
    gateway_url: str
    company_id: str
    sender_id: str
    user_id: str
    entity_id: str | None
    transport: str = "xml"
    checks: list[Check] = field(default_factory=list)
    api_cost: dict[str, int] = field(default_factory=dict)
    stopped_early: str = ""  # why later checks were not run

    @property
    def ready(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks) and not self.stopped_early

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAILED]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == WARNING]

    def exit_code(self) -> int:
        return 0 if self.ready else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "company_id": self.company_id,
            "sender_id": self.sender_id,
            "user_id": self.user_id,
            "entity_id": self.entity_id,
            "transport": self.transport,
            "gateway_url": self.gateway_url,
            "checks": [asdict(c) for c in self.checks],
            "failed": [c.name for c in self.failed],
            "warnings": [c.name for c in self.warnings],
            "stopped_early": self.stopped_early or None,
            "write_permission": WRITE_NOTE,
            "api_cost": self.api_cost,
        }


# ---------------------------------------------------------------------------- failures


def intacct_message(exc: IntacctError) -> str:
    """The gateway's error lines (or the exception text when it sent none)."""
    lines = [e.text() for e in exc.errors]
    return "; ".join(lines) if lines else str(exc)


def rest_sign_in_fix(exc: IntacctError, config: IntacctConfig) -> str:
    """What a person does when the REST token endpoint refuses the client credentials."""
    if isinstance(exc, TransportError) and classify(exc) != ErrorClass.AUTH:
        return (f"The REST API {config.rest_url} did not answer: check rest_url (connection host, or "
                "INTACCT_REST_URL; https://api.intacct.com/ia/api/v1 for Intacct) and that this machine can "
                "reach it, then run the check again.")
    pattern = match(exc.errors)
    cause = pattern.name if pattern else ""
    if cause == "rest_token_request_refused":
        return (f"Intacct refused the token request's form: the username must be '{config.user_id}@"
                f"{config.company_id}' (with '|<entity>' for an entity), client_id must be set. Check user_id, "
                "company_id and client_id of the connection.")
    return (f"Intacct refused OAuth client '{config.client_id}' for user '{config.user_id}' of company "
            f"'{config.company_id}': check client_id and client_secret (the app's keys in the Sage developer "
            "console; connection extras client_id / client_secret, or INTACCT_CLIENT_ID / INTACCT_CLIENT_SECRET), "
            f"that the user is an active Web Services user ({WEB_SERVICES_USERS_MENU}), and that the company has "
            f"authorized the app's sender id '{config.sender_id}' ({SENDER_AUTHORIZATION_MENU}, add it, Save).")


def sign_in_fix(exc: IntacctError, config: IntacctConfig) -> str:
    """What a person does when getAPISession is refused, by the cause Intacct named."""
    if config.transport == "rest":
        return rest_sign_in_fix(exc, config)
    if isinstance(exc, TransportError) and classify(exc) != ErrorClass.AUTH:
        return (f"The gateway {config.gateway_url} did not answer with Intacct XML: check gateway_url (connection "
                "host, or INTACCT_GATEWAY_URL) and that this machine can reach it, then run the check again.")
    pattern = match(exc.errors)
    cause = pattern.name if pattern else ""
    if cause == "sender_credentials":
        return ("The sender id or sender password is wrong: set sender_id / sender_password (connection extras, or "
                "INTACCT_SENDER_ID / INTACCT_SENDER_PASSWORD) to the Web Services sender credentials Sage issued "
                "with the Web Services subscription.")
    if cause == "sender_not_authorized":
        return (f"Authorize sender id '{config.sender_id}' in company '{config.company_id}': sign in to Intacct "
                f"as an administrator, {SENDER_AUTHORIZATION_MENU}, add '{config.sender_id}', Save.")
    if cause in ("sign_in_incorrect", "sign_in_code"):
        return (f"Intacct refused user '{config.user_id}' for company '{config.company_id}': check the company id, "
                f"the user id and the user password (connection login/password, or INTACCT_USER_ID / "
                f"INTACCT_USER_PASSWORD). The user must be an active Web Services user ({WEB_SERVICES_USERS_MENU})"
                f" with access to the top level, or to the entity in entity_id.")
    return ERROR_CLASSES[classify(exc)].person_does


def read_fix(object_name: str, exc: IntacctError, permissions: str = "read permission (List, View)") -> str:
    error_class = classify(exc)
    if error_class == ErrorClass.PERMISSION:
        return (f"Give the Web Services user's role {permissions} on {object_name}: "
                f"{ROLE_PERMISSIONS_MENU} of the module that owns {object_name}; if the module is not "
                "subscribed, subscribe to it (Company > Admin > Subscriptions).")
    if error_class == ErrorClass.VALIDATION:
        return (f"Intacct does not know {object_name} or one of the fields the product reads: subscribe to the "
                f"module that owns {object_name} (Company > Admin > Subscriptions) or, for a field, check the "
                "message above.")
    return ERROR_CLASSES[error_class].person_does


def _failed(group: str, name: str, checked: str, exc: IntacctError, fix: str, detail: str = "") -> Check:
    return Check(group, name, FAILED, checked, detail=detail or exc.message, fix=fix,
                 error_class=classify(exc).value, intacct_message=intacct_message(exc))


# ---------------------------------------------------------------------------- checks


def check_sign_in(client: IntacctClient) -> Check:
    config = client.config
    where = f" in entity '{config.entity_id}'" if config.entity_id else ""
    if config.transport == "rest":
        checked = (f"OAuth 2.0 token (client credentials) of client '{config.client_id}' for user "
                   f"'{config.user_id}' of company '{config.company_id}'{where} (client credentials, user, the "
                   f"app's sender '{config.sender_id}' authorized for the company)")
    else:
        checked = (f"getAPISession for user '{config.user_id}' of company '{config.company_id}'{where} with sender "
                   f"'{config.sender_id}' (sender credentials, user credentials, sender authorized for the company)")
    try:
        level = client.sign_in()
    except IntacctError as exc:
        return _failed("sign-in", "sign-in", checked, exc, sign_in_fix(exc, config))
    return Check("sign-in", "sign-in", OK, checked, detail=f"signed in at {level}")


def _bridged(client: IntacctClient, call: str) -> str:
    """How a call REST does not offer is made: the XML function, with the REST token's session."""
    if client.config.transport == "rest":
        return f"{call} through the XML session of the REST token (GET /services/core/session/id; REST has none)"
    return call


def check_financial_setup(client: IntacctClient, company_timezone: str | None = None) -> tuple[Check, dict]:
    """``company_timezone``: the product's INTACCT_COMPANY_TIMEZONE, compared with the company's."""
    checked = _bridged(client, "getFinancialSetup") + ": base currency, multi-entity setting and timezone"
    try:
        setup = client.get_financial_setup()
    except IntacctError as exc:
        return _failed("company", "financial setup", checked, exc, read_fix("getFinancialSetup", exc)), {}
    currency = str(setup.get("baseCurrency") or "").strip()
    multi_entity = is_true(setup.get("multiEntityShared"))
    facts = [f"base currency {currency or '(none)'}", f"multi-entity {'yes' if multi_entity else 'no'}"]
    if setup.get("timezone"):
        facts.append(f"timezone {setup['timezone']}")
    if not currency:
        return Check("company", "financial setup", WARNING, checked, detail=", ".join(facts),
                     fix="Set the company's base currency (Company > Setup > Company > Accounting)."), setup
    timezone = str(setup.get("timezone") or "").strip()
    if company_timezone and timezone and timezone != company_timezone:
        # Master data reads WHENMODIFIED in the company's timezone: a wrong zone shifts every watermark.
        return Check("company", "financial setup", WARNING, checked,
                     detail=", ".join(facts) + f"; the product is set to {company_timezone}",
                     fix=f"Set INTACCT_COMPANY_TIMEZONE={timezone} for the Airflow workers, so master data reads "
                         "Intacct's timestamps in the company's timezone."), setup
    return Check("company", "financial setup", OK, checked, detail=", ".join(facts)), setup


def check_closed_books(client: IntacctClient) -> Check:
    checked = _bridged(client, "get_closedbooksdate") + f" (master-data stream {CLOSED_BOOKS_STREAM})"
    try:
        closed_through = client.get_closed_books_date()
    except IntacctError as exc:
        return _failed("company", "closed-books date", checked, exc, read_fix("the closed-books date", exc))
    detail = (f"books closed through {closed_through.isoformat()}: documents dated on or before it follow the "
              "closed-period policy" if closed_through else "no period is closed")
    return Check("company", "closed-books date", OK, checked, detail=detail)


def check_stream_read(client: IntacctClient, stream: Stream) -> Check:
    """One query of the stream's declared fields, page size 1: the read master data does."""
    name = f"read {stream.name}"
    checked = f"query {stream.object_name} ({', '.join(stream.select)}), page size 1"
    try:
        page = client.query(stream.object_name, list(stream.select), page_size=1)
    except IntacctError as exc:
        return _failed("read", name, checked, exc, read_fix(stream.object_name, exc))
    count = page.total_count if page.total_count is not None else len(page.records)
    return Check("read", name, OK, checked, detail=f"readable ({count} record(s))")


def check_dimensions(client: IntacctClient) -> list[Check]:
    """getDimensions, then one read of each user-defined dimension's values."""
    listing = ("GET /services/company-config/dimensions/list" if client.config.transport == "rest"
               else "getDimensions")
    checked = f"{listing} (master-data stream {DIMENSIONS_STREAM})"
    try:
        dimensions = client.get_dimensions()
    except IntacctError as exc:
        return [_failed("dimensions", "list dimensions", checked, exc, read_fix("getDimensions", exc))]
    udds = [d for d in dimensions if is_true(d.get("userDefinedDimension"))]
    names = [str(d.get("objectName") or "").strip() for d in dimensions]
    checks = [Check("dimensions", "list dimensions", OK, checked,
                    detail=f"{len(dimensions)} dimension(s): {', '.join(names) or 'none'}; "
                           f"{len(udds)} user-defined")]
    for record in udds:
        stream = udd_stream(str(record.get("objectName") or "").strip(), str(record.get("objectLabel") or ""))
        checks.append(check_udd_read(client, stream))
    return checks


def check_udd_read(client: IntacctClient, stream: Stream) -> Check:
    name = f"read dimension {stream.object_name}"
    checked = f"query user-defined dimension {stream.object_name} ({', '.join(stream.select)}), page size 1"
    try:
        page = client.query(stream.object_name, list(stream.select), page_size=1)
    except IntacctError as exc:
        error_class = classify(exc)
        if error_class in (ErrorClass.PERMISSION, ErrorClass.DIMENSION_UNAVAILABLE):
            # The INT402 text's first sentence is the finding, its numbered steps the fix.
            finding, _, _ = int402_message(stream.object_name).partition(". ")
            return _failed("dimensions", name, checked, exc, int402_steps(stream.object_name, client.config.user_id),
                           detail=f"{finding}: documents that use it are held until it reads again")
        return _failed("dimensions", name, checked, exc, read_fix(stream.object_name, exc))
    count = page.total_count if page.total_count is not None else len(page.records)
    return Check("dimensions", name, OK, checked, detail=f"readable ({count} value(s))")


def list_entities(client: IntacctClient) -> list[dict]:
    """Every entity of the company (empty for a single-entity company), read at the top level."""
    select = ["LOCATIONID", "NAME", "CURRENCY", "STATUS"]
    return [record for page in client.query_keyset(ENTITY_OBJECT.object_name, select, page_size=1000)
            for record in page]


def check_entities(top_level: IntacctClient, entity_id: str | None, multi_entity: bool | None = None) -> Check:
    """The company's entities, and whether the connection's entity_id is one of them."""
    wanted = (entity_id or "").strip() or None
    checked = "query LOCATIONENTITY at the top level" + (f"; entity_id '{wanted}' is one of them" if wanted else "")
    try:
        entities = list_entities(top_level)
    except IntacctError as exc:
        return _failed("entities", "entities", checked, exc, read_fix(ENTITY_OBJECT.object_name, exc))
    listing = ", ".join(_entity_text(e) for e in entities)
    if not entities:
        if wanted:
            return Check("entities", "entities", FAILED, checked,
                         detail=f"company '{top_level.config.company_id}' has no entities, but entity_id is "
                                f"'{wanted}'",
                         fix="Leave entity_id empty (connection extra entity_id, or INTACCT_ENTITY_ID): this "
                             "company posts at its top level.")
        detail = "single-entity company (no entities)"
        if multi_entity:
            return Check("entities", "entities", WARNING, checked, detail=detail + ", yet the financial setup "
                         "says multi-entity", fix=f"Give the Web Services user's role read permission on "
                         f"LOCATIONENTITY ({ROLE_PERMISSIONS_MENU}) and top-level access.")
        return Check("entities", "entities", OK, checked, detail=detail)
    ids = {str(e.get("LOCATIONID") or "").strip(): e for e in entities}
    if wanted and wanted not in ids:
        return Check("entities", "entities", FAILED, checked,
                     detail=f"entity_id '{wanted}' is not an entity of company '{top_level.config.company_id}'; "
                            f"its entities: {listing}",
                     fix=f"Set entity_id (connection extra entity_id, or INTACCT_ENTITY_ID) to one of "
                         f"{', '.join(sorted(ids))}, or leave it empty to post at the top level.")
    if wanted and str(ids[wanted].get("STATUS") or "active").lower() != "active":
        return Check("entities", "entities", WARNING, checked,
                     detail=f"entity_id '{wanted}' is inactive; entities: {listing}",
                     fix=f"Activate entity '{wanted}' in Intacct or choose an active entity.")
    where = f"; posting in entity '{wanted}'" if wanted else "; posting at the top level"
    return Check("entities", "entities", OK, checked, detail=f"{len(entities)} entit(ies): {listing}{where}")


def check_write_object(client: IntacctClient, object_name: str) -> Check:
    how = "the REST model of" if client.config.transport == "rest" else "lookup"
    checked = f"{how} {object_name} (the object is visible; nothing is created)"
    try:
        client.lookup(object_name)
    except IntacctError as exc:
        return _failed("write", f"write {object_name}", checked, exc,
                       read_fix(object_name, exc, "List, View, Add and Edit permission"))
    return Check("write", f"write {object_name}", OK, checked,
                 detail="visible; write permission is verified by the first posting")


# ---------------------------------------------------------------------------- the whole check


def run_preflight(config: IntacctConfig, *, company_timezone: str | None = None,
                  client_factory: Callable[..., IntacctClient] = IntacctClient) -> PreflightReport:
    """Every check, in order; stops after a failed sign-in (every other call would fail the same way).
    ``company_timezone`` is the product's setting (INTACCT_COMPANY_TIMEZONE), checked when given."""
    report = PreflightReport(gateway_url=config.endpoint, company_id=config.company_id,
                             sender_id=config.sender_id, user_id=config.user_id, entity_id=config.entity_id,
                             transport=config.transport)
    client = client_factory(config)
    top_level: IntacctClient | None = None
    try:
        sign_in = check_sign_in(client)
        if not sign_in.ok and config.entity_id:
            # Is it the credentials, or only the entity? One more sign-in at the top level tells.
            top_level = client_factory(replace(config, entity_id=None), metrics=client.metrics)
            top_sign_in = check_sign_in(top_level)
            if top_sign_in.ok:
                report.checks.append(replace(top_sign_in, detail=top_sign_in.detail + f"; the sign-in in entity "
                                             f"'{config.entity_id}' was refused: {sign_in.intacct_message}"))
                report.checks.append(check_entities(top_level, config.entity_id))
                report.stopped_early = (f"entity '{config.entity_id}' cannot be signed in to: fix entity_id, "
                                        "then run the check again")
                return report
        report.checks.append(sign_in)
        if not sign_in.ok:
            report.stopped_early = "sign-in failed: fix it, then run the check again"
            return report
        financial, setup = check_financial_setup(client, company_timezone)
        report.checks.append(financial)
        report.checks.append(check_closed_books(client))
        if config.entity_id:
            top_level = client_factory(replace(config, entity_id=None), metrics=client.metrics)
        entities = check_entities(top_level or client, config.entity_id,
                                  is_true(setup.get("multiEntityShared")) if setup else None)
        if top_level is not None and entities.error_class == ErrorClass.AUTH.value:
            # The user may sign in to its entity only: the entity list needs the top level.
            entities = replace(entities, status=WARNING, fix=(
                f"Nothing, if user '{config.user_id}' is meant to work in entity '{config.entity_id}' only "
                "(its sign-in there works); otherwise give it top-level access (User entities tab of the Web "
                "Services user)."))
        report.checks.append(entities)
        report.checks.extend(check_stream_read(client, stream) for stream in STREAMS.values())
        report.checks.extend(check_dimensions(client))
        report.checks.extend(check_write_object(client, name) for name in WRITTEN_OBJECTS)
        return report
    finally:
        snapshot = client.metrics.snapshot()
        report.api_cost = {"api_transactions": snapshot["api_transactions"],
                           "http_requests": snapshot["http_requests"], "logins": snapshot["logins"]}
        if top_level is not None:
            top_level.close()
        client.close()


# ---------------------------------------------------------------------------- output

_MARKS = {OK: "ok", FAILED: "FAILED", WARNING: "warning"}


def render_text(report: PreflightReport) -> str:
    entity = f", entity {report.entity_id}" if report.entity_id else ""
    api = " (REST API)" if report.transport == "rest" else ""
    lines = [f"Intacct company {report.company_id}{entity} at {report.gateway_url}{api}",
             f"sender {report.sender_id}, user {report.user_id}", ""]
    for check in report.checks:
        lines.append(f"[{_MARKS[check.status]:>7}] {check.name}: {check.detail}")
        if check.status != OK:
            lines.append(f"          checked: {check.checked}")
            if check.intacct_message:
                lines.append(f"          Intacct: {check.intacct_message}")
            if check.fix:
                lines.append(f"          fix: {check.fix}")
    lines.append("")
    if report.stopped_early:
        lines.append(f"Stopped early: {report.stopped_early}.")
    if any(c.group == "write" for c in report.checks):
        lines.append(WRITE_NOTE)
    cost = report.api_cost
    lines.append(f"API cost of this check: {cost.get('api_transactions', 0)} API transaction(s), "
                 f"{cost.get('http_requests', 0)} HTTP request(s), {cost.get('logins', 0)} sign-in(s).")
    failed, warnings = report.failed, report.warnings
    if report.ready:
        verdict = "READY: the company has everything the product needs"
        if warnings:
            verdict += f" ({len(warnings)} warning(s): {', '.join(c.name for c in warnings)})"
    else:
        verdict = f"NOT READY: {len(failed)} check(s) failed: {', '.join(c.name for c in failed)}"
    lines.append(verdict + ".")
    return "\n".join(lines) + "\n"


def _entity_text(entity: dict) -> str:
    name, currency = (str(entity.get(k) or "").strip() for k in ("NAME", "CURRENCY"))
    extras = ", ".join(x for x in (name, currency) if x)
    inactive = "" if str(entity.get("STATUS") or "active").lower() == "active" else ", inactive"
    return f"{entity.get('LOCATIONID')} ({extras}{inactive})" if extras or inactive else str(entity.get("LOCATIONID"))

