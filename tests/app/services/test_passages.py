"""A passage by its id with its neighbours (what the MCP tool `get_passage` reads), on a
real knowledge base (a fake embedder keeps it fast)."""
from __future__ import annotations

import pytest

from app.services import build_services
from core.errors import ConfigError, KnowledgeBaseNotFound, PassageNotFound
from tests.app.services.test_services import TEA


@pytest.fixture
def filled(settings, fake_embedder, fake_generator, tmp_path):
    service = build_services(settings.with_overrides({"chunk_size": 60, "chunk_overlap": 10}),
                             embedder=fake_embedder, generator=fake_generator)
    path = tmp_path / "茶馆.md"
    path.write_bytes(TEA)
    other = tmp_path / "other.txt"
    other.write_text("青石镇的银杏树有一百年了。", encoding="utf-8")
    service.knowledge.ingest("kb", [path, other])
    yield service
    service.close()


def test_a_passage_comes_with_its_neighbours_in_document_order(filled):
    hits = filled.answers.search("桂花乌龙", ["kb"], 5)
    middle = next(h.chunk for h in hits if "桂花乌龙" in h.chunk.text)
    assert filled.knowledge.knowledge_base_of(["nokb", "kb"], middle) == "kb"
    window = filled.knowledge.passage("kb", middle.chunk_id, radius=1)
    assert window.passage.text == middle.text and window.kb_name == "kb"
    assert [c.position for c in window.before] == [middle.position - 1]
    assert all(c.source == middle.source for c in window.before + window.after)
    assert all(c.position == middle.position + 1 for c in window.after)
    alone = filled.knowledge.passage("kb", middle.chunk_id, radius=0)
    assert alone.before == () and alone.after == ()
    wide = filled.knowledge.passage("kb", middle.chunk_id, radius=5)
    assert "银杏树有一百年" not in "".join(c.text for c in wide.before + wide.after)  # the other document's


def test_unknown_passages_and_knowledge_bases_and_bad_radii_are_errors(filled):
    with pytest.raises(PassageNotFound):
        filled.knowledge.passage("kb", 10_000)
    with pytest.raises(KnowledgeBaseNotFound):
        filled.knowledge.passage("nokb", 1)
    with pytest.raises(ConfigError):
        filled.knowledge.passage("kb", 1, radius=99)
