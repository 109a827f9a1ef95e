"""Test session setup shared by every test.

Airflow computes its settings at import time, so its environment is set here,
before any test module imports it: a throw-away AIRFLOW_HOME with a SQLite
metadata database (absolute path), this repo's dags folder, no examples.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# pytest-xdist workers inherit the controller's environment, home included: a home this file made
# is replaced, so every worker migrates and uses its own; a home set by the caller is kept.
_MADE_HOME = "INTACCT_TESTS_AIRFLOW_HOME"
_inherited = os.environ.get(_MADE_HOME)
_airflow_home = Path(tempfile.mkdtemp(prefix="intacct-airflow-home-"))
if os.environ.get("AIRFLOW_HOME", _inherited) == _inherited:  # unset, or made by the controller
    os.environ["AIRFLOW_HOME"] = os.environ[_MADE_HOME] = str(_airflow_home)
    if _inherited and os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") == f"sqlite:///{_inherited}/airflow.db":
        del os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]  # set below to this worker's own
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{_airflow_home}/airflow.db")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = [
    "tests.fixtures.airflow",
    "tests.fixtures.databases",
    "tests.fixtures.mail",
    "tests.fixtures.sandbox",
]
