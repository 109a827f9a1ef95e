"""Client for Sage Intacct's XML gateway and REST API (and the local sandbox that speaks both).

Import cost is kept small (requests + lxml); Airflow is only imported by ``hook``.
"""

# Each transport's client (XmlClient, RestClient) registers itself with IntacctClient when its
# module is imported: importing them here makes IntacctClient(config) know both.
from include.intacct.client import IntacctClient
from include.intacct.config import ConfigError, IntacctConfig
from include.intacct.responses import QueryPage, WriteOutcome
from include.intacct.rest.client import RestClient
from include.intacct.xml_client import XmlClient

__all__ = ["ConfigError", "IntacctClient", "IntacctConfig", "QueryPage", "RestClient", "WriteOutcome", "XmlClient"]
