"""/docs (Swagger UI) and /redoc from assets this server holds, never from a CDN.

FastAPI's own pages load their scripts and fonts from public CDNs, so offline they were
blank, and online they told those hosts who reads the docs. The package `fastapi-offline`
(a requirement) ships the same scripts; they are served under /docs/assets. Without those
files the two pages are off (with a warning in the log) rather than half-working.
"""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

log = logging.getLogger("yizhi.api")

ASSETS_URL = "/docs/assets"
# The pages may load nothing from another host, whatever their scripts ask for (ReDoc shows
# its logo from cdn.redoc.ly): the browser itself refuses it.
OFFLINE_POLICY = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                             "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                             "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"}
_NEEDED = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")


def assets_folder() -> Path | None:
    """The folder of the docs' scripts and styles, or None when they are not installed."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if all((folder / name).is_file() for name in _NEEDED) else None


def install(app: FastAPI) -> None:
    """Add /docs and /redoc to `app`, served from local assets; off when there are none."""
    folder = assets_folder()
    if folder is None:
        log.warning("the API docs pages (/docs, /redoc) are off: their assets (package fastapi-offline) are "
                    "not installed, and Yizhi never loads them from the internet")
        return
    app.mount(ASSETS_URL, StaticFiles(directory=folder), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        # validatorUrl None: Swagger UI would otherwise send the schema to validator.swagger.io
        page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} - Swagger UI",
                                   swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
                                   swagger_ui_parameters={"validatorUrl": None})
        page.headers.update(OFFLINE_POLICY)
        return page

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(openapi_url=openapi_url, title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                              redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False)
        page.headers.update(OFFLINE_POLICY)
        return page
