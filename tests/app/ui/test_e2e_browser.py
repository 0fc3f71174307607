"""End to end in a real browser: the real app (real service, embedder and LLM) on a free
port with an empty data directory; create a knowledge base, upload a Chinese document,
ask about it and see an answer whose sources name that file; go to the knowledge-base
page and back and ask again in the same knowledge base; reload, reopen the conversation
from the sidebar and ask a follow-up; try the retrieval test page; and the same screens
in English.

Needs Debian's chromium and fonts-noto-cjk (.ci/run installs them). Screenshots (each
screen at 1400×1000 and at a laptop's 1280×800, in both languages) go to $E2E_SHOTS_DIR,
else to the test's temporary folder (and failure.png on failure).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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
SIZES = {"1400x1000": (1400, 1000), "1280x800": (1280, 800)}


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


def link_default_model(data: Path) -> None:
    """The default LLM is assembled into <data>/models on first use; link an already
    assembled copy from the project instead of writing 250 MB again."""
    models = data / "models"
    models.mkdir(parents=True, exist_ok=True)
    for gguf in (ROOT / "data" / "models").glob("*.gguf"):
        (models / gguf.name).symlink_to(gguf)


@contextmanager
def served_app(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """`python -m app.serving.ui_launcher` on a free loopback port with `env`, until the block ends;
    its output goes to `folder`/server.log."""
    port = _free_port()
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "app.serving.ui_launcher", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--client.toolbarMode", "minimal"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server, timeout=60)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def app_url(tmp_path: Path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install chromium fonts-noto-cjk (done by .ci/run)")
    data = tmp_path / "data"
    link_default_model(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}
    env.update(YIZHI_DATA_DIR=str(data), YIZHI_LLM_MAX_TOKENS="48")
    started = time.monotonic()
    with served_app(tmp_path, env) as url:
        (tmp_path / "timings.json").write_text(json.dumps({"server_healthy_s": time.monotonic() - started}))
        yield url


def _settled(page) -> None:
    """Wait until the page has finished its rerun: no element still shows the previous run."""
    page.wait_for_function("document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=60_000)


def _shoot(page, folder: Path, name: str) -> None:
    """The current screen at both sizes, once the rerun has finished (the viewport goes back
    to the larger one)."""
    _settled(page)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(700)  # let the layout settle at the new width
        page.screenshot(path=str(folder / f"{name}-{size}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})


@contextmanager
def zh_page(tmp_path: Path, width: int = 1400, height: int = 1000):
    """A Chromium page in a zh-CN locale at `width`×`height`; on a failure, what it showed is
    saved as failure.png in `tmp_path`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
        try:
            yield page
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            browser.close()


def _ask(page, expect, question: str, answers_before: int) -> None:
    box = page.get_by_placeholder("输入问题…")
    expect(box).to_be_enabled(timeout=30_000)
    box.fill(question)
    box.press("Enter")
    # every answer, refused or not, ends with its timings panel
    expect(page.get_by_text("耗时", exact=True).nth(answers_before)).to_be_visible(timeout=300_000)


def _open_sources(page) -> None:
    """Cited sources are always shown; a refusal's passages sit in a panel to open."""
    folded = page.get_by_text("个段落（没能据此作答）").or_(page.get_by_text("来源（"))
    if folded.count():
        folded.first.click()


