"""Transactions: ERP AR invoices, AP bills and journal entries, validated and posted to Intacct.

Nightly at midnight in the schedule timezone (INTEGRATION_SCHEDULE_TIMEZONE) with real
data intervals, so ``airflow backfill create --from-date D1 --to-date D2`` processes the
documents posted D1..D2; and as soon as intacct_master_data publishes fresh master data
(its asset), so a night posts right after it. A scheduled run takes every document changed since the last
complete run plus those waiting in a retryable state; params narrow a manual run to a
posting-date window or a list of document numbers, or make it a dry run.

check -> extract_validate (per type) -> load (per partition) -> route -> remediate_<class>
-> join -> reconcile. Logic lives in include/pipeline (``steps``) and include/remediation.

Every task that calls Intacct holds one slot of the Intacct pool, whose size is the connection's
``partitions``; each keeps at most ``max_concurrency / partitions`` requests in flight, so together
they never exceed the tenant's entitlement (``python -m include.intacct pool`` sizes the pool
from the connection). The load is split into that many partitions, mapped over workers.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable, Param, dag, task

from include.alerts import IntegrationAlert
from include.assets import MASTER_DATA_ASSET
from include.remediation import HANDLERS, task_id_for
from include.settings import DOC_TYPES, load_settings

SETTINGS = load_settings()


@dag(
    dag_id="intacct_post_transactions",
    # Nightly at midnight (the data intervals backfills use), and as soon as the master-data run has
    # published fresh master data: a night posts right after it, never on stale master data.
    schedule=AssetOrTimeSchedule(
        timetable=CronDataIntervalTimetable("0 0 * * *", timezone=SETTINGS.schedule_timezone),
        assets=MASTER_DATA_ASSET),
    start_date=pendulum.datetime(2026, 1, 1, tz=SETTINGS.schedule_timezone),
    catchup=False,
    max_active_runs=1,
    tags=["intacct", "transactions"],
    default_args={
        "retries": 3,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
    },
    params={
        "doc_types": Param(list(DOC_TYPES), type="array", items={"type": "string", "enum": list(DOC_TYPES)},
                           title="Document types", description="Which document types to process."),
        "dry_run": Param(False, type="boolean", title="Dry run",
                         description="Validate and report only: nothing is posted, the ledger is not changed."),
        "keys": Param([], type="array", items={"type": "string"}, title="Document numbers",
                      description="Process exactly these document numbers (empty: use the selection rules)."),
        "posting_date_from": Param(None, type=["null", "string"], format="date", title="Posting date from",
                                   description="With 'to': process the documents posted in this window "
                                               "that are not yet in Intacct."),
        "posting_date_to": Param(None, type=["null", "string"], format="date", title="Posting date to"),
    },
    doc_md=__doc__,
    # One notification for a failed run, or a green one that left work for a person (include/alerts).
    on_success_callback=IntegrationAlert(),
    on_failure_callback=IntegrationAlert(),
)
def intacct_post_transactions():
    @task(pool=SETTINGS.intacct_pool)
    def check(**context) -> dict:
        from include.pipeline import steps

        return steps.check(context)

    @task
    def document_types(plan: dict) -> list[str]:
        return list(plan["doc_types"])

    @task(map_index_template="{{ task.op_kwargs['doc_type'] }}")  # the UI lists ar_invoice, not [0]
    def extract_validate(doc_type: str, plan: dict) -> dict:
        from include.pipeline import steps

        return steps.extract_validate(doc_type, plan)

    @task
    def load_partitions(plan: dict) -> list[int]:
        from include.pipeline import steps

        return steps.load_partitions(plan)

    @task(pool=SETTINGS.intacct_pool, map_index_template="partition {{ task.op_kwargs['partition'] + 1 }}")
    def load(plan: dict, partition: int) -> dict:
        from include.pipeline import steps

        return steps.load(plan, partition)

    @task.branch
    def route(plan: dict) -> list[str]:
        from include.pipeline import steps

        return [*steps.route(plan), "join"]  # join follows the branch too, so it runs whatever the routes

    def remediate(error_class: str, plan: dict) -> dict:
        from include.pipeline import steps

        return steps.remediate(error_class, plan)

    @task(retries=0)
    def reconcile(plan: dict, extracted: list[dict], loaded: list[dict], **context) -> dict:
        from include.pipeline import steps

        remediation_ids = [task_id_for(cls) for cls in HANDLERS]
        remediated = [r for r in context["ti"].xcom_pull(task_ids=remediation_ids) or [] if r]
        metrics = [plan.get("check", {}).get("api"), *(item.get("api") for item in loaded),
                   *(item.get("api") for item in remediated)]
        return steps.reconcile(plan, extract=list(extracted), load=list(loaded), remediation=remediated,
                               metrics=metrics)

    plan = check()
    extracted = extract_validate.partial(plan=plan).expand(doc_type=document_types(plan))
    loaded = load.partial(plan=plan).expand(partition=load_partitions(plan))
    extracted >> loaded
    branch = route(plan)
    loaded >> branch
    remediations = [
        task(task_id=task_id_for(error_class), pool=SETTINGS.intacct_pool)(remediate)(error_class.value, plan)
        for error_class in HANDLERS
    ]
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
    branch >> remediations >> join
    branch >> join
    join >> reconcile(plan, extracted, loaded)


intacct_post_transactions()
