"""ERP-owned masters (customers, vendors, items) pushed to Intacct.

New and changed masters are read incrementally from the ERP source, observed in the
ledger (category ``master``, the same statuses as documents), claimed, and written in
batched requests under ``uniqueid=true`` with a deterministic controlid
(``<type>-<key>-<version>-<attempt>``, reused when a claim is recovered), so a resend
can never create a record twice. A create refused because the id already exists in
Intacct (BL34000061) links the existing record and updates it when it differs.
An item id that has been integrated is never changed (Intacct does not allow it).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, timedelta
from typing import Any

from include.error_classes import ErrorClass
from include.masterdata.streams import ERP_OWNED, Stream

log = logging.getLogger(__name__)
ALREADY_EXISTS = "BL34000061"
_COMPARED = {  # Intacct field (dotted for nested) compared when linking an existing record
    "customer": ("NAME", "STATUS", "TERMNAME", "DISPLAYCONTACT.EMAIL1"),
    "vendor": ("NAME", "STATUS", "TERMNAME", "DISPLAYCONTACT.EMAIL1"),
    "item": ("NAME", "STATUS", "ITEMTYPE"),
}


def stream_for(object_type: str) -> Stream:
    for stream in ERP_OWNED:
        if stream.erp_object_type == object_type:
            return stream
    raise ValueError(f"{object_type!r} is not an ERP-owned master; known: "
                     f"{', '.join(s.erp_object_type for s in ERP_OWNED)}")


def intacct_fields(master) -> dict[str, Any]:
    """The Intacct record for an ERP master (SourceMaster), field by field; empty values omitted."""
    f = master.fields
    if master.object_type in ("customer", "vendor"):
        id_field = "CUSTOMERID" if master.object_type == "customer" else "VENDORID"
        record = {id_field: master.key, "NAME": f.get("name"), "STATUS": f.get("status") or "active",
                  "TERMNAME": f.get("term_name") or None, "CURRENCY": f.get("currency") or None,
                  "DISPLAYCONTACT": {k: v for k, v in (("PRINTAS", f.get("name")), ("EMAIL1", f.get("email")))
                                     if v}}
    elif master.object_type == "item":
        record = {"ITEMID": master.key, "NAME": f.get("name"), "ITEMTYPE": f.get("item_type") or "Non-Inventory",
                  "STATUS": f.get("status") or "active"}
    else:
        raise ValueError(f"{master.object_type} {master.key!r}: not an ERP-owned master type")
    return {k: v for k, v in record.items() if v is not None}


def _get(record: dict, dotted: str) -> str:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return str(value or "").strip()


def differences(object_type: str, wanted: dict, existing: dict) -> list[str]:
    """Fields whose value in Intacct differs from the ERP's (status compared case-insensitively)."""
    found = []
    for name in _COMPARED[object_type]:
        want, have = _get(wanted, name), _get(existing, name)
        if name == "STATUS":
            want, have = want.lower(), have.lower()
        if want and want != have:
            found.append(name)
    return found


def controlid_for(object_type: str, key: str, version: str, attempt: int) -> str:
    return f"{object_type}-{key}-{version}-{attempt}"


@dataclass
class PushResult:
    object_type: str
    read: int = 0
    created: int = 0
    updated: int = 0
    linked: int = 0
    unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # key -> error class: message
    unresolved: list[str] = field(default_factory=list)  # reached Intacct or may have; left pending
    api_calls: int = 0
    watermark: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _is_already_exists(outcome) -> bool:
    return any(e.errorno == ALREADY_EXISTS or "already exists" in (e.description2 or "") for e in outcome.errors)


def _message(outcome) -> str:
    return "; ".join(e.text() for e in outcome.errors) or outcome.resolution


