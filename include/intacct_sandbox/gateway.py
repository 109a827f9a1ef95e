"""The XML gateway: parses a request, checks the control block, authenticates each
operation, runs its functions and writes the response, the way xmlgw.phtml does."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from include import demo_company as demo
from include.intacct_sandbox import envelope_schema, legacy_lists, messages, metadata, reads, writes
from include.intacct_sandbox.context import Failure, FunctionContext, Outcome
from include.intacct_sandbox.xmlout import element, errors_xml

LOGIN_PATH = "/ia/xml/xmlgw.phtml"
# Where sessions live when the sandbox is started with a distinct session endpoint
# (`serve --session-endpoint-path`): some tenants are given an endpoint other than the login URL.
SESSION_PATH = "/ia/xml/session/xmlgw.phtml"

READ_FUNCTIONS = {
    "readByQuery": reads.read_by_query, "readMore": reads.read_more, "query": reads.query, "read": reads.read,
    "readByName": reads.read_by_name, "lookup": metadata.lookup, "inspect": metadata.inspect,
    "getDimensions": metadata.get_dimensions, "get_closedbooksdate": metadata.get_closed_books_date,
    "getFinancialSetup": metadata.get_financial_setup, "get_list": legacy_lists.get_list,
}
WRITE_FUNCTIONS = {
    "create": writes.create, "update": writes.update, "delete": writes.delete,
    "create_invoice": writes.create_invoice, "create_bill": writes.create_bill,
    "create_arterm": writes.create_arterm, "create_apterm": writes.create_apterm,
}
SESSION_FUNCTION = "getAPISession"
GATEWAY_FUNCTIONS = (SESSION_FUNCTION, *READ_FUNCTIONS, *WRITE_FUNCTIONS)
MAX_SESSIONS_BEFORE_PURGE = 1000
_CONTROL_ECHO = ("senderid", "controlid", "uniqueid", "dtdversion")


@dataclass
class Session:
    company: str
    user_id: str
    entity_id: str
    expires: datetime
    sender_id: str


@dataclass
class Prepared:
    """A parsed request, before it runs: enough to apply concurrency limits and latency."""

    root: Any = None
    # A request that is not well formed or breaks the envelope's schema: Intacct's description2 text,
    # and what its control block says (echoed in the failure).
    parse_error: str = ""
    echo: dict[str, str] = field(default_factory=dict)
    company: str = ""
    function_count: int = 0
    # The element name of each function's API call ("" when it holds none or several), in
    # request order: what fault targeting matches on.
    function_names: tuple[str, ...] = ()


@dataclass
class Senders:
    passwords: dict[str, str] = field(default_factory=dict)
    companies: dict[str, set[str]] = field(default_factory=dict)


def _text(el, path: str) -> str:
    return (el.findtext(path) or "").strip() if el is not None else ""


def _call_name(function) -> str:
    """The API call a <function> holds: its single child element's tag."""
    children = [c for c in function if isinstance(c.tag, str)]
    return children[0].tag if len(children) == 1 else ""


def _echo_of(root) -> dict[str, str]:
    """The control values a response echoes; uniqueid and dtdversion as they take effect when absent
    (uniqueid defaults to true, the documented default, so a completed controlid is refused on repeat)."""
    control = root.find("control") if root is not None and root.tag == "request" else None
    return _normalized({name: _text(control, name) for name in _CONTROL_ECHO})


