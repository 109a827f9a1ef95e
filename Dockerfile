# Airflow image with this project's pinned dependencies; DAGs, include/ and plugins/
# are mounted by docker-compose.yaml.
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:0 requirements.txt constraints.txt pyproject.toml intacct_airflow_provider.py /opt/project/
RUN pip install --no-cache-dir -r /opt/project/requirements.txt -c /opt/project/constraints.txt \
 && pip install --no-cache-dir --no-deps --no-build-isolation /opt/project
# The project's provider module only (packages = []): it registers the intacct connection type with
# Airflow; the code is mounted at /opt/airflow/project and found through PYTHONPATH.
