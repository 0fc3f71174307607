"""End to end in a real browser: the real app (real service, embedder and LLM) on a free
port with an empty data directory; create a knowledge base, upload a Chinese document,
ask about it, and see an answer whose sources name that file.

Needs Debian's chromium and fonts-noto-cjk (.ci/run installs them). Screenshots are
saved in the test's temporary folder (kb.png, chat.png, and failure.png on failure).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]
DOC_NAME = "望月茶馆.md"
DOC_TEXT = ("# 望月茶馆\n\n望月茶馆位于青石镇东街，每天早上七点开门，晚上十点关门。\n\n"
            "招牌茶是桂花乌龙，用本地桂花窨制三次。从青石镇汽车站步行十分钟即可到达。\n")
KB = "茶馆资料"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the server did not answer at {url} within {timeout}s")


@pytest.fixture
def app_url(tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install chromium fonts-noto-cjk (done by .ci/run)")
    data = tmp_path / "data"
    models = data / "models"
    models.mkdir(parents=True)
    # The default LLM is assembled into <data>/models on first use; link an already
    # assembled copy from the project instead of writing 250 MB again.
    for gguf in (ROOT / "data" / "models").glob("*.gguf"):
        (models / gguf.name).symlink_to(gguf)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}
    env.update(YIZHI_DATA_DIR=str(data), YIZHI_LLM_MAX_TOKENS="48")
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.ui.serve_cli", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--client.toolbarMode", "minimal"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, timeout=60)
        (tmp_path / "timings.json").write_text(json.dumps({"server_healthy_s": time.monotonic() - started}))
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_upload_then_ask_in_a_real_browser(app_url: str, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    doc = tmp_path / DOC_NAME
    doc.write_text(DOC_TEXT, encoding="utf-8")
    timings = json.loads((tmp_path / "timings.json").read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
        try:
            t0 = time.monotonic()
            page.goto(app_url)
            expect(page.get_by_text("还没有知识库")).to_be_visible(timeout=30_000)
            timings["first_page_s"] = time.monotonic() - t0

            page.get_by_role("link", name="知识库 Knowledge bases").click()
            page.get_by_label("新建知识库 New knowledge base", exact=True).fill(KB)
            page.get_by_role("button", name="创建 Create").click()
            expect(page.get_by_text(f"已创建知识库 created: {KB}")).to_be_visible(timeout=30_000)

            page.locator("input[type=file]").set_input_files(str(doc))
            upload = page.get_by_role("button", name="上传并索引 Upload & index")
            expect(upload).to_be_enabled(timeout=30_000)
            t0 = time.monotonic()
            upload.click()
            report = page.get_by_text("上次上传结果")
            expect(report).to_be_visible(timeout=180_000)
            timings["upload_and_index_s"] = time.monotonic() - t0
            expect(page.get_by_text(f"已索引 indexed：{DOC_NAME}")).to_be_visible()
            page.screenshot(path=str(tmp_path / "kb.png"))

            page.get_by_role("link", name="问答 Chat").click()
            box = page.get_by_placeholder("输入问题… Ask a question")
            expect(box).to_be_enabled(timeout=30_000)
            t0 = time.monotonic()
            box.fill("望月茶馆每天几点开门？")
            box.press("Enter")
            sources = page.get_by_text("来源 Sources")
            expect(sources).to_be_visible(timeout=300_000)
            timings["first_answer_s"] = time.monotonic() - t0
            sources.click()
            cited = page.get_by_text(f"[1] {DOC_NAME}")
            expect(cited).to_be_visible(timeout=30_000)
            expect(page.locator("mark").first).to_be_visible()  # matched words highlighted
            assert page.locator('[data-testid="stException"]').count() == 0
            cited.scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "chat.png"))
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            (tmp_path / "timings.json").write_text(json.dumps(timings, indent=2))
            browser.close()
