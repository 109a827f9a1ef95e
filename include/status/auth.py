"""Who may see the status page and who may act on it, answered by Airflow's own auth manager.

* Seeing it: a signed-in user allowed to view the UI, authenticated exactly as Airflow's API does
  (``Authorization: Bearer <token>`` or the UI's ``_token`` cookie, see
  ``airflow.api_fastapi.core_api.security.get_user``). Without credentials a page sends the
  browser to Airflow's login and the JSON answers 401.
* Acting (Synchronize, Force synchronize, Mark as synced): a user who may trigger the
  ``intacct_resync`` DAG (``POST`` on its runs, the permission Airflow's own trigger endpoint
  checks). Others see the page read-only and get 403 from the action routes.

An action is a JSON ``POST`` from the page itself: a request from another site is refused (the session
cookie is ``SameSite=Lax``, and a cross-site page cannot send JSON without the browser asking first).
Airflow is imported when a request comes in, so the scheduler and the dag-processor (which load
plugins too) do not import the API server's modules.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status

from include.status.resync_hint import RESYNC_DAG_ID


class LoginRequired(Exception):
    """An anonymous browser: send it to Airflow's login, then back here."""


async def airflow_user(request: Request):
    """The signed-in Airflow user, allowed to view the UI; else 401 (no or expired token) or 403."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import bearer_scheme, get_user

    user = await get_user(request, None, await bearer_scheme(request))
    if not get_auth_manager().is_authorized_view(access_view=AccessView.WEBSITE, user=user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Forbidden")
    return user


async def airflow_user_or_login(request: Request):
    try:
        return await airflow_user(request)
    except HTTPException as exc:
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            raise LoginRequired() from None
        raise


def may_act(user) -> bool:
    """Whether the user may trigger the intacct_resync DAG (what every console action needs)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return get_auth_manager().is_authorized_dag(method="POST", access_entity=DagAccessEntity.RUN,
                                                details=DagDetails(id=RESYNC_DAG_ID), user=user)


def user_name(user) -> str:
    return str(user.get_name() or user.get_id())


def _same_site(request: Request) -> None:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Actions are accepted from the status page only")
    origin = request.headers.get("origin")
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")}
    if origin and urlsplit(origin).netloc not in hosts:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Actions are accepted from the status page only")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "Send the action as application/json")


async def acting_user(request: Request):
    """The signed-in user, for an action: from this site, and allowed to trigger intacct_resync (else 403)."""
    user = await airflow_user(request)
    _same_site(request)
    if not may_act(user):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"Your Airflow role may not trigger the {RESYNC_DAG_ID} DAG, so it may not act on "
                            "objects here; the page is read-only for you.")
    return user
