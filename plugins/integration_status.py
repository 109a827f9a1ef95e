"""The integration status page and console in the Airflow UI: the app lives in ``include.status``.

The API server mounts the page at /integration-status/; the UI shows it in its
navigation bar, inside the UI's frame. Its actions trigger ``intacct_resync`` through
Airflow's own REST API, in this same API server process, as the signed-in user.
"""

from airflow.plugins_manager import AirflowPlugin

from include.status.web import URL_PREFIX, app


class IntegrationStatusPlugin(AirflowPlugin):
    name = "integration_status"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "Integration status"}]
    external_views = [{
        "name": "Integration status",
        "href": URL_PREFIX.lstrip("/") + "/",  # relative to the UI's base URL: works under a base_url path too
        "url_route": "integration-status",  # shown inside the UI at /plugin/integration-status
        "destination": "nav",
        "nav_top_level": True,
    }]
