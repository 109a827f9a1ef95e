"""Client for Sage Intacct's XML gateway and REST API (and the local sandbox that speaks both).

Import cost is kept small (requests + lxml); Airflow is only imported by ``hook``.
"""

from include.intacct.client import IntacctClient
from include.intacct.config import ConfigError, IntacctConfig
from include.intacct.responses import QueryPage, WriteOutcome

__all__ = ["ConfigError", "IntacctClient", "IntacctConfig", "QueryPage", "WriteOutcome"]
