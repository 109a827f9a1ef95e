"""The reference store and the validation snapshot built from it (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest

from include import demo_company as demo
from include.masterdata.dimensions import DIMENSIONS_LIST
from include.masterdata.streams import CLOSED_BOOKS_STREAM, STREAMS, udd_stream
from include.reference_store import ReferenceStore, StaleReferenceData, build_snapshot
from include.reference_store.snapshot import REQUIRED_STREAMS

T0 = datetime(2026, 11, 1, 12, 0)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request):
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    store = ReferenceStore(url)
    store.migrate()
    yield store
    store.close()


def _rec(stream, key, status="active", no=1, **fields):
    return {"RECORDNO": str(no), stream.key_field: key, stream.status_field: status, **fields}


def _fill(store, run_id="run-1"):
    """Every required stream refreshed, with the demo company's accounts, terms and UDDs."""
    for name, stream in STREAMS.items():
        records = []
        if name == "GLACCOUNT":
            records = [(_rec(stream, a.accountno, a.status, i, REQUIREDEPT="true" if a.require_dept else "false",
                             REQUIRELOC="true" if a.require_loc else "false"), T0)
                       for i, a in enumerate(demo.ACCOUNTS, 1)]
        elif name in ("ARTERM", "APTERM"):
            records = [(_rec(stream, t.name, t.status, i), T0) for i, t in enumerate(demo.TERMS, 1)]
        elif name == "CUSTOMER":
            records = [(_rec(stream, "C-1001", "active", 1), T0), (_rec(stream, "C-1041", "inactive", 2), T0)]
        if records:
            store.upsert_records(stream, records, run_id=run_id)
        store.complete_refresh(stream, run_id=run_id, newest_change=T0 if records else None,
                               records_read=len(records), api_calls=1, full_refresh=True)
    for udd in demo.UDDS:
        stream = udd_stream(udd.object_name, udd.label)
        if udd.permitted:
            store.upsert_records(stream, [({"RECORDNO": str(i), "id": v, "status": s}, T0)
                                          for i, (v, _, s) in enumerate(udd.values, 1)], run_id=run_id)
            store.complete_refresh(stream, run_id=run_id, newest_change=T0, records_read=len(udd.values),
                                   api_calls=1, full_refresh=True, kind="udd")
        else:
            store.mark_unavailable(stream, run_id=run_id, reason="INT402: steps", api_calls=1)
    listing = [({"objectName": u.object_name, "userDefinedDimension": "true", "STATUS": "active"}, None)
               for u in demo.UDDS]
    store.upsert_records(DIMENSIONS_LIST, listing, run_id=run_id)
    store.complete_refresh(DIMENSIONS_LIST, run_id=run_id, newest_change=None, records_read=len(listing),
                           api_calls=1, full_refresh=True, kind="dimensions")
    store.set_closed_books_date(demo.default_closed_books_date(T0.date()), run_id=run_id)


def test_snapshot_carries_statuses_required_dimensions_udds_and_closed_books_date(store):
    _fill(store)
    snapshot = build_snapshot(store, max_age_hours=26)
    assert snapshot.customers == {"C-1001": "active", "C-1041": "inactive"}
    assert snapshot.accounts["6000"].required_dimensions == frozenset({"department_id"})
    assert snapshot.accounts["1400"].required_dimensions == frozenset({"location_id"})
    assert snapshot.accounts["6900"].status == "inactive"
    assert snapshot.ar_terms["Net 90"] == "inactive" and snapshot.ap_terms["N30"] == "active"
    assert snapshot.udds["REGION"].available and snapshot.udds["REGION"].values["10005"] == "inactive"
    assert snapshot.udds["CHANNEL"].available is False
    assert snapshot.closed_books_date == demo.default_closed_books_date(T0.date())
    assert snapshot.refreshed_at.tzinfo is UTC


def test_snapshot_is_refused_naming_every_object_never_refreshed(store):
    store.complete_refresh(STREAMS["GLACCOUNT"], run_id="r", newest_change=None, records_read=0, api_calls=1,
                           full_refresh=True)
    with pytest.raises(StaleReferenceData) as refused:
        build_snapshot(store, max_age_hours=26)
    assert set(refused.value.stale) == set(REQUIRED_STREAMS) - {"GLACCOUNT"}
    assert "CLOSEDBOOKS: never refreshed" in str(refused.value) and "intacct_master_data" in str(refused.value)


