"""Keys and exposure: with YIZHI_API_KEY every endpoint needs the bearer key; without one the
server refuses to listen beyond loopback and says why; CORS stays off unless configured."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from app.api.serve_cli import exposure_problem, is_loopback

ROOT = Path(__file__).resolve().parents[3]
KEY = "s3cret-key-0123456789"


def test_every_endpoint_needs_the_key_when_one_is_set(serve):
    server = serve(api_key=KEY)
    endpoints = [("get", "/v1/models", None), ("get", "/api/v1/knowledge_bases", None),
                 ("post", "/api/v1/search", {"query": "x"}), ("post", "/v1/embeddings", {"model": "kb", "input": "x"}),
                 ("post", "/v1/chat/completions", {"model": "kb", "messages": [{"role": "user", "content": "x"}]}),
                 ("delete", "/api/v1/knowledge_bases/kb", None), ("get", "/api/v1/jobs/x", None)]
    with server.client() as anonymous, server.client("wrong") as wrong, server.client(KEY) as right:
        for method, path, body in endpoints:
            kwargs = {"json": body} if body is not None else {}
            missing = getattr(anonymous, method)(path, **kwargs)
            assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer", path
            assert missing.json()["error"]["code"] == "missing_api_key"
            bad = getattr(wrong, method)(path, **kwargs)
            assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_api_key", path
            assert getattr(right, method)(path, **kwargs).status_code != 401, path
        assert anonymous.get("/v1/models", headers={"Authorization": f"Basic {KEY}"}).status_code == 401
        assert anonymous.get("/docs").status_code == 200  # the docs pages hold no data
        assert "/v1/chat/completions" in anonymous.get("/openapi.json").json()["paths"]
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0).models.list()
    assert openai.OpenAI(base_url=server.url + "/v1", api_key=KEY).models.list().data[0].id == "gemma3-270m"


def test_no_key_no_check_and_cors_off_unless_configured(serve):
    plain = serve()
    with plain.client() as client:
        assert client.get("/v1/models").status_code == 200
        preflight = client.options("/v1/models", headers={"Origin": "http://evil.example",
                                                          "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in preflight.headers
    open_to = serve(api_cors_origins="http://localhost:3000, http://chat.local")
    with open_to.client() as client:
        allowed = client.get("/v1/models", headers={"Origin": "http://chat.local"})
        assert allowed.headers["access-control-allow-origin"] == "http://chat.local"
        other = client.get("/v1/models", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
                                            ("127.0.0.2", True), ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.20", False), ("my-laptop", False)])
def test_only_loopback_hosts_count_as_local(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_refuses_a_non_loopback_host_without_a_key(settings, tmp_path):
    assert exposure_problem("127.0.0.1", settings) == ""
    assert exposure_problem("0.0.0.0", settings.with_overrides(api_key=KEY)) == ""
    assert "YIZHI_API_KEY" in exposure_problem("0.0.0.0", settings)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}, "YIZHI_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8999"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "refusing to listen on 0.0.0.0 without an API key" in proc.stderr
    assert "YIZHI_API_KEY" in proc.stderr and "Traceback" not in proc.stderr


def _raw_request(port: int, head: bytes, body_sent: bytes) -> bytes:
    """Send a request's head and the start of its body, then read what the server says back
    without sending the rest (a server that waited for the whole body would say nothing)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body_sent)
        received = b""
        while b"\r\n\r\n" not in received:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
        return received


def test_the_key_and_the_size_are_checked_before_the_body_is_read(serve):
    """A keyless 300 MB upload cost 300 MB of disk before its 401: now the 401 (and the 413 of an
    upload over the limit) come back when a few kilobytes of the body have been sent."""
    server = serve(api_key=KEY)  # 1024 MB may be uploaded with the key
    boundary = b"yizhi-boundary"
    start = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
             b"Content-Type: text/plain\r\n\r\n" + b"x" * 65536)
    head = (b"POST /api/v1/knowledge_bases/kb/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n")
    keyless = _raw_request(server.port, head + b"Content-Length: 314572800\r\n\r\n", start)
    assert keyless.startswith(b"HTTP/1.1 401"), keyless[:200]
    chunked = _raw_request(server.port, head + b"Transfer-Encoding: chunked\r\n\r\n",
                           b"%x\r\n" % len(start) + start + b"\r\n")
    assert chunked.startswith(b"HTTP/1.1 401"), chunked[:200]
    strict = serve(api_key=KEY, api_max_body_mb=50)
    too_big = _raw_request(strict.port, head + f"Authorization: Bearer {KEY}\r\n".encode()
                           + b"Content-Length: 314572800\r\n\r\n", start)
    assert too_big.startswith(b"HTTP/1.1 413"), too_big[:300]
    with server.client(KEY) as client:
        assert client.get("/api/v1/knowledge_bases").status_code == 200


def test_a_key_is_trimmed_and_a_blank_or_non_ascii_key_is_refused_at_start(serve, settings, tmp_path):
    from app.api.auth import key_problem
    from app.api.server import create_app
    from app.services import build_services
    from core.errors import ConfigError

    server = serve(api_key=f"  {KEY}\n")
    with server.client(KEY) as client:
        assert client.get("/v1/models").status_code == 200
    with server.client() as client:
        assert client.get("/v1/models").status_code == 401  # a key was set: it is not "no key"

    assert "only whitespace" in key_problem("   ")
    assert "U+5BC6" in key_problem("密钥-0123456789")  # a header is decoded as Latin-1: it could never match
    assert key_problem("") == "" and key_problem(KEY) == ""
    for bad in ("   ", "密钥-0123456789"):
        with pytest.raises(ConfigError, match="YIZHI_API_KEY"):
            create_app(build_services(settings.with_overrides(api_key=bad)))
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}, "YIZHI_DATA_DIR": str(tmp_path),
               "YIZHI_API_KEY": bad}
        proc = subprocess.run([sys.executable, "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8999"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "YIZHI_API_KEY" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
