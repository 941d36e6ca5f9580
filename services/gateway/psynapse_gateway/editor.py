"""Serving the built editor, so one URL is the whole product."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router

from psynapse_common.settings import Settings

from .bodies import ApiRoot

API_ROOT = ApiRoot(message="Psynapse Backend API")


def editor_dir(settings: Settings) -> Path:
    if settings.editor_dir is not None:
        return settings.editor_dir
    # A source checkout: services/gateway/psynapse_gateway -> repo root.
    return Path(__file__).resolve().parents[3] / "frontend" / "dist"


def editor_routes(settings: Settings) -> list:
    dist = editor_dir(settings)
    index = dist / "index.html"

    @get(
        "/",
        include_in_schema=True,
        summary="API root; browsers get the editor",
        responses={200: ResponseSpec(data_container=ApiRoot, description="The API's name (HTML for browsers)")},
    )
    async def root(request: Request) -> Response[Any]:
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and index.is_file():
            return File(index, content_disposition_type="inline", media_type="text/html")
        return Response(API_ROOT)

    @get("/{name:str}", include_in_schema=False)
    async def top_level_file(name: FromPath[str]) -> File:
        # Files Vite copies to the root of dist (favicon and the like).
        path = dist / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise NotFoundException(f"no file {name!r}")
        return File(path, content_disposition_type="inline")

    routes: list = [root, top_level_file]
    if (dist / "assets").is_dir():
        routes.append(
            create_static_files_router(path="/assets", directories=[dist / "assets"], include_in_schema=False)
        )
    return routes
