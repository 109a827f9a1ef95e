"""Master data: ERP customers, vendors and items up to Intacct; Intacct's master data down.

Nightly at 23:00 in the schedule timezone (INTEGRATION_SCHEDULE_TIMEZONE). One mapped task
per object, so one object's failure does not stop the others; every Intacct call
runs in the Intacct pool. Publishes ``intacct://master-data`` when the reference
data is fresh, so the transactions DAG can be scheduled after it.
Logic lives in include/masterdata (see its ``run`` module).
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

from include.alerts import IntegrationAlert
from include.assets import MASTER_DATA_ASSET
from include.masterdata.streams import ALL_STREAM_NAMES
from include.settings import load_settings

SETTINGS = load_settings()


@dag(
    dag_id="intacct_master_data",
    # 23:00, so the midnight transactions run validates against master data read an hour before.
    schedule=CronTriggerTimetable("0 23 * * *", timezone=SETTINGS.schedule_timezone),
    start_date=pendulum.datetime(2026, 1, 1, tz=SETTINGS.schedule_timezone),
    catchup=False,
    max_active_runs=1,
    tags=["intacct", "master-data"],
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=15),
    },
    params={
        "objects": Param(
            list(ALL_STREAM_NAMES), type="array", items={"type": "string", "enum": list(ALL_STREAM_NAMES)},
            title="Objects", description="Which master-data objects to synchronize (default: all).",
        ),
        "full_refresh": Param(
            False, type="boolean", title="Full refresh",
            description="Read every record again instead of only those modified since the last run.",
        ),
        "push_erp_masters": Param(
            True, type="boolean", title="Push ERP masters",
            description="Create/update the ERP's new and changed customers, vendors and items in Intacct "
            "(for the ones among the selected objects) before reading them back.",
        ),
    },
    doc_md=__doc__,
    # One notification for a failed run, or a green one that left work for a person (include/alerts).
    on_success_callback=IntegrationAlert(),
    on_failure_callback=IntegrationAlert(),
)
def intacct_master_data():
    @task
    def plan_objects(**context) -> list[str]:
        from include.masterdata.run import plan_objects

        return plan_objects(context["params"]["objects"])

    @task
    def plan_pushes(objects: list[str], **context) -> list[str]:
        from include.masterdata.run import plan_pushes

        return plan_pushes(objects, context["params"]["push_erp_masters"])

    @task(pool=SETTINGS.intacct_pool, map_index_template="{{ task.op_kwargs['object_type'] }}")
    def push_erp_masters(object_type: str, **context) -> dict:
        from include.masterdata.run import push

        return push(object_type, run_id=context["run_id"])

    @task(pool=SETTINGS.intacct_pool, trigger_rule="all_done", map_index_template="{{ task.op_kwargs['stream'] }}")
    def extract(stream: str, **context) -> dict:
        from include.masterdata.run import extract

        return extract(stream, run_id=context["run_id"], full_refresh=context["params"]["full_refresh"])

    @task(outlets=[MASTER_DATA_ASSET], trigger_rule="all_done", retries=0)
    def publish_when_fresh() -> dict:
        """Succeeds (and so emits the asset event) only when every object is fresh; skips otherwise."""
        from airflow.sdk.exceptions import AirflowSkipException

        from include.masterdata.run import check_fresh
        from include.reference_store import StaleReferenceData

        try:
            return check_fresh()
        except StaleReferenceData as stale:
            raise AirflowSkipException(str(stale)) from stale

    @task(trigger_rule="all_done", retries=0)
    def report(streams: list[str], pushes: list[str], **context) -> dict:
        from include.masterdata.run import report

        summary = report(streams, pushes=pushes, run_id=context["run_id"])
        if summary["failed"]:
            raise RuntimeError(f"master data objects not refreshed in this run: {', '.join(summary['failed'])}")
        return summary

    objects = plan_objects()
    pushes = plan_pushes(objects)
    pushed = push_erp_masters.expand(object_type=pushes)
    extracted = extract.expand(stream=objects)
    pushed >> extracted
    extracted >> [publish_when_fresh(), report(objects, pushes)]

intacct_master_data()