def push_masters(client, ledger, store, source, object_type: str, *, run_id: str, worker: str,
                 lookback_minutes: int, chunk_size: int = 500) -> PushResult:
    """Create/update in Intacct the ERP's new and changed masters of one type; returns what happened."""
    stream = stream_for(object_type)
    erp_stream = Stream(f"ERP:{object_type}", stream.object_name, stream.key_field, (), owner="erp",
                        description=f"ERP {object_type}s pushed to Intacct")
    state = store.state(erp_stream.name)
    since = (state.watermark - timedelta(minutes=lookback_minutes)).replace(tzinfo=UTC) \
        if state and state.watermark else None
    result = PushResult(object_type)
    calls_before = client.metrics.snapshot().get("api_transactions", 0)
    newest = None
    for chunk in source.iter_masters(object_type, changed_since=since, chunk_size=chunk_size):
        result.read += len(chunk)
        for master in chunk:
            if master.updated_at is not None:
                stamp = master.updated_at.astimezone(UTC).replace(tzinfo=None)
                newest = stamp if newest is None or stamp > newest else newest
        result.unchanged += len(chunk) - push_chunk(client, ledger, object_type, chunk, run_id=run_id,
                                                    worker=worker, result=result)
    if result.unresolved:
        # Their claims stay pending; keeping the watermark makes the next run read them again and
        # recover them (same controlid) once the claims' lease has run out.
        log.warning("%d %s(s) reached Intacct or may have, but their RECORDNO could not be looked up: %s; "
                    "left pending for the next run", len(result.unresolved), object_type,
                    ", ".join(result.unresolved[:20]))
    store.complete_refresh(erp_stream, run_id=run_id, newest_change=None if result.unresolved else newest,
                           records_read=result.read, api_calls=0, full_refresh=False, kind="erp")
    result.api_calls = client.metrics.snapshot().get("api_transactions", 0) - calls_before
    state = store.state(erp_stream.name)
    result.watermark = state.watermark.isoformat(timespec="seconds") if state and state.watermark else None
    log.info("pushed %ss: %s", object_type, result.to_dict())
    return result


def push_chunk(client, ledger, object_type: str, chunk: list, *, run_id: str, worker: str,
               result: PushResult) -> int:
    """Observe a chunk of ERP masters in the ledger and push those to synchronize, recover or
    retry (see ``claim_plans``); returns how many were sent."""
    from include.ledger.records import Outcome
    from include.ledger.transitions import Status

    by_key = {m.key: m for m in chunk}
    observations = ledger.observe_many(
        [{"object_type": object_type, "key": m.key, "source_version": m.source_version, "category": "master"}
         for m in chunk], run_id=run_id)
    plans = claim_plans(ledger, object_type, observations, Status)
    for keys, action, reason in plans:
        if keys:
            push_claimed(client, ledger, by_key, object_type, keys, run_id=run_id, worker=worker,
                         result=result, outcome_type=Outcome, action=action, reason=reason)
    return sum(len(keys) for keys, _, _ in plans)


def claim_plans(ledger, object_type, observations, status) -> list[tuple[list[str], str, str | None]]:
    """Which observed masters to send, and under which ledger claim.

    New and changed ones are synchronized; ones left pending by a run that died are
    recovered once their lease expired (resent with the same controlid); ones that failed
    transiently are retried. Other errors wait for a person's Force synchronize.
    """
    by_status: dict[str, list[str]] = {}
    for observation in observations:
        by_status.setdefault(observation.status_after, []).append(observation.key)
    transient = [key for key in by_status.get(status.ERROR, [])
                 if (row := ledger.get(object_type, key)) and row.error_class == ErrorClass.TRANSIENT.value]
    return [
        (by_status.get(status.NOT_INTEGRATED, []) + by_status.get(status.DESYNCHRONIZED, []), "synchronize", None),
        (by_status.get(status.PENDING, []), "recover", "claim left pending by an earlier run whose lease expired"),
        (transient, "retry", "the last attempt failed with a transient error"),
    ]