def test_snapshot_is_refused_when_data_is_older_than_the_configured_age(store):
    _fill(store)
    later = datetime.now(UTC) + timedelta(hours=27)
    with pytest.raises(StaleReferenceData, match=r"older than 26 h.*GLACCOUNT: last refreshed"):
        build_snapshot(store, max_age_hours=26, now=later)
    assert build_snapshot(store, max_age_hours=30, now=later).customers


def test_watermark_moves_only_forward_and_only_when_the_read_completes(store):
    stream = STREAMS["DEPARTMENT"]
    store.upsert_records(stream, [(_rec(stream, "OPS"), T0)], run_id="r1")
    assert store.state("DEPARTMENT") is None  # pages stored, read not completed: no watermark yet
    store.complete_refresh(stream, run_id="r1", newest_change=T0, records_read=1, api_calls=1, full_refresh=True)
    store.complete_refresh(stream, run_id="r2", newest_change=T0 - timedelta(days=1), records_read=1,
                           api_calls=1, full_refresh=False)
    assert store.state("DEPARTMENT").watermark == T0
    store.complete_refresh(stream, run_id="r3", newest_change=None, records_read=0, api_calls=1,
                           full_refresh=False)
    assert store.state("DEPARTMENT").watermark == T0


def test_inactivated_record_is_stored_inactive_and_a_full_refresh_marks_vanished_records_missing(store):
    stream = STREAMS["CLASS"]
    store.upsert_records(stream, [(_rec(stream, "RETAIL", no=1), T0), (_rec(stream, "GOV", no=2), T0)], run_id="r1")
    written, changed = store.upsert_records(stream, [(_rec(stream, "RETAIL", "inactive", 1), T0)], run_id="r2")
    assert (written, changed) == (1, 1)
    store.complete_refresh(stream, run_id="r2", newest_change=T0, records_read=1, api_calls=1, full_refresh=True)
    by_key = {r.key: r for r in store.records("CLASS")}
    assert by_key["RETAIL"].status == "inactive" and not by_key["RETAIL"].active
    assert by_key["GOV"].status == "missing" and not by_key["GOV"].active


def test_record_read_again_unchanged_is_not_counted_as_changed(store):
    stream = STREAMS["CLASS"]
    store.upsert_records(stream, [(_rec(stream, "RETAIL"), T0)], run_id="r1")
    assert store.upsert_records(stream, [(_rec(stream, "RETAIL"), T0)], run_id="r2") == (1, 0)


def test_record_without_a_key_is_kept_under_its_record_number(store):
    stream = STREAMS["CLASS"]
    store.upsert_records(stream, [({"RECORDNO": "7", "CLASSID": "", "STATUS": "active"}, T0)], run_id="r1")
    assert [r.key for r in store.records("CLASS")] == ["#RECORDNO:7"]


def test_unavailable_udd_keeps_its_values_and_says_why(store):
    stream = udd_stream("REGION")
    store.upsert_records(stream, [({"RECORDNO": "1", "id": "10001", "status": "active"}, T0)], run_id="r1")
    store.mark_unavailable(stream, run_id="r2", reason="INT402 ...")
    state = store.state("UDD:REGION")
    assert not state.available and state.unavailable_reason == "INT402 ..."
    assert store.statuses("UDD:REGION") == {"10001": "active"}
    assert CLOSED_BOOKS_STREAM not in store.states()


def test_udd_no_longer_listed_by_getdimensions_neither_blocks_nor_appears_in_the_snapshot(store):
    _fill(store)
    store.upsert_records(DIMENSIONS_LIST, [({"objectName": "REGION", "userDefinedDimension": "true",
                                             "STATUS": "active"}, None)], run_id="run-2")
    store.complete_refresh(DIMENSIONS_LIST, run_id="run-2", newest_change=None, records_read=1, api_calls=1,
                           full_refresh=True, kind="dimensions")  # CHANNEL was deleted in Intacct
    snapshot = build_snapshot(store, max_age_hours=26)
    assert set(snapshot.udds) == {"REGION"}
