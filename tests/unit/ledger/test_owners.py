"""Claims name the Airflow task instance that took them, so others can ask Airflow about it."""

from include.ledger.owners import (
    WORKER_LIMIT,
    AirflowTaskStates,
    TaskOwner,
    active_tasks,
    current_task,
    owner_of,
    worker_name,
)

OWNER = TaskOwner("intacct_post_transactions", "scheduled__2026-11-22T05:00:00+00:00", "extract_validate", 2, 3)


def test_a_claim_taken_in_a_task_names_its_dag_task_map_index_and_try():
    worker = worker_name("host-1:4242:ar_invoice", OWNER)
    assert worker == "airflow:intacct_post_transactions:extract_validate:2:3@host-1:4242:ar_invoice"
    assert owner_of(worker, OWNER.run_id) == OWNER
    assert OWNER.state_key == "extract_validate_2"  # how the Task SDK names a mapped task instance
    assert OWNER.describe() == ("task extract_validate[2] (try 3) of intacct_post_transactions run "
                                "scheduled__2026-11-22T05:00:00+00:00")


def test_a_claim_taken_outside_airflow_names_no_task_and_is_judged_by_its_lease():
    assert current_task() is None  # no task runs in this process
    assert worker_name("night-worker") == "night-worker"
    assert owner_of("night-worker", "run-1") is None
    assert owner_of("airflow:dag:task:x:1@host", "run-1") is None  # not a map index: not trusted
    assert owner_of(worker_name("h", OWNER), None) is None  # no run on the row: nothing to ask about


def test_a_worker_name_fits_the_ledger_column_and_a_cut_name_is_not_misread():
    long_owner = TaskOwner("d" * 120, "run", "t" * 120, -1, 1)
    worker = worker_name("host:1:step", long_owner)
    assert len(worker) == WORKER_LIMIT
    assert owner_of(worker, "run") is None


def test_airflow_is_asked_once_per_run_and_the_first_source_that_knows_answers():
    calls = []

    def task_sdk(dag_id, run_id):
        calls.append(("sdk", run_id))
        return None  # not inside a task

    def rest_api(dag_id, run_id):
        calls.append(("api", run_id))
        return {"load_0": "running", "extract_validate_0": "success", "reconcile": None}

    states = AirflowTaskStates((task_sdk, rest_api))
    assert states("d", "r1") == states("d", "r1")
    assert calls == [("sdk", "r1"), ("api", "r1")]
    assert active_tasks(states("d", "r1")) == ["load_0 running"]
