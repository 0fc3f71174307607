"""What every request passes before the app reads a byte of its body: the API key, then the
size limits.

A keyless 300 MB upload used to be spooled to disk in full before its 401, because FastAPI
reads a form before it runs a route's dependencies. Here the key is checked on the headers
alone, and the body's size by its `Content-Length` (refused before reading) and, without
one, while it streams in (`RequestBodyLimitMiddleware` stops at the limit). Uploads
(multipart) may hold `YIZHI_API_MAX_BODY_MB`, anything else `OTHER_BODY_MB`. The docs
pages and their assets hold no data and need no key.
"""
from __future__ import annotations

from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.auth import key_error
from app.api.errors import ApiError, too_large

OPEN_PATHS = ("/docs", "/redoc", "/openapi.json")  # and what lies under them (the docs' own assets)


def is_open(path: str) -> bool:
    return any(path == open_path or path.startswith(open_path + "/") for open_path in OPEN_PATHS)


class Gatekeeper:
    def __init__(self, app: ASGIApp, key: bytes, upload_bytes: int, other_bytes: int) -> None:
        self.key = key
        self.limits = {True: upload_bytes, False: other_bytes}
        self.apps = {True: RequestBodyLimitMiddleware(app, max_body_size=upload_bytes),
                     False: RequestBodyLimitMiddleware(app, max_body_size=other_bytes)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.apps[False](scope, receive, send)
        headers = dict(scope.get("headers") or ())
        refused = None if is_open(scope.get("path", "")) else key_error(self.key, headers.get(b"authorization"))
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        declared = headers.get(b"content-length")
        if refused is None and declared is not None:
            if not declared.strip().isdigit():
                refused = ApiError(400, "the Content-Length header is not a number", code="invalid_content_length")
            elif int(declared) > self.limits[multipart]:  # refused before reading a byte
                refused = too_large()
        if refused is not None:
            return await refused.response()(scope, receive, send)
        await self.apps[multipart](scope, receive, send)  # a body without Content-Length is counted as it comes
