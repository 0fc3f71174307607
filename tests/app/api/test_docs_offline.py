"""/docs and /redoc work offline: Chromium loads them from a real server and every request
goes to this machine (FastAPI's pages loaded Swagger UI, ReDoc and fonts from public CDNs,
so offline they were blank). Skipped without /usr/bin/chromium."""
from __future__ import annotations

import pytest

from tests.app.ui.test_e2e_browser import CHROMIUM, FLAGS
from tests.app.ui.test_offline_browser import outside

pytestmark = pytest.mark.slow


def test_the_docs_pages_render_from_this_server_alone(serve):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent")
    from playwright.sync_api import expect, sync_playwright

    server = serve()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        context = browser.new_context()
        requested: list[str] = []
        blocked: list[str] = []  # refused by the browser itself (the pages' Content-Security-Policy): never sent
        context.on("request", lambda request: requested.append(request.url))
        context.on("requestfailed", lambda request: blocked.append(request.url)
                   if (request.failure or "").lower() in ("csp", "net::err_blocked_by_csp") else None)
        page = context.new_page()
        try:
            page.goto(server.url + "/docs")
            expect(page.get_by_text("/v1/chat/completions").first).to_be_visible(timeout=30_000)
            page.goto(server.url + "/redoc")
            expect(page.get_by_role("heading", name="Answer from a knowledge base").first).to_be_visible(timeout=30_000)
        finally:
            browser.close()
    assert any(r.endswith("swagger-ui-bundle.js") for r in requested)
    print(f"refused by the pages' policy: {blocked}")
    assert [r for r in requested if outside(r) and r not in blocked] == []