def _normalized(echo: dict[str, str]) -> dict[str, str]:
    echo = {name: echo.get(name, "") for name in _CONTROL_ECHO}
    echo["uniqueid"] = "false" if echo["uniqueid"].lower() == "false" else "true"
    echo["dtdversion"] = echo["dtdversion"] or "3.0"
    return echo


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class Gateway:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    # --- phase 1: parse -------------------------------------------------------------------------
    def prepare(self, body: bytes) -> Prepared:
        try:
            root = envelope_schema.parse(body)
        except etree.XMLSyntaxError as exc:
            echo = envelope_schema.control_echo(body)
            return Prepared(parse_error=envelope_schema.parse_error_text(exc), echo=_normalized(echo) if echo else {})
        except ValueError as exc:  # e.g. a str with an encoding declaration; not reachable over HTTP bytes
            return Prepared(parse_error=f"Fatal Error 1: {exc}. Line: 1, column: 0.")
        schema_error = envelope_schema.schema_error_text(root)
        if schema_error is not None:
            return Prepared(parse_error=schema_error, echo=_echo_of(root))
        company = ""
        first_auth = root.find("operation/authentication")
        if first_auth is not None:
            company = _text(first_auth, "login/companyid").split("|")[0]
            if not company:
                session = self.sandbox.sessions.get(_text(first_auth, "sessionid"))
                company = session.company if session else ""
        functions = root.findall("operation/content/function")
        return Prepared(root=root, company=company, function_count=len(functions),
                        function_names=tuple(_call_name(f) for f in functions))

    # --- phase 2: run ---------------------------------------------------------------------------
    def run(self, prepared: Prepared, path: str, base_url: str) -> str:
        if prepared.parse_error:
            return self._control_failure(prepared.echo, messages.xml_parse_error(prepared.parse_error))
        root = prepared.root
        control = root.find("control")
        echo = _echo_of(root)
        if not self._sender_ok(echo["senderid"], _text(control, "password")):
            return self._control_failure(echo, messages.sender_credentials_incorrect())
        operations = root.findall("operation")
        unique = echo["uniqueid"] == "true"
        store = self.sandbox.store
        parts = [f"<response><control><status>success</status>{self._echo(echo)}</control>"]
        try:
            for operation in operations:
                parts.append(self._operation(operation, echo["senderid"], unique, path, base_url))
            store.commit()
        except BaseException:
            store.rollback_to(0)
            raise
        parts.append("</response>")
        return "".join(parts)

    def _echo(self, echo: dict[str, str]) -> str:
        return "".join(element(name, echo.get(name, "")) for name in ("senderid", "controlid", "uniqueid",
                                                                    "dtdversion"))

    def _session_path(self) -> str:
        """The path a session id is accepted on: the login URL's, unless a distinct one was configured."""
        return self.sandbox.options.session_endpoint_path or LOGIN_PATH

    def _control_failure(self, echo: dict[str, str], error: messages.GatewayError) -> str:
        return (f"<response><control><status>failure</status>{self._echo(echo)}</control>"
                f"{errors_xml([error])}</response>")

    def _sender_ok(self, sender_id: str, password: str) -> bool:
        expected = self.sandbox.senders.passwords.get(sender_id)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    # --- authentication -------------------------------------------------------------------------
    def _authenticate(self, auth, sender_id: str, path: str, now: datetime):
        """(session-like identity, error)."""
        sandbox = self.sandbox
        if auth is None:
            return None, messages.xml_parse_error("Element 'authentication' is missing."), ("", "")
        session_id = _text(auth, "sessionid")
        login = auth.find("login")
        if session_id:
            session = sandbox.sessions.get(session_id)
            if session is None or session.expires <= now or path != self._session_path():
                if session is not None and session.expires <= now:
                    sandbox.sessions.pop(session_id, None)
                return None, messages.invalid_session(), (session.user_id if session else "",
                                                          session.company if session else "")
            if session.company not in sandbox.senders.companies.get(sender_id, set()):
                return None, messages.sender_not_authorized(sender_id, session.company), (session.user_id,
                                                                                        session.company)
            session.expires = now + timedelta(seconds=sandbox.options.session_timeout_seconds)
            return session, None, (session.user_id, session.company)
        if login is None:  # an <oauth> block: the schema allows it, the sandbox signs in only with the others
            return None, messages.sign_in_incorrect(), ("", "")
        user_id, company_field = _text(login, "userid"), _text(login, "companyid")
        company, _, console_entity = company_field.partition("|")
        entity_id = _text(login, "locationid") or console_entity.partition("|")[2]
        shown = (user_id, company_field)
        if company not in sandbox.companies:
            return None, messages.sign_in_incorrect(), shown
        if company not in sandbox.senders.companies.get(sender_id, set()):
            return None, messages.sender_not_authorized(sender_id, company), shown
        password_ok = hmac.compare_digest(sandbox.options.user_password.encode(), _text(login, "password").encode())
        if user_id != demo.SANDBOX_USER_ID or not password_ok:
            return None, messages.sign_in_incorrect(), shown
        if entity_id and sandbox.store.find_by_key(company, "LOCATIONENTITY", entity_id) is None:
            return None, messages.invalid_entity(entity_id), shown
        identity = Session(company, user_id, entity_id,
                           now + timedelta(seconds=sandbox.options.session_timeout_seconds), sender_id)
        return identity, None, shown

    def _operation(self, operation, sender_id: str, unique: bool, path: str, base_url: str) -> str:
        sandbox = self.sandbox
        store = sandbox.store
        now = sandbox.now()
        identity, error, (shown_user, shown_company) = self._authenticate(
            operation.find("authentication"), sender_id, path, now)
        if error is not None:
            return (f"<operation><authentication><status>failure</status>{element('userid', shown_user)}"
                    f"{element('companyid', shown_company)}</authentication>{errors_xml([error])}</operation>")
        company = identity.company
        auth_xml = (f"<authentication><status>success</status>{element('userid', identity.user_id)}"
                    f"{element('companyid', company)}{element('locationid', identity.entity_id)}"
                    f"{element('sessiontimestamp', _iso(now))}{element('sessiontimeout', _iso(identity.expires))}"
                    "</authentication>")
        entity = store.find_by_key(company, "LOCATIONENTITY", identity.entity_id) if identity.entity_id else None
        # A sign-in with login credentials is a session of its own request.
        session_key = _text(operation, "authentication/sessionid") or f"request:{secrets.token_hex(8)}"
        ctx = FunctionContext(store, company, entity, now.replace(tzinfo=None), base_url, sandbox, identity.user_id,
                              session_key=session_key)
        transaction = (operation.get("transaction") or "false").lower() == "true"
        functions = operation.findall("content/function")
        operation_savepoint = store.savepoint()
        results: list[dict[str, Any]] = []
        transactions_used = 0
        failed_at = None
        for index, function in enumerate(functions):
            if failed_at is not None:
                results.append(self._aborted(function))
                continue
            result = self._function(ctx, function, identity, unique, base_url)
            results.append(result)
            if result["status"] == "failure" and transaction:
                failed_at = index
            else:
                transactions_used += result.pop("transactions", 0)
        if failed_at is not None:
            store.rollback_to(operation_savepoint)
            transactions_used = 0
            for index, result in enumerate(results):
                if index == failed_at:
                    result["errors"].append(messages.ROLLED_BACK)
                elif index < failed_at:
                    result.update(status="aborted", data="", errors=[messages.ROLLED_BACK])
        counters = dict(store.setting(company, "counters", {"api_transactions": 0, "requests": 0}))
        if transactions_used:
            counters["api_transactions"] = counters.get("api_transactions", 0) + transactions_used
            store.set_setting(company, "counters", counters)
        body = "".join(self._result_xml(r) for r in results)
        return f"<operation>{auth_xml}{body}</operation>"

    def _aborted(self, function) -> dict[str, Any]:
        children = [c for c in function if isinstance(c.tag, str)]
        return {"status": "aborted", "function": children[0].tag if children else "",
                "controlid": function.get("controlid", ""), "data": "", "errors": [messages.ROLLED_BACK]}

    def _function(self, ctx: FunctionContext, function, identity: Session, unique: bool,
                  base_url: str) -> dict[str, Any]:
        store = ctx.store
        control_id = function.get("controlid", "")
        children = [c for c in function if isinstance(c.tag, str)]
        name = _call_name(function)
        result: dict[str, Any] = {"status": "success", "function": name, "controlid": control_id, "data": "",
                                  "errors": [], "transactions": 0}
        el = children[0]  # the envelope's schema guarantees exactly one API call
        if name == SESSION_FUNCTION:
            try:
                result["data"] = self._new_session(ctx, el, identity, base_url)
            except Failure as failure:
                result.update(status="failure", errors=list(failure.errors))
            return result
        handler = READ_FUNCTIONS.get(name)
        is_write = handler is None
        if is_write:
            handler = WRITE_FUNCTIONS.get(name)
        if handler is None:  # in Intacct's schema, but not one the sandbox serves
            result.update(status="failure", errors=[messages.function_not_served(name)])
            return result
        if is_write and unique and store.has_control_id(ctx.company, control_id):
            result.update(status="failure", errors=[messages.duplicate_control_id(control_id)])
            if name in ("create", "update"):
                result["data"] = writes.EMPTY_OBJECTS
            return result
        savepoint = store.savepoint()
        try:
            outcome: Outcome = handler(ctx, el)
        except Failure as failure:
            store.rollback_to(savepoint)
            result.update(status="failure", errors=list(failure.errors), data=failure.data_xml)
            return result
        if is_write and unique:
            store.add_control_id(ctx.company, control_id)
        result.update(data=outcome.data_xml, transactions=outcome.transactions)
        return result

    def _new_session(self, ctx: FunctionContext, el, identity: Session, base_url: str) -> str:
        sandbox = self.sandbox
        entity_id = identity.entity_id
        requested = el.find("locationid")
        if requested is not None:
            entity_id = (requested.text or "").strip()
            if entity_id and ctx.store.find_by_key(ctx.company, "LOCATIONENTITY", entity_id) is None:
                raise Failure([messages.invalid_entity(entity_id)])
        session_id = secrets.token_urlsafe(24) + ".."
        if len(sandbox.sessions) >= MAX_SESSIONS_BEFORE_PURGE:  # forgotten sessions do not pile up
            now = sandbox.now()
            for stale in [sid for sid, s in sandbox.sessions.items() if s.expires <= now]:
                del sandbox.sessions[stale]
        sandbox.sessions[session_id] = Session(ctx.company, identity.user_id, entity_id, identity.expires,
                                               identity.sender_id)
        endpoint = base_url.rstrip("/") + self._session_path()
        return (f"<data><api>{element('sessionid', session_id)}{element('endpoint', endpoint)}"
                f"{element('locationid', entity_id)}</api></data>")

    @staticmethod
    def _result_xml(result: dict[str, Any]) -> str:
        data = result.get("data") or ""
        errors = errors_xml(result["errors"]) if result["errors"] else ""
        return (f"<result>{element('status', result['status'])}{element('function', result['function'])}"
                f"{element('controlid', result['controlid'])}{data}{errors}</result>")
