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
