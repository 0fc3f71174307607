"""OCR keeps to the machine: ONNX Runtime writes nothing under ~/.cache/Microsoft and looks
no host up (real OCR of a generated scan, in a subprocess with a HOME of its own).

Without `ORT_DISABLE_TELEMETRY` ONNX Runtime wrote a device id there as it loaded and
looked up mobile.events.data.microsoft.com about 9 s later, from a native thread; so the
subprocess stays alive a while after reading, and host lookups are recorded (and
refused) twice: in Python (`socket.getaddrinfo`, `gethostbyname`) and, where a C compiler
is at hand, in libc itself (a small LD_PRELOAD library, inherited by the worker
processes that read pages), which sees the native ones.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.offline import PYTHON_PRELUDE, libc_shim

pymupdf = pytest.importorskip("pymupdf")
pytest.importorskip("rapidocr")

PROJECT = Path(__file__).resolve().parents[2]
LINGER_SECONDS = 15  # the lookup came about 9 s after ONNX Runtime started

# What the subprocess runs after the lookups are refused: a real ingestion-style read.
RUNNER = PYTHON_PRELUDE + r"""
if __name__ == "__main__":
    from ingest.loaders import load_file

    documents = load_file(Path(sys.argv[1]), source="scan", content_hash="h")
    print(json.dumps([d.text for d in documents], ensure_ascii=False))
    time.sleep(float(sys.argv[2]))
"""

LINES = ["扫描的页面没有文字层，", "需要光学字符识别才能检索。"]


@dataclass
class Run:
    home: Path
    lookups: list[str]
    texts: str
    libc_watched: bool
    stderr: str


def _scanned_pdf(path: Path) -> Path:
    """Two image-only pages (so that the worker processes read them)."""
    doc = pymupdf.open()
    for _ in range(2):
        source = pymupdf.open()
        page = source.new_page(width=420, height=200)
        for i, line in enumerate(LINES):
            page.insert_text((30, 60 + 30 * i), line, fontname="china-s", fontsize=18)
        doc.new_page(width=420, height=200).insert_image(pymupdf.Rect(0, 0, 420, 200), pixmap=page.get_pixmap(dpi=150))
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def ocr_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("offline")
    home = folder / "home"
    home.mkdir()
    log = folder / "lookups.log"
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME", "LD_PRELOAD")}
    env.update(HOME=str(home), LOOKUP_LOG=str(log))  # Yizhi itself must turn telemetry off
    shim = libc_shim(folder)
    if shim is not None:
        env["LD_PRELOAD"] = str(shim)
    done = subprocess.run([sys.executable, "-c", RUNNER, str(_scanned_pdf(folder / "scan.pdf")), str(LINGER_SECONDS)],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    lookups = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return Run(home, lookups, done.stdout, shim is not None, done.stderr)


@pytest.mark.slow
def test_ocr_really_ran(ocr_run: Run) -> None:
    assert ocr_run.texts.count("识别") >= 2, ocr_run.texts + ocr_run.stderr[-2000:]


@pytest.mark.slow
def test_onnxruntime_writes_nothing_in_home(ocr_run: Run) -> None:
    assert not (ocr_run.home / ".cache" / "Microsoft").exists()
    assert [str(p.relative_to(ocr_run.home)) for p in ocr_run.home.rglob("*")] == []


@pytest.mark.slow
def test_no_host_is_looked_up(ocr_run: Run) -> None:
    assert ocr_run.lookups == []
    if not ocr_run.libc_watched:
        pytest.skip("no C compiler: only lookups made from Python were watched")
