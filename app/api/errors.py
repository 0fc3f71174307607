"""Every error of the HTTP API in OpenAI's shape: `{"error": {"message", "type", "code", "param"}}`.

The status says what kind of failure it is (400/422 a bad request, 401 no key, 404 an
unknown model or knowledge base, 413 a body too large, 429/503 busy or the vector store down,
with `Retry-After`);
the message is a sentence a user can act on. Yizhi's own errors (core.errors) map here,
so routes simply let them rise.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    ConfigError,
    DiskFull,
    EmbedderMismatch,
    KnowledgeBaseBusy,
    KnowledgeBaseNotFound,
    LlmUnavailable,
    LoaderError,
    ModelLoadError,
    VectorStoreUnavailable,
    YizhiError,
)
from core.text import escape_controls

log = logging.getLogger("yizhi.api")

INVALID = "invalid_request_error"
BUSY_RETRY_S = 5  # a knowledge base busy with another writer: try again in a few seconds
STORE_RETRY_S = 30  # the Milvus server is down or frozen: a restart takes about that long
OTHER_BODY_MB = 4  # any request but an upload: a chat with its history, a batch of texts to embed


class ApiError(Exception):
    """An error response; routes raise it, the handler renders it."""

    def __init__(self, status: int, message: str, *, type: str = INVALID, code: str | None = None,
                 param: str | None = None, retry_after: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param
        self.headers = dict(headers or {})
        if retry_after is not None:
            self.headers["Retry-After"] = str(max(1, int(retry_after)))

    def body(self) -> dict[str, Any]:
        # The message or param may echo what the request sent (an unknown model's name): lone
        # surrogates in it could not be encoded (a 500 instead of the 404), so they and control
        # characters are written as escapes.
        param = escape_controls(self.param, keep="") if self.param is not None else None
        return {"error": {"message": escape_controls(self.message, keep="\n"), "type": self.type, "code": self.code,
                          "param": param}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def not_found(what: str, name: str, *, openai: bool) -> ApiError:
    """404 for an unknown knowledge base (a "model" to OpenAI clients)."""
    if openai:
        return ApiError(404, f"the model '{name}' does not exist: GET /v1/models lists the knowledge bases "
                             "and the LLM", code="model_not_found", param="model")
    return ApiError(404, f"{what} '{name}' does not exist", code=f"{what.replace(' ', '_')}_not_found")


def too_large() -> ApiError:
    return ApiError(413, "the request body is too large: an upload request may hold YIZHI_API_MAX_BODY_MB "
                         f"(all its files), any other request {OTHER_BODY_MB} MB", code="body_too_large")


def from_yizhi(exc: YizhiError, path: str = "") -> ApiError:
    """The API error for one of Yizhi's own errors (with the server's setting it is about)."""
    error = _from_yizhi(exc, path)
    if exc.setting and "YIZHI_" not in error.message:
        error.message += f" (server setting YIZHI_{exc.setting.upper()})"
    return error


def _from_yizhi(exc: YizhiError, path: str) -> ApiError:
    if isinstance(exc, KnowledgeBaseNotFound):
        return not_found("knowledge base", exc.name, openai=path.startswith("/v1/"))
    if isinstance(exc, KnowledgeBaseBusy):
        return ApiError(503, str(exc), type="server_error", code="knowledge_base_busy", retry_after=BUSY_RETRY_S)
    if isinstance(exc, VectorStoreUnavailable):  # the server's Milvus, not the request: 503, try again later
        return ApiError(503, str(exc), type="server_error", code=exc.code, retry_after=STORE_RETRY_S)
    if isinstance(exc, EmbedderMismatch):
        return ApiError(409, str(exc), code="embedder_mismatch")
    if isinstance(exc, DiskFull):  # the server's disk, not the request: 507 Insufficient Storage
        return ApiError(507, f"{exc}: free some space on the server's disk and try again", type="server_error",
                        code="disk_full")
    if isinstance(exc, LlmUnavailable):  # the chat server at YIZHI_LLM_URL, not the request: 503
        return ApiError(503, str(exc), type="server_error", code=exc.code)
    if isinstance(exc, ModelLoadError):
        return ApiError(500, str(exc), type="server_error", code="model_unavailable")
    if isinstance(exc, ConfigError | LoaderError):
        return ApiError(400, str(exc), code=exc.code if exc.code != "error" else "invalid_value")
    return ApiError(500, str(exc), type="server_error", code=exc.code)


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return ApiError(400, "the request body is not valid JSON", code="invalid_json").response()
    missing_body = [e for e in errors if e.get("type") == "missing" and tuple(e.get("loc", ())) == ("body",)]
    if missing_body:
        return ApiError(400, "the request body is empty: send a JSON object (Content-Type: application/json)",
                        code="empty_body").response()
    first = errors[0] if errors else {}
    param = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
    return ApiError(422, _describe(errors), code="invalid_value", param=param).response()


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 413:
        return too_large().response()
    messages = {404: f"no such endpoint: {request.url.path} (the endpoints are listed at /docs)",
                405: f"{request.method} is not allowed on {request.url.path}"}
    message = messages.get(exc.status_code) or str(exc.detail)
    kind = "server_error" if exc.status_code >= 500 else INVALID
    return ApiError(exc.status_code, message, type=kind, code=f"http_{exc.status_code}",
                    headers=dict(exc.headers or {})).response()


async def _api(request: Request, exc: ApiError) -> JSONResponse:
    return exc.response()


async def _yizhi(request: Request, exc: YizhiError) -> JSONResponse:
    error = from_yizhi(exc, request.url.path)
    if error.status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    return error.response()


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return ApiError(500, f"unexpected {type(exc).__name__}: details are in the server's log file",
                    type="server_error", code="internal_error").response()


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(YizhiError, _yizhi)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
