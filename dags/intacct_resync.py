"""Synchronize / Force synchronize: re-run the sync of chosen objects from the Airflow UI.

Pick an object type, then either document numbers / master ids (``keys``) or a status
filter, and an action:

* ``synchronize``: objects that are not integrated or desynchronized;
* ``force_synchronize``: objects in error (optionally only one error class).

Pending objects are already synchronizing: they are refused, by name. Documents go through
the transactions pipeline (validation, idempotent posting, the remediation route of their
error class); customers, vendors and items through the master-data push. ``dry_run`` says
what each object would become and changes nothing. The report
(``<data dir>/reports/resync_<run id>.md`` and ``.json``, and the ``synchronize`` task log)
has one line per object. Logic lives in include/resync.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from include.error_classes import ErrorClass
from include.resync.request import ACTIONS, OBJECT_TYPES
from include.settings import load_settings

SETTINGS = load_settings()


@dag(
    dag_id="intacct_resync",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz=SETTINGS.schedule_timezone),
    catchup=False,
    tags=["intacct", "resync"],
    default_args={"retries": 0},  # a person triggered it and reads the outcome; the ledger makes a re-trigger safe
    params={
        "object_type": Param("ar_invoice", type="string", enum=list(OBJECT_TYPES), title="Object type",
                             description="Finance documents (ar_invoice, ap_bill, journal_entry) or ERP masters "
                                         "(customer, vendor, item)."),
        "action": Param("synchronize", type="string", enum=list(ACTIONS), title="Action",
                        description="synchronize: not integrated or desynchronized objects. force_synchronize: "
                                    "objects in error. Pending objects are refused."),
        "keys": Param([], type="array", items={"type": "string"}, title="Keys",
                      description="Document numbers or master ids (empty: select by status)."),
        "statuses": Param([], type="array", items={"type": "string", "enum": ["not_integrated", "desynchronized",
                                                                              "error"]},
                          title="Status filter", description="Without keys: the statuses to select (default: every "
                                                             "status the action applies to)."),
        "error_class": Param(None, type=["null", "string"], enum=[None, *(c.value for c in ErrorClass)],
                             title="Error class", description="force_synchronize without keys: only objects in "
                                                              "error with this class."),
        "dry_run": Param(False, type="boolean", title="Dry run",
                         description="Report what each object would become; change nothing."),
    },
    doc_md=__doc__,
)
def intacct_resync():
    @task
    def select(**context) -> dict:
        from include.resync import steps

        return steps.select(context)

    @task(pool=SETTINGS.intacct_pool)  # one slot: it keeps the worker's share of requests in flight
    def synchronize(selected: dict) -> dict:
        from include.resync import steps

        return steps.synchronize(selected)

    synchronize(select())


intacct_resync()
