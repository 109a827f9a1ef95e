"""Every way of running Airflow here loads the status page plugin from plugins/."""

from pathlib import Path

import yaml

from include.devtools.airflow_local import LocalAirflow

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")


def test_docker_compose_mounts_the_plugins_folder_where_the_image_reads_it():
    services = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())["services"]
    for name in AIRFLOW_SERVICES:
        assert "./plugins:/opt/airflow/plugins" in services[name]["volumes"], name
        assert "AIRFLOW__CORE__PLUGINS_FOLDER" not in services[name]["environment"], name  # the image's default


def test_the_local_harness_and_make_airflow_point_airflow_at_the_plugins_folder(tmp_path):
    env = LocalAirflow(tmp_path / "airflow").env

    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == str(ROOT / "plugins")
    assert (ROOT / "plugins" / "integration_status.py").exists()
    assert str(ROOT) in env["PYTHONPATH"].split(":")  # the plugin imports include.status
