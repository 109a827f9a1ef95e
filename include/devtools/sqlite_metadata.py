"""Connection arguments for Airflow's SQLite metadata database on one machine.

The scheduler, dag-processor, api-server and CLI commands (e.g. `airflow backfill create`)
all write to the same SQLite file; SQLite's default 5-second busy wait is too short on a
busy 2-core machine and fails a writer with "database is locked". Airflow imports this
dict through [database] sql_alchemy_connect_args.
"""

CONNECT_ARGS = {"timeout": 60}
