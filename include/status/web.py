"""The status page's FastAPI app, mounted by the Airflow API server (``plugins/integration_status.py``).

Every page and JSON route needs a signed-in Airflow user allowed to see the UI; the action routes
(``include.status.web_actions``) a user who may trigger the ``intacct_resync`` DAG
(``include.status.auth``). Pages show the console's checkboxes and buttons only to that user.
``static/console.js`` is the page's script (no data in it, so it needs no sign-in).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel

from include.status.airflow_api import AirflowApiError, UserAirflowApi
from include.status.auth import LoginRequired, airflow_user, airflow_user_or_login, may_act, user_name
from include.status.console import Console
from include.status.ledger_view import StatusFilterError, parse_filters
from include.status.objects import parse_object_filters
from include.status.objects_page import render_object_page, render_objects_page
from include.status.page import render_page
from include.status.resync_hint import RESYNC_DAG_ID
from include.status.summary import (
    detail_to_json,
    find_object,
    objects_listing,
    objects_to_json,
    status_summary,
    to_json,
)
from include.status.web_actions import router as actions_router

URL_PREFIX = "/integration-status"
NO_STORE = {"Cache-Control": "no-store"}  # finance data: never from a cache
SCRIPT = Path(__file__).with_name("static") / "console.js"
RESYNC_RUNS_SHOWN = 8


def _console(user) -> Console:
    return Console(can_act=may_act(user), user=user_name(user))


async def _console_with_runs(request: Request, user) -> Console:
    """The console, with intacct_resync's latest runs as the user may see them in Airflow."""
    console = _console(user)
    try:
        runs = await request.app.state.api_factory(request).dag_runs(RESYNC_DAG_ID, limit=RESYNC_RUNS_SHOWN)
    except AirflowApiError as exc:
        return Console(console.can_act, console.user, runs_notice=f"Airflow's API did not list the runs: {exc}")
    return Console(console.can_act, console.user, recent_runs=runs)


def _filters(object_type: str | None, error_class: str | None, page: str | None, page_size: str | None):
    try:
        return parse_filters(object_type, error_class, page, page_size)
    except (StatusFilterError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


def create_app(api_factory: Callable[[Request], UserAirflowApi] = UserAirflowApi.for_request) -> FastAPI:
    """``api_factory``: Airflow's REST API as the requesting user (tests give a stand-in)."""
    app = FastAPI(title="Integration status", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.api_factory = api_factory
    app.include_router(actions_router)

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, _exc: LoginRequired):
        from airflow.api_fastapi.app import get_auth_manager

        return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)),
                                status_code=status.HTTP_303_SEE_OTHER)

    @app.get("/static/console.js", include_in_schema=False)
    async def script() -> FileResponse:
        return FileResponse(SCRIPT, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @app.get("/", response_class=HTMLResponse)
    async def page(request: Request, user: Annotated[object, Depends(airflow_user_or_login)],
                   object_type: Annotated[str | None, Query()] = None,
                   error_class: Annotated[str | None, Query()] = None,
                   page: Annotated[str | None, Query()] = None,
                   page_size: Annotated[str | None, Query()] = None) -> HTMLResponse:
        filters = _filters(object_type, error_class, page, page_size)
        summary = await asyncio.to_thread(status_summary, filters)  # database reads off the event loop
        return HTMLResponse(render_page(summary, await _console_with_runs(request, user)), headers=NO_STORE)

    @app.get("/api/summary")
    async def summary(_user: Annotated[object, Depends(airflow_user)],
                      object_type: Annotated[str | None, Query()] = None,
                      error_class: Annotated[str | None, Query()] = None,
                      page: Annotated[str | None, Query()] = None,
                      page_size: Annotated[str | None, Query()] = None) -> JSONResponse:
        filters = _filters(object_type, error_class, page, page_size)
        result = await asyncio.to_thread(status_summary, filters)
        return JSONResponse(to_json(result), headers=NO_STORE)

    @app.get("/objects", response_class=HTMLResponse)
    async def objects_tab(user: Annotated[object, Depends(airflow_user_or_login)],
                          params: Annotated[ObjectQuery, Query()]) -> HTMLResponse:
        listing = await asyncio.to_thread(objects_listing, _object_filters(params))
        return HTMLResponse(render_objects_page(listing, _console(user)), headers=NO_STORE)

    @app.get("/api/objects")
    async def objects_json(_user: Annotated[object, Depends(airflow_user)],
                           params: Annotated[ObjectQuery, Query()]) -> JSONResponse:
        listing = await asyncio.to_thread(objects_listing, _object_filters(params))
        return JSONResponse(objects_to_json(listing), headers=NO_STORE)

    # The key is one quoted path segment ("/" in a key arrives as %2F, decoded before routing, hence
    # ":path"); "." and ".." cannot be path segments, so those keys come as ?key= (see object_path).
    @app.get("/object/{object_type}/{key:path}", response_class=HTMLResponse)
    async def object_page(user: Annotated[object, Depends(airflow_user_or_login)], object_type: str,
                          key: str) -> HTMLResponse:
        detail = await _detail(object_type, key)
        return HTMLResponse(render_object_page(detail, "../../", _console(user)), headers=NO_STORE)

    @app.get("/object/{object_type}", response_class=HTMLResponse)
    async def object_page_by_query(user: Annotated[object, Depends(airflow_user_or_login)], object_type: str,
                                   key: Annotated[str, Query()]) -> HTMLResponse:
        detail = await _detail(object_type, key)
        return HTMLResponse(render_object_page(detail, "../", _console(user)), headers=NO_STORE)

    @app.get("/api/object/{object_type}/{key:path}")
    async def object_json(_user: Annotated[object, Depends(airflow_user)], object_type: str,
                          key: str) -> JSONResponse:
        return JSONResponse(detail_to_json(await _detail(object_type, key)), headers=NO_STORE)

    @app.get("/api/object/{object_type}")
    async def object_json_by_query(_user: Annotated[object, Depends(airflow_user)], object_type: str,
                                   key: Annotated[str, Query()]) -> JSONResponse:
        return JSONResponse(detail_to_json(await _detail(object_type, key)), headers=NO_STORE)

    return app


class ObjectQuery(BaseModel):
    """The objects list's query parameters, as text: :func:`parse_object_filters` checks them."""

    category: str | None = None
    object_type: str | None = None
    status: str | None = None
    error_class: str | None = None
    key: str | None = None
    key_match: str | None = None
    version: str | None = None
    page: str | None = None
    page_size: str | None = None


def _object_filters(params: ObjectQuery):
    try:
        return parse_object_filters(**params.model_dump())
    except (StatusFilterError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


async def _detail(object_type: str, key: str):
    detail = await asyncio.to_thread(find_object, object_type, key)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"The integration ledger has no {object_type} with key "
                                                       f"{key!r}.")
    return detail


app = create_app()
