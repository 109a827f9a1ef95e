"""The status page's FastAPI app, mounted by the Airflow API server (``plugins/integration_status.py``).

Every route requires an Airflow user allowed to see the UI, authenticated exactly as
Airflow's own API does (``Authorization: Bearer <token>`` or the UI's ``_token`` cookie,
see ``airflow.api_fastapi.core_api.security.get_user``). Without credentials the page
sends the browser to Airflow's login and the JSON answers 401. Airflow is imported
when a request comes in, so the scheduler and the dag-processor (which load plugins
too) do not import the API server's modules.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel

from include.status.ledger_view import StatusFilterError, parse_filters
from include.status.objects import parse_object_filters
from include.status.objects_page import render_object_page, render_objects_page
from include.status.page import render_page
from include.status.summary import (
    detail_to_json,
    find_object,
    objects_listing,
    objects_to_json,
    status_summary,
    to_json,
)

URL_PREFIX = "/integration-status"
NO_STORE = {"Cache-Control": "no-store"}  # finance data: never from a cache


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


def _filters(object_type: str | None, error_class: str | None, page: str | None, page_size: str | None):
    try:
        return parse_filters(object_type, error_class, page, page_size)
    except (StatusFilterError, ValueError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


def create_app() -> FastAPI:
    app = FastAPI(title="Integration status", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, _exc: LoginRequired):
        from airflow.api_fastapi.app import get_auth_manager

        return RedirectResponse(get_auth_manager().get_url_login(next_url=str(request.url)),
                                status_code=status.HTTP_303_SEE_OTHER)

    @app.get("/", response_class=HTMLResponse)
    async def page(_user: Annotated[object, Depends(airflow_user_or_login)],
                   object_type: Annotated[str | None, Query()] = None,
                   error_class: Annotated[str | None, Query()] = None,
                   page: Annotated[str | None, Query()] = None,
                   page_size: Annotated[str | None, Query()] = None) -> HTMLResponse:
        filters = _filters(object_type, error_class, page, page_size)
        summary = await asyncio.to_thread(status_summary, filters)  # database reads off the event loop
        return HTMLResponse(render_page(summary), headers=NO_STORE)

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
    async def objects_tab(_user: Annotated[object, Depends(airflow_user_or_login)],
                          params: Annotated[ObjectQuery, Query()]) -> HTMLResponse:
        listing = await asyncio.to_thread(objects_listing, _object_filters(params))
        return HTMLResponse(render_objects_page(listing), headers=NO_STORE)

    @app.get("/api/objects")
    async def objects_json(_user: Annotated[object, Depends(airflow_user)],
                           params: Annotated[ObjectQuery, Query()]) -> JSONResponse:
        listing = await asyncio.to_thread(objects_listing, _object_filters(params))
        return JSONResponse(objects_to_json(listing), headers=NO_STORE)

    # The key is one quoted path segment ("/" in a key arrives as %2F, decoded before routing, hence
    # ":path"); "." and ".." cannot be path segments, so those keys come as ?key= (see object_path).
    @app.get("/object/{object_type}/{key:path}", response_class=HTMLResponse)
    async def object_page(_user: Annotated[object, Depends(airflow_user_or_login)], object_type: str,
                          key: str) -> HTMLResponse:
        detail = await _detail(object_type, key)
        return HTMLResponse(render_object_page(detail, root="../../"), headers=NO_STORE)

    @app.get("/object/{object_type}", response_class=HTMLResponse)
    async def object_page_by_query(_user: Annotated[object, Depends(airflow_user_or_login)], object_type: str,
                                   key: Annotated[str, Query()]) -> HTMLResponse:
        detail = await _detail(object_type, key)
        return HTMLResponse(render_object_page(detail, root="../"), headers=NO_STORE)

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
