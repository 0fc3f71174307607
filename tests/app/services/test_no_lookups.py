"""Nothing leaves the machine: an ingest and an answer with the real models look up no host.

The work runs in a subprocess whose name lookups are all recorded, and refused:

- at the C library (`getaddrinfo`, `gethostbyname` and their variants), by a small shim
  (tests/offline.py) compiled and loaded with LD_PRELOAD, so native code (onnxruntime's telemetry
  resolved mobile.events.data.microsoft.com) is caught too; skipped without a C compiler;
- in Python (`socket.getaddrinfo` and friends), which also catches Python code when there
  is no compiler.

Numeric addresses and `localhost` pass (they need no lookup). The subprocess ingests a text
file, then answers a question with the real default embedder and LLM through the services
(an OCR ingest is watched the same way in tests/ingest/test_ocr_offline.py).
HOME is a fresh folder, so whatever the run writes outside its data folder shows up too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.offline import PYTHON_PRELUDE, libc_shim

pytestmark = pytest.mark.slow

WORK = PYTHON_PRELUDE + r"""
import json, sys
from pathlib import Path

from app.services import build_services
from app.settings import load_settings

settings = load_settings()
services = build_services(settings)
docs = Path(sys.argv[1])
summary = services.knowledge.ingest("kb", sorted(docs.iterdir()))
answer = services.answers.ask("望月茶馆每天几点开门？", ["kb"])
print(json.dumps({"outcomes": [[Path(o.path).name, str(o.status), o.ocr_pages] for o in summary.outcomes],
                  "answer": answer.text, "refused": answer.refused}, ensure_ascii=False))
services.close()
"""


def _run(tmp_path: Path, model: Path) -> tuple[dict, list[str], list[str], str]:
    """Ingest a text file and answer in a subprocess whose lookups
    are refused: its result, the hosts it looked up, the files it wrote in HOME, the shim's state."""
    from tests.app.conftest import share_default_model

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "茶馆.md").write_text("# 望月茶馆\n\n望月茶馆位于青石镇东街，每天早上七点开门，晚上十点关门。\n", encoding="utf-8")
    data, home, log = tmp_path / "data", tmp_path / "home", tmp_path / "lookups.log"
    home.mkdir()
    share_default_model(model, data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}
    env.update(YIZHI_DATA_DIR=str(data), YIZHI_LLM_MAX_TOKENS="48", LOOKUP_LOG=str(log), HOME=str(home))
    library = libc_shim(tmp_path)
    if library is not None:
        env["LD_PRELOAD"] = str(library)
    done = subprocess.run([sys.executable, "-c", WORK, str(docs)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=800)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(status in ("added", "updated") for _, status, _ in result["outcomes"]), result["outcomes"]
    assert result["answer"] and not result["refused"]
    lookups = log.read_text().splitlines() if log.exists() else []
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    return result, lookups, written, "on" if library else "off (no C compiler: Python-level lookups only)"


@pytest.mark.timeout(900)
def test_an_ingest_and_an_answer_look_up_no_host(tmp_path, assembled_default_model):
    result, lookups, written, shim = _run(tmp_path, assembled_default_model)
    print(f"C-level shim {shim}; outcomes {result['outcomes']}")
    assert lookups == [], f"hosts looked up: {lookups}"
    assert written == [], f"written outside the data folder, in HOME: {written}"


