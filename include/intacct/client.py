"""IntacctClient: the facade every task uses to read from and write to Intacct.

The pipeline speaks one language to it, whichever API the connection uses: XML object and field
names (``APBILL``, ``VENDORID``, ``WHENMODIFIED``), ``Filter`` conditions, write functions with a
deterministic controlid, and typed outcomes back (``QueryPage``, ``WriteOutcome``). The connection's
``transport`` picks what sends them: ``IntacctClient(config)`` is an ``XmlClient`` (the XML gateway,
``include.intacct.xml_client``) or a ``RestClient`` (the REST API, ``include.intacct.rest.client``),
as ``pathlib.Path`` is a ``PosixPath`` or a ``WindowsPath``. This module holds what both share:
entities, paging by keyset, and the scheduling of writes over the tenant's request slots.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import Any

from include.intacct import functions as fn
from include.intacct.config import ConfigError, IntacctConfig
from include.intacct.errors import ResponseFormatError
from include.intacct.masking import mask_secret
from include.intacct.metrics import Metrics
from include.intacct.query_filter import Filter
from include.intacct.responses import QueryPage, WriteOutcome
from include.intacct.retry import RetryPolicy

log = logging.getLogger("include.intacct")

# transport -> its client class. Each transport's client registers itself when defined
# (``class XmlClient(IntacctClient, transport="xml")``); the package include.intacct imports both,
# so this module never names the modules that build on it.
TRANSPORT_CLIENTS: dict[str, type[IntacctClient]] = {}


def client_class(transport: str) -> type[IntacctClient]:
    try:
        return TRANSPORT_CLIENTS[transport]
    except KeyError:
        raise ConfigError(f"transport {transport!r}: no client is registered for it (known: "
                          f"{', '.join(sorted(TRANSPORT_CLIENTS))})") from None


class IntacctClient:
    """Thread-safe client of one Intacct connection (or of the local sandbox).

    Reads are retried on transient failures. Writes always carry the caller's deterministic
    controlids, so a write whose outcome is unknown is resent safely: the XML gateway refuses a
    controlid it already ran (``uniqueid``), the REST API answers a repeated ``Idempotency-Key``
    from its cache. When neither can tell, the document is looked up by its number.

    In a multi-entity company, ``for_entity`` gives the client that works in one entity;
    ``execute_writes_by_entity`` sends each group of writes in its entity.
    """

    # Whether a controlid sent again in another request is recognised by Intacct (XML uniqueid: yes; REST's
    # Idempotency-Key belongs to one request's body, so a document regrouped into another request is not).
    recognises_resent_controlids = True

    def __init_subclass__(cls, transport: str | None = None, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if transport is not None:
            TRANSPORT_CLIENTS[transport] = cls

    def __new__(cls, config: IntacctConfig, *args: Any, **kwargs: Any):
        if cls is IntacctClient:
            if not isinstance(config, IntacctConfig):
                raise TypeError(f"IntacctClient needs an IntacctConfig, got {type(config).__name__}")
            cls = client_class(config.transport)
        return super().__new__(cls)

    def __init__(
        self,
        config: IntacctConfig,
        *,
        retry_policy: RetryPolicy | None = None,
        metrics: Metrics | None = None,
        sleep: Callable[[float], None] = time.sleep,
        _connection: IntacctClient | None = None,
    ):
        if not isinstance(config, IntacctConfig):
            raise TypeError(f"IntacctClient needs an IntacctConfig, got {type(config).__name__}")
        self.config = config
        for secret in (config.sender_password, config.user_password, config.client_secret):
            mask_secret(secret)
        self.metrics = metrics or Metrics()
        self.retry_policy = retry_policy or RetryPolicy(
            max_retries=config.max_retries, base_delay=config.backoff_base, max_delay=config.backoff_max
        )
        # An entity client shares its connection client's HTTP connections (and so the
        # process-wide concurrency limit of the company, see transport.process_semaphore).
        self._connection = _connection
        self._sleep = sleep
        self._thread_state = threading.local()
        self._entity_clients: dict[str, IntacctClient] = {}
        self._entity_lock = threading.Lock()
        self._open(_connection)

    def _open(self, connection: IntacctClient | None) -> None:
        """Set up the transport (or share ``connection``'s)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        entity = f", entity_id={self.config.entity_id!r}" if self.config.entity_id else ""
        return (f"{type(self).__name__}(transport={self.config.transport!r}, endpoint={self.config.endpoint!r}, "
                f"company_id={self.config.company_id!r}{entity})")

    def __enter__(self) -> IntacctClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            return  # the connection client owns the shared HTTP connections
        self.transport.close()
        with self._entity_lock:
            self._entity_clients.clear()

    # ------------------------------------------------------------------ entities

    def for_entity(self, entity_id: str | None) -> IntacctClient:
        """The client for the same company and credentials that works in ``entity_id`` (a
        LOCATIONENTITY id of a multi-entity company): what it creates belongs to that entity. None or
        blank: the connection's own (``config.entity_id``).

        Entity clients are created once per entity and share this client's HTTP connections,
        concurrency limit, retry policy and metrics."""
        connection = self._connection or self
        wanted = (entity_id or "").strip() or None
        if wanted is None or wanted == ((connection.config.entity_id or "").strip() or None):
            return connection
        with connection._entity_lock:
            client = connection._entity_clients.get(wanted)
            if client is None:
                client = type(connection)(replace(connection.config, entity_id=wanted),
                                          retry_policy=connection.retry_policy, metrics=connection.metrics,
                                          sleep=connection._sleep, _connection=connection)
                connection._entity_clients[wanted] = client
            return client

    # ------------------------------------------------------------------ signing in

    def sign_in(self) -> str:
        """Sign in (XML: an API session; REST: an access token) and say where the connection works:
        "entity E100" or "the top level". Raises the API's refusal."""
        raise NotImplementedError

    # ------------------------------------------------------------------ resends

    def _note_resent(self) -> None:
        self._thread_state.resent = True

    def _take_resent(self) -> bool:
        """Whether this thread resent a write after an unknown outcome since the last call."""
        resent = getattr(self._thread_state, "resent", False)
        self._thread_state.resent = False
        return resent

    # ------------------------------------------------------------------ reads

    def read_by_query(
        self, object_name: str, query: str = "", fields: str | Sequence[str] = "*", page_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every record matching a readByQuery string (``STATUS = 'T' AND NAME LIKE 'A%'``)."""
        raise NotImplementedError

    def query(self, object_name: str, select: Sequence[str], filter: Filter | None = None, order_by: Any = None,
              page_size: int = 2000, offset: int = 0, **options: bool) -> QueryPage:
        """One page of the records of ``object_name`` matching ``filter``: XML field names, XML values."""
        raise NotImplementedError

    def query_keyset(
        self, object_name: str, select: Sequence[str], filter: Filter | None = None, page_size: int = 2000
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages ordered by RECORDNO, each asking for RECORDNO > the last one seen: stable under
        concurrent inserts, unlike offset paging."""
        select = [select] if isinstance(select, str) else list(select)
        if "RECORDNO" not in select:
            select = ["RECORDNO", *select]
        fn.Query(object_name, select, filter, page_size=page_size)  # validate before the first page
        return self._keyset_pages(object_name, select, filter, page_size)

    def _keyset_pages(self, object_name, select, filter, page_size) -> Iterator[list[dict[str, Any]]]:
        last: int | None = None
        while True:
            page_filter = filter
            if last is not None:
                after = Filter.greaterthan("RECORDNO", last)
                page_filter = after if filter is None else filter & after
            page = self.query(object_name, select, page_filter, order_by=[("RECORDNO", "ascending")], page_size=page_size)
            if not page.records:
                return
            yield page.records
            if page.num_remaining == 0 or (page.num_remaining is None and len(page.records) < page_size):
                return
            try:
                last = int(page.records[-1]["RECORDNO"])
            except (KeyError, ValueError):
                raise ResponseFormatError(f"query on {object_name} returned a record without a numeric RECORDNO") from None

    def read(self, object_name: str, record_nos: Iterable[Any], fields: str | Sequence[str] = "*") -> list[dict]:
        return self._read_keys(fn.Read, object_name, record_nos, fields)

    def read_by_name(self, object_name: str, names: Iterable[Any], fields: str | Sequence[str] = "*") -> list[dict]:
        return self._read_keys(fn.ReadByName, object_name, names, fields)

    def _read_keys(self, cls: type[fn.Read], object_name: str, keys: Iterable[Any], fields) -> list[dict]:
        raise NotImplementedError

    def lookup(self, object_name: str) -> dict:
        """The object's description (fields, relationships); raises when the user cannot see it."""
        raise NotImplementedError

    def inspect(self, object_name: str = "*", detail: bool = False) -> dict:
        raise NotImplementedError

    def get_dimensions(self) -> list[dict]:
        """Every dimension, XML-shaped: objectName, objectLabel, termLabel, userDefinedDimension, enabledInGL."""
        raise NotImplementedError

    def get_financial_setup(self) -> dict:
        raise NotImplementedError

    def get_closed_books_date(self) -> date | None:
        """The date through which the books are closed, or None when no period is closed."""
        raise NotImplementedError

    # ------------------------------------------------------------------ writes

    def execute_writes(self, functions: Iterable[fn.WriteFunction], transaction: bool = False) -> list[WriteOutcome]:
        """Send write functions in requests of ``functions_per_request``, up to
        ``requests_per_worker`` requests in parallel, and return one outcome per controlid in the
        order given. With ``transaction=True`` each request is all-or-nothing."""
        return self._execute_grouped([(self, _write_functions(functions, "execute_writes"))], transaction)

    def execute_writes_by_entity(self, groups: Mapping[str | None, Iterable[fn.WriteFunction]],
                                 transaction: bool = False) -> list[WriteOutcome]:
        """``execute_writes`` for writes grouped by the entity each must be created in (None:
        the connection's own). Every request carries one entity's writes; the requests of all
        groups share the ``requests_per_worker`` slots, so several small groups post as fast as one
        large one. Outcomes come back in the order given (group by group)."""
        pairs = [(self.for_entity(entity_id), _write_functions(functions, "execute_writes_by_entity"))
                 for entity_id, functions in groups.items()]
        return self._execute_grouped(pairs, transaction)

    def _execute_grouped(self, pairs: list[tuple[IntacctClient, list[fn.WriteFunction]]],
                         transaction: bool) -> list[WriteOutcome]:
        seen: set[str] = set()
        for _, functions in pairs:
            for function in functions:
                if function.controlid in seen:
                    raise ValueError(f"execute_writes: controlid {function.controlid!r} appears twice in one call")
                seen.add(function.controlid)
        size = self.config.functions_per_request
        chunks = [(client, functions[i : i + size]) for client, functions in pairs
                  for i in range(0, len(functions), size)]
        if not chunks:
            return []
        window = self.config.requests_per_worker
        if len(chunks) == 1 or window == 1:
            batches = [client._write_batch(chunk, transaction) for client, chunk in chunks]
        else:
            with ThreadPoolExecutor(max_workers=min(window, len(chunks))) as pool:
                batches = list(pool.map(lambda pair: pair[0]._write_batch(pair[1], transaction), chunks))
        return [outcome for batch in batches for outcome in batch]

    def send_writes(self, functions: Sequence[fn.WriteFunction], entity_id: str | None = None,
                    transaction: bool = False) -> list[WriteOutcome]:
        """One request of at most ``functions_per_request`` write functions, in ``entity_id`` (None: the
        connection's); one outcome per controlid, in order. For callers that schedule requests
        themselves (the load's request window)."""
        functions = _write_functions(functions, "send_writes")
        if len(functions) > self.config.functions_per_request:
            raise ValueError(f"send_writes: {len(functions)} functions, more than functions_per_request "
                             f"({self.config.functions_per_request}) in one request")
        if len({f.controlid for f in functions}) != len(functions):
            raise ValueError("send_writes: a controlid appears twice in one request")
        return self.for_entity(entity_id)._write_batch(functions, transaction) if functions else []

    def _write_batch(self, chunk: list[fn.WriteFunction], transaction: bool) -> list[WriteOutcome]:
        raise NotImplementedError


def _write_functions(functions: Iterable[fn.WriteFunction], caller: str) -> list[fn.WriteFunction]:
    functions = list(functions)
    for function in functions:
        if not isinstance(function, fn.WriteFunction):
            raise TypeError(f"{caller} takes write functions, got {function!r}")
    return functions
