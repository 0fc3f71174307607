"""The HTTP API's app factory: `create_app(services)` → a FastAPI app (served by uvicorn,
`python -m app serve`). The same services as the UI and the CLI; models load once per
process, on first use. OpenAPI docs at /docs."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from app.api import docs_pages, native_routes, openai_routes
from app.api.auth import key_problem, server_key
from app.api.errors import OTHER_BODY_MB, install_error_handlers, log
from app.api.gate import ClientGone, GenerationGate
from app.api.gatekeeper import Gatekeeper
from app.api.jobs import JobRunner
from app.services import Services
from app.services.folder_sync import LinkedFolderSync
from core.errors import ConfigError

MB = 1024 * 1024

DESCRIPTION = """\
Yizhi (已知) answers from your own documents, offline.

* **/v1**: OpenAI-compatible. `GET /v1/models` lists one model per knowledge base plus the LLM for
  plain chat; `POST /v1/chat/completions` answers from the knowledge base named by `model` (several
  through the extra field `knowledge_bases`), streaming by server-sent events with `stream: true`;
  answers cite `[n]` and the response's extra field `sources` lists them (`sources[n-1]` is `[n]`),
  with `refused` and `timings`. `POST /v1/embeddings` uses the knowledge bases' embedding model.
* **/api/v1**: knowledge bases, documents, uploads (as jobs), search and ask, in the JSON shapes of
  `python -m app search --json` and `ask --json`.

With `YIZHI_API_KEY` set, every endpoint needs `Authorization: Bearer <key>` (the docs pages do not).
Answers are generated one at a time; a full queue answers 429 with `Retry-After`.
"""


@dataclass(frozen=True, slots=True)
class Mounted:
    """Another ASGI app served at `path` beside the API (MCP's Streamable HTTP at /mcp),
    behind the same Gatekeeper (the key, the body limits); `running()` is entered for as
    long as the server runs."""

    path: str
    app: ASGIApp
    running: Callable[[], AbstractAsyncContextManager[Any]]


async def _client_gone(request: Request, exc: ClientGone) -> Response:
    log.info("%s %s: the client disconnected; its answer was stopped", request.method, request.url.path)
    return Response(status_code=499)  # nginx's "client closed request": nobody reads it


def cors_origins(setting: str) -> list[str]:
    return [origin.strip() for origin in setting.split(",") if origin.strip()]


def create_app(services: Services, *, gate: GenerationGate | None = None,
               mounted: Sequence[Mounted] = ()) -> FastAPI:
    """The API over `services`; `gate` when another interface served beside it shares the
    LLM (app.serving), `mounted` the apps served beside it."""
    settings = services.settings
    problem = key_problem(settings.api_key)
    if problem:
        raise ConfigError(problem, setting="api_key")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        folders = LinkedFolderSync(services.knowledge)  # linked folders kept in sync while serving
        folders.start()
        async with AsyncExitStack() as running:
            for mount in mounted:
                await running.enter_async_context(mount.running())
            yield
        folders.stop()
        app.state.jobs.close()
        app.state.gate.close()
        services.close()

    # The docs pages come from assets this server holds (docs_pages): never from a CDN.
    app = FastAPI(title="Yizhi (已知) API", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    docs_pages.install(app)
    app.state.services = services
    app.state.gate = gate or GenerationGate(settings.generation_queue, settings.generation_wait_timeout)
    app.state.jobs = JobRunner()
    install_error_handlers(app)
    app.add_exception_handler(ClientGone, _client_gone)
    app.include_router(openai_routes.router)
    app.include_router(native_routes.router)
    for mount in mounted:
        app.router.routes.append(Route(mount.path, endpoint=mount.app))
    app.add_middleware(Gatekeeper, key=server_key(settings.api_key), upload_bytes=settings.api_max_body_mb * MB,
                       other_bytes=OTHER_BODY_MB * MB)
    origins = cors_origins(settings.api_cors_origins)
    if origins:  # off unless configured
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type"])
    return app
