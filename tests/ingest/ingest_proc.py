"""Helpers for tests that run `python -m ingest` in subprocesses (crash and concurrency)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PARAGRAPH = ("知识库问答系统在笔记本电脑上离线运行，只根据检索到的已知信息回答问题。"
             "检索不到相关内容时，它拒绝回答，而不是编造一个看似合理的答案。")


def make_docs(folder: Path, count: int, prefix: str) -> list[Path]:
    """`count` text files of a few chunks each; file i holds the unique word f"{prefix}{i:03d}"."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{prefix}{i:03d}.txt"
        path.write_text(f"{prefix}{i:03d}\n\n" + "\n\n".join([PARAGRAPH] * 4), encoding="utf-8")
        paths.append(path)
    return paths


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "YIZHI_DATA_DIR": str(data_dir), "YIZHI_OCR": "false",
            "YIZHI_CHUNK_SIZE": "120", "YIZHI_CHUNK_OVERLAP": "20", **extra}


def start_ingest(docs: Path, kb: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ingest", str(docs), "--kb", kb, "-q"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the database the way another process would (read-only); [] before it exists."""
    if not db_path.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # created but no tables yet
        return []


def committed(db_path: Path) -> int:
    rows = query(db_path, "SELECT COUNT(*) FROM documents WHERE status = 'ok'")
    return rows[0][0] if rows else 0


def wait_for(proc: subprocess.Popen, db_path: Path, at_least: int, timeout: float = 180) -> bool:
    """Wait until `at_least` documents are committed; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if committed(db_path) >= at_least:
            return True
        if proc.poll() is not None:
            return committed(db_path) >= at_least
        time.sleep(0.005)
    raise TimeoutError(f"no {at_least} committed documents after {timeout} s")