@pytest.mark.timeout(1200)
def test_upload_ask_navigate_reload_reopen_in_a_real_browser(app_url: str, tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("E2E_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    doc = tmp_path / DOC_NAME
    doc.write_text(DOC_TEXT, encoding="utf-8")
    timings = json.loads((tmp_path / "timings.json").read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        try:
            t0 = time.monotonic()
            page.goto(app_url)
            expect(page.get_by_text("还没有知识库")).to_be_visible(timeout=30_000)
            timings["first_page_s"] = time.monotonic() - t0

            page.get_by_role("link", name="知识库").click()
            page.get_by_label("新建知识库", exact=True).fill(KB)
            page.get_by_role("button", name="创建").click()
            expect(page.get_by_text(f"已创建知识库：{KB}")).to_be_visible(timeout=30_000)
            page.locator("input[type=file]").set_input_files(str(doc))
            upload = page.get_by_role("button", name="上传并索引")
            expect(upload).to_be_enabled(timeout=30_000)
            t0 = time.monotonic()
            upload.click()
            expect(page.get_by_text("上次上传结果")).to_be_visible(timeout=180_000)
            timings["upload_and_index_s"] = time.monotonic() - t0
            expect(page.get_by_text("已索引").first).to_be_visible()
            _shoot(page, shots, "zh-kb")

            page.get_by_role("link", name="问答").click()
            expect(page.get_by_text("可以问些什么？")).to_be_visible(timeout=30_000)
            expect(page.get_by_text(f"{KB}：1 个文档")).to_be_visible()  # what the knowledge base holds
            _shoot(page, shots, "zh-welcome")
            t0 = time.monotonic()
            _ask(page, expect, "望月茶馆每天几点开门？", 0)
            timings["first_answer_s"] = time.monotonic() - t0
            _open_sources(page)
            expect(page.get_by_text(f"[1] {DOC_NAME}").first).to_be_visible(timeout=30_000)
            expect(page.locator("mark").first).to_be_visible()  # matched words and evidence highlighted
            _shoot(page, shots, "zh-chat")

            # to the knowledge-base page and back: the chat still asks the same knowledge base
            page.get_by_role("link", name="知识库").click()
            expect(page.get_by_text("当前知识库")).to_be_visible(timeout=30_000)
            page.get_by_role("link", name="问答").click()
            chips = page.locator('[data-testid="stMultiSelect"]').first
            expect(chips).to_contain_text(KB, timeout=30_000)
            assert "default" not in chips.inner_text()
            _ask(page, expect, "招牌茶是什么？", 1)
            _open_sources(page)
            expect(page.get_by_text(f"[1] {DOC_NAME}").last).to_be_visible(timeout=30_000)

            # a reload keeps the conversation; it is listed and reopens from the sidebar
            page.reload()
            expect(page.get_by_text("招牌茶是什么？").first).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="新对话").click()
            expect(page.get_by_text("可以问些什么？")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="望月茶馆每天几点开门？").click()
            expect(page.get_by_text("招牌茶是什么？").first).to_be_visible(timeout=30_000)
            _ask(page, expect, "那几点关门？", 2)
            assert page.locator('[data-testid="stChatMessage"]').count() == 6

            page.get_by_role("link", name="命中测试").click()
            expect(page.get_by_role("heading", name="命中测试")).to_be_visible(timeout=30_000)
            _settled(page)  # typed into a page still running, the question would be lost
            question = page.get_by_label("问题")
            question.fill("望月茶馆几点开门？")
            expect(question).to_have_value("望月茶馆几点开门？")
            question.press("Enter")  # submits the form, as a user pressing Enter would
            expect(page.get_by_text("个候选段落")).to_be_visible(timeout=60_000)
            _shoot(page, shots, "zh-retrieval")

            page.get_by_text("English", exact=True).click()
            expect(page.get_by_role("heading", name="Retrieval test")).to_be_visible(timeout=30_000)
            page.get_by_test_id("stForm").get_by_role("button", name="Search").click()  # (the table has one too)
            expect(page.get_by_text("candidate passage(s)")).to_be_visible(timeout=60_000)
            _shoot(page, shots, "en-retrieval")
            page.get_by_role("link", name="Knowledge bases").click()
            expect(page.get_by_text("Last upload").or_(page.get_by_text("Upload files"))).to_be_visible()
            _shoot(page, shots, "en-kb")
            page.get_by_role("link", name="Chat").click()
            expect(page.get_by_text("Cited sources").or_(page.get_by_text("Timings")).first).to_be_visible()
            _shoot(page, shots, "en-chat")
            page.get_by_role("button", name="New conversation").click()
            expect(page.get_by_text("What can I ask?")).to_be_visible(timeout=30_000)
            _shoot(page, shots, "en-welcome")
            assert page.locator('[data-testid="stException"]').count() == 0
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            (tmp_path / "timings.json").write_text(json.dumps(timings, indent=2))
            browser.close()
