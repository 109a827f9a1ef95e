"""The local Airflow harness runs DAGs under a real scheduler (LocalExecutor)."""

import textwrap

import pytest

from include.devtools.airflow_local import LocalAirflow

PROBE_DAG = textwrap.dedent('''
    import pendulum
    from airflow.sdk import dag, task
    from airflow.sdk import CronDataIntervalTimetable

    @dag(schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
         start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False, max_active_runs=1)
    def harness_probe():
        @task
        def window(**context):
            # A manual run without a logical date has no data interval keys at all.
            return [str(context.get("data_interval_start")), context["dag_run"].run_type]
        window()

    harness_probe()
''')


@pytest.fixture(scope="module")
def local_airflow(tmp_path_factory):
    dags = tmp_path_factory.mktemp("probe-dags")
    (dags / "harness_probe.py").write_text(PROBE_DAG)
    with LocalAirflow(tmp_path_factory.mktemp("airflow-home"), dags_folder=dags) as airflow:
        airflow.wait_for_dag("harness_probe")
        airflow.unpause("harness_probe")
        yield airflow


@pytest.mark.slow
def test_a_triggered_run_executes_under_the_local_executor(local_airflow):
    run_id = local_airflow.trigger("harness_probe")
    result = local_airflow.wait_for_run("harness_probe", run_id, timeout=180)
    assert result.state == "success", (result.task_states, local_airflow.component_log("scheduler"))


@pytest.mark.slow
def test_a_backfill_command_creates_one_run_per_day_with_real_data_intervals(local_airflow):
    # With a midnight timetable, --to-date is inclusive: each day of the range gets one run
    # whose data interval is exactly that day.
    local_airflow.cli("backfill", "create", "--dag-id", "harness_probe",
                      "--from-date", "2026-09-28", "--to-date", "2026-09-29")
    runs = local_airflow.wait_for_runs_finished("harness_probe", expected=2, run_type="backfill", timeout=180)
    assert sorted((r["data_interval_start"][:10], r["data_interval_end"][:10], r["state"]) for r in runs) == [
        ("2026-09-28", "2026-09-29", "success"), ("2026-09-29", "2026-09-30", "success")]
