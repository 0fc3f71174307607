"""API keys: with `YIZHI_API_KEY` set, every endpoint needs `Authorization: Bearer <key>`,
compared in constant time. (Without a key the server listens on loopback only: serve_cli.)

The key is checked by the `Gatekeeper` middleware (app/api/gatekeeper.py) before a byte of
the body is read, so a keyless upload costs neither memory nor disk; the routers carry
`documented_key` only so that /docs shows the bearer scheme. A key is used trimmed; one
that is only whitespace, or holds characters an HTTP header cannot carry, is refused when
the server starts (`key_problem`), with the reason.
"""
from __future__ import annotations

import hmac

from fastapi import Depends
from fastapi.security import HTTPBearer

from app.api.errors import ApiError

# auto_error=False: the key itself is checked by the Gatekeeper; this only documents it.
documented_key = Depends(HTTPBearer(auto_error=False, description="the server's YIZHI_API_KEY (only when one is set)"))

_HEADER_SAFE = {chr(c) for c in range(0x21, 0x7F)}  # visible ASCII: what a Bearer token can carry


def key_problem(key: str) -> str:
    """Why `key` cannot be the server's API key ("" when it can, or when none is set)."""
    if not key:
        return ""
    if not key.strip():
        return ("YIZHI_API_KEY is only whitespace: no client could send it, yet the server would count it as a "
                "key. Set a real key (for example `export YIZHI_API_KEY=$(openssl rand -hex 24)`) or unset it")
    unusable = sorted({c for c in key.strip() if c not in _HEADER_SAFE})
    if unusable:
        shown = ", ".join(f"U+{ord(c):04X}" for c in unusable[:5])
        return (f"YIZHI_API_KEY holds characters an HTTP header cannot carry ({shown}): clients send the key "
                "in the Authorization header, which holds visible ASCII only. Use letters, digits and punctuation "
                "(for example `export YIZHI_API_KEY=$(openssl rand -hex 24)`)")
    return ""


def server_key(configured: str) -> bytes:
    """The key requests must present, as bytes ("" when none is set); trimmed."""
    return configured.strip().encode("ascii", "strict") if configured.strip() else b""


def key_error(expected: bytes, authorization: bytes | None) -> ApiError | None:
    """The 401 for a request's Authorization header, or None when it may pass."""
    if not expected:
        return None
    scheme, _, given = (authorization or b"").strip().partition(b" ")
    if authorization is None or scheme.lower() != b"bearer":
        return ApiError(401, "an API key is required: send the header `Authorization: Bearer <YIZHI_API_KEY>`",
                        code="missing_api_key", headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(expected, given.strip()):
        return ApiError(401, "the API key is wrong: send the server's YIZHI_API_KEY as `Authorization: Bearer <key>`",
                        code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})
    return None
