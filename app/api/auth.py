"""API keys: with `YIZHI_API_KEY` set, every endpoint needs `Authorization: Bearer <key>`,
compared in constant time. (Without a key the server listens on loopback only: serve_cli.)
"""
from __future__ import annotations

import hmac

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.errors import ApiError

# auto_error=False: a missing key gets Yizhi's 401 (OpenAI's shape), not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="the server's YIZHI_API_KEY (only when one is set)")


def key_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison (of UTF-8 bytes, so non-ASCII keys work too)."""
    return given is not None and hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


async def require_key(request: Request,
                      credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """The dependency every router carries: a no-op unless a key is configured."""
    expected = request.app.state.services.settings.api_key
    if not expected:
        return
    if credentials is None:
        raise ApiError(401, "an API key is required: send the header `Authorization: Bearer <YIZHI_API_KEY>`",
                       code="missing_api_key", headers={"WWW-Authenticate": "Bearer"})
    if not key_matches(expected, credentials.credentials):
        raise ApiError(401, "the API key is wrong: send the server's YIZHI_API_KEY as `Authorization: Bearer <key>`",
                       code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})