def push_claimed(client, ledger, by_key, object_type, keys, *, run_id, worker, result, outcome_type,
                  action: str = "synchronize", reason: str | None = None) -> None:
    from include.intacct.functions import Create, DocumentLookup, Update

    stream = stream_for(object_type)
    claims = ledger.claim(object_type, keys, run_id=run_id, worker=worker, action=action, reason=reason)
    outcomes, functions, controlids, plans = [], [], {}, {}
    for claim in claims:
        master = by_key[claim.key]
        if master.problems:
            outcomes.append(outcome_type.error(
                object_type, claim.key, error_class=ErrorClass.DATA_QUALITY.value,
                message="; ".join(str(p) for p in master.problems)))
            continue
        row = ledger.get(object_type, claim.key)
        record = intacct_fields(master)
        integrated = bool(row and row.posted_version)
        if integrated and object_type == "item" and row.intacct_key and row.intacct_key != record["ITEMID"]:
            raise ValueError(f"item {claim.key!r}: its Intacct item id {row.intacct_key!r} is integrated and can "
                             f"never change (ERP sends {record['ITEMID']!r})")
        controlid = claim.controlid or controlid_for(object_type, claim.key, claim.source_version, claim.attempts)
        controlids[claim.key] = controlid
        lookup = DocumentLookup(stream.object_name, stream.key_field, claim.key)
        cls = Update if integrated else Create
        functions.append(cls({stream.object_name: record}, controlid=controlid, lookup=lookup))
        plans[controlid] = (claim.key, record, "updated" if integrated else "created")
    if controlids:
        ledger.set_controlids(object_type, controlids)
    existing: dict[str, dict] = {}
    for outcome in client.execute_writes(functions) if functions else []:
        key, record, done = plans[outcome.controlid]
        if outcome.unresolved:
            # Its claim stays pending: a later run recovers it with the same controlid.
            result.unresolved.append(key)
            continue
        if outcome.ok:
            setattr(result, done, getattr(result, done) + 1)
            outcomes.append(outcome_type.success(object_type, key, record_no=outcome.record_no, intacct_key=key,
                                                 controlid=outcome.controlid,
                                                 message=f"{done} in Intacct ({outcome.resolution})"))
        elif done == "created" and _is_already_exists(outcome):
            existing[key] = record
        else:
            error_class = str(outcome.error_class or ErrorClass.UNKNOWN)
            result.failed[key] = f"{error_class}: {_message(outcome)}"
            outcomes.append(outcome_type.error(object_type, key, error_class=error_class,
                                               message=_message(outcome), controlid=outcome.controlid))
    if existing:
        outcomes.extend(_link_existing(client, object_type, existing, controlids, result, outcome_type))
    if outcomes:
        report = ledger.record_outcomes(outcomes, run_id=run_id)
        for refusal in report.refused:
            log.warning("%s %r: outcome not recorded: %s", object_type, refusal.key, refusal.reason)


def _link_existing(client, object_type, wanted: dict[str, dict], controlids, result, outcome_type) -> list:
    """Masters Intacct already has (BL34000061): link them, and update the ones that differ."""
    from include.intacct.functions import DocumentLookup, Update

    stream = stream_for(object_type)
    found = {str(r.get(stream.key_field)): r for r in client.read_by_name(stream.object_name, list(wanted))}
    outcomes, updates, plans = [], [], {}
    for key, record in wanted.items():
        current = found.get(key)
        if current is None:
            result.failed[key] = "unknown: Intacct says the id exists but readByName does not return it"
            outcomes.append(outcome_type.error(object_type, key, error_class=ErrorClass.UNKNOWN.value,
                                               message=result.failed[key]))
            continue
        changed = differences(object_type, record, current)
        if not changed:
            result.linked += 1
            outcomes.append(outcome_type.success(object_type, key, record_no=str(current.get("RECORDNO") or ""),
                                                 intacct_key=key, message="already in Intacct: linked"))
            continue
        controlid = f"{controlids[key]}-link"
        updates.append(Update({stream.object_name: record}, controlid=controlid,
                              lookup=DocumentLookup(stream.object_name, stream.key_field, key)))
        plans[controlid] = (key, current, changed)
    for outcome in client.execute_writes(updates) if updates else []:
        key, current, changed = plans[outcome.controlid]
        if outcome.unresolved:
            result.unresolved.append(key)
            continue
        if outcome.ok:
            result.linked += 1
            result.updated += 1
            outcomes.append(outcome_type.success(
                object_type, key, record_no=str(current.get("RECORDNO") or outcome.record_no or ""), intacct_key=key,
                message=f"already in Intacct: linked and updated {', '.join(changed)}"))
        else:
            error_class = str(outcome.error_class or ErrorClass.UNKNOWN)
            result.failed[key] = f"{error_class}: {_message(outcome)}"
            outcomes.append(outcome_type.error(object_type, key, error_class=error_class, message=_message(outcome)))
    return outcomes
