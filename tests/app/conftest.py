"""Fixtures for the answering tests: a recording fake LLM and a tiny Chinese knowledge base."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from core.text import fold
from core.types import ScoredChunk
from prompts.types import GenerationRequest
from retrieval.embedders import Embedder
from tests.conftest import RecordingEmbedder

TINY_DOCS = {
    "rcep.txt": "《区域全面经济伙伴关系协定》（RCEP）由东盟十国以及中国、日本、韩国、澳大利亚、新西兰共十五个国家签署。"
                "协定于2022年1月1日正式生效。",
    "panda.txt": "大熊猫是中国特有的动物，主要生活在四川、陕西和甘肃的山区。大熊猫主要吃竹子，每天要吃十几公斤竹子。",
}


class RecordingGenerator:
    """A stand-in `Generator` (app/llm/generator.py) that replies with fixed text and records
    every request. Counts one token per character, which is close to how CJK text tokenizes.
    """

    name = "recording-generator"
    chat = False  # a base model: the answer flow checks its draft before showing it
    context_window = 2048
    max_tokens = 200

    def __init__(self, reply: str = "RCEP包括东盟十国和中国、日本、韩国、澳大利亚、新西兰。[1]") -> None:
        self.reply = reply
        self.calls: list[GenerationRequest] = []

    def count_tokens(self, text: str) -> int:
        return len(text)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        self.calls.append(request)
        for i in range(0, len(self.reply), 3):
            yield self.reply[i:i + 3]


class FixedRetriever:
    """A stand-in `Retriever` (app/answering/flow.py): the same results for every query; it
    records the queries."""

    def __init__(self, results: Sequence[ScoredChunk] = (), embedder: Embedder | None = None) -> None:
        self.results = list(results)
        self.embedder = embedder if embedder is not None else RecordingEmbedder()
        self.queries: list[str] = []

    def search(self, query: str) -> list[ScoredChunk]:
        self.queries.append(query)
        return list(self.results)

    def document_text(self, source: str) -> str:
        return "\n".join(fold(r.chunk.retrieval_text) for r in self.results if r.chunk.source == source)


@pytest.fixture
def fake_generator() -> RecordingGenerator:
    return RecordingGenerator()


def write_docs(folder: Path, docs: dict[str, str] = TINY_DOCS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


@pytest.fixture(scope="session")
def assembled_default_model(tmp_path_factory) -> Path:
    """The default GGUF, assembled once per test session."""
    from app.llm.generator import resolve_model_path
    return resolve_model_path("", tmp_path_factory.mktemp("llm"))


def share_default_model(assembled: Path, data_dir: Path) -> None:
    """Hard-link the assembled default model into `data_dir/models` (no second 253 MB copy)."""
    target = data_dir / "models" / assembled.name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(assembled, target)
    except OSError:
        shutil.copyfile(assembled, target)


@pytest.fixture
def tiny_docs(tmp_path: Path) -> list[Path]:
    return write_docs(tmp_path / "docs")
