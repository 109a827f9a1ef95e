"""Client for the Sage Intacct XML gateway (and the local sandbox that speaks it).

Import cost is kept small (requests + lxml); Airflow is only imported by ``hook``.
"""

from include.intacct.client import IntacctClient
from include.intacct.config import ConfigError, IntacctConfig
from include.intacct.responses import QueryPage, WriteOutcome

__all__ = ["ConfigError", "IntacctClient", "IntacctConfig", "QueryPage", "WriteOutcome"]
