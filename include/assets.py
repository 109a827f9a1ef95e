"""The Airflow assets the DAGs share: defined once, imported by the producer and the consumer."""

from airflow.sdk import Asset

# Updated by intacct_master_data when every master-data object is fresh; intacct_post_transactions
# is scheduled on it (and on its nightly timetable), so a night posts right after fresh master data.
MASTER_DATA_ASSET = Asset(name="intacct_master_data", uri="intacct://master-data")
