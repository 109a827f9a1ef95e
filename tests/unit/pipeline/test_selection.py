from datetime import UTC, date, datetime

import pytest

from include.pipeline.selection import INCREMENTAL, KEYS, WINDOW, RunPlan, Selection, SelectionError, plan_run

NY = "America/New_York"


def _plan(run_type="scheduled", params=None, start=None, end=None, run_after=None):
    return plan_run(run_id="r1", run_type=run_type, params=params or {}, data_interval_start=start,
                    data_interval_end=end, run_after=run_after, schedule_timezone=NY)


def test_scheduled_run_selects_changes_up_to_its_interval_end_plus_retries():
    end = datetime(2026, 11, 22, 5, tzinfo=UTC)
    plan = _plan(start=datetime(2026, 11, 21, 5, tzinfo=UTC), end=end,
                 run_after=datetime(2026, 11, 22, 6, tzinfo=UTC))
    assert plan.mode == INCREMENTAL and plan.upper_bound == end
    selection = Selection("ar_invoice", plan, changed_since=datetime(2026, 11, 21, 5, tzinfo=UTC))
    assert selection.source_filters() == {"changed_since": datetime(2026, 11, 21, 5, tzinfo=UTC),
                                          "changed_until": end}
    assert selection.includes_retryable


def test_manual_run_without_window_selects_everything_changed_until_it_was_triggered():
    run_after = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    plan = _plan(run_type="manual", start=datetime(2026, 11, 21, 5, tzinfo=UTC),
                 end=datetime(2026, 11, 22, 5, tzinfo=UTC), run_after=run_after)
    assert plan.mode == INCREMENTAL and plan.upper_bound == run_after


def test_backfill_run_selects_exactly_the_posting_dates_of_its_data_interval():
    # midnight New York on 2026-09-01 .. 2026-09-02: one posting day
    plan = _plan(run_type="backfill", start=datetime(2026, 9, 1, 4, tzinfo=UTC),
                 end=datetime(2026, 9, 2, 4, tzinfo=UTC))
    assert (plan.mode, plan.posting_date_from, plan.posting_date_to) == (WINDOW, date(2026, 9, 1), date(2026, 9, 1))
    selection = Selection("ap_bill", plan)
    assert not selection.includes_retryable
    assert selection.in_scope(date(2026, 9, 1)) and not selection.in_scope(date(2026, 9, 2))
    assert not selection.in_scope(None)


def test_params_window_wins_over_the_run_type_and_must_be_complete():
    plan = _plan(run_type="manual", params={"posting_date_from": "2026-09-01", "posting_date_to": "2026-09-30"})
    assert plan.mode == WINDOW and plan.posting_date_to == date(2026, 9, 30)
    with pytest.raises(SelectionError, match="given together"):
        _plan(params={"posting_date_from": "2026-09-01"})
    with pytest.raises(SelectionError, match="before"):
        _plan(params={"posting_date_from": "2026-09-30", "posting_date_to": "2026-09-01"})
    with pytest.raises(SelectionError, match="posting_date_from='Sept'"):
        _plan(params={"posting_date_from": "Sept", "posting_date_to": "2026-09-01"})


def test_keys_param_selects_exactly_those_documents():
    plan = _plan(run_type="manual", params={"keys": [" INV-1 ", "INV-2", ""], "doc_types": ["ar_invoice"]})
    assert (plan.mode, plan.keys, plan.doc_types) == (KEYS, ("INV-1", "INV-2"), ("ar_invoice",))
    assert Selection("ar_invoice", plan).source_filters() == {"keys": ["INV-1", "INV-2"]}


def test_unknown_document_type_is_refused_by_name():
    with pytest.raises(SelectionError, match="credit_memo"):
        _plan(params={"doc_types": ["credit_memo"]})


def test_plan_round_trips_through_json():
    plan = _plan(run_type="manual", params={"posting_date_from": "2026-09-01", "posting_date_to": "2026-09-30",
                                            "dry_run": True})
    assert RunPlan.from_json(plan.to_json()) == plan
    incremental = _plan(end=datetime(2026, 11, 22, 5, tzinfo=UTC))
    assert RunPlan.from_json(incremental.to_json()) == incremental


def test_upper_bound_from_a_pendulum_datetime_keeps_its_offset_through_json():
    import pendulum

    plan = _plan(end=pendulum.datetime(2026, 11, 21, 5, tz="UTC"))
    assert plan.to_json()["upper_bound"] == "2026-11-21T05:00:00+00:00"
    assert RunPlan.from_json(plan.to_json()).upper_bound == datetime(2026, 11, 21, 5, tzinfo=UTC)


def test_interval_end_without_offset_is_read_as_utc_as_airflow_stores_it():
    plan = _plan(end=datetime(2026, 11, 21, 5))
    assert plan.upper_bound == datetime(2026, 11, 21, 5, tzinfo=UTC)
