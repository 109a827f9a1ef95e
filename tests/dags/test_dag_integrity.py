"""Every DAG file parses, follows the project's conventions, and stays cheap to parse."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
EXPECTED = {"intacct_master_data", "intacct_post_transactions", "intacct_resync"}


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_the_product_dags_are_there(dagbag):
    assert EXPECTED <= set(dagbag.dag_ids)


def test_every_dag_is_tagged_documented_and_scheduled_ones_retry(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags and dag.doc_md, dag_id
        if dag.schedule is not None:  # nobody watches a scheduled run: it must retry on its own
            assert dag.default_args.get("retries", 0) >= 1, dag_id
        dag.check_cycle()


def test_parsing_the_dags_imports_neither_pandas_nor_great_expectations():
    probe = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(DAGS)!r})\n"
        "print(json.dumps({'errors': list(bag.import_errors), 'heavy': sorted(m for m in "
        "('pandas', 'great_expectations', 'lxml.etree', 'sqlalchemy.orm') if m in sys.modules)}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert "pandas" not in report["heavy"] and "great_expectations" not in report["heavy"], report
