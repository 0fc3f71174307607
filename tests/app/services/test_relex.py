"""`python -m ingest --relex --kb NAME`: the keyword index made again with the user dictionary."""
from __future__ import annotations

from app.cli.ingest_cli import parse_args
from app.services import build_services
from retrieval.kb.opening import open_catalogue_knowledge_base
from tests.app.conftest import write_docs


def test_relex_is_a_command_of_its_own():
    args = parse_args(["--relex", "--kb", "papers"])
    assert args.relex and args.kb == "papers" and not args.paths


def test_relex_uses_the_user_dictionary(settings, fake_embedder, fake_generator, tmp_path):
    svc = build_services(settings, embedder=fake_embedder, generator=fake_generator)
    try:
        svc.knowledge.ingest("kb", write_docs(tmp_path / "docs", {"menu.txt": "招牌菜是龙井虾仁和桂花糕。"}))
        kb_path = settings.kb_root / "kb"
        (kb_path / "dict.txt").write_text("龙井虾仁\n", encoding="utf-8")
        embedded = len(fake_embedder.calls)
        line = svc.knowledge.relex("kb")
        assert line.startswith("lexical rows of 1 chunks made again") and "vocabulary terms" in line
        assert len(fake_embedder.calls) == embedded  # nothing re-embedded
        with open_catalogue_knowledge_base(settings.kb_root, "kb") as kb:
            assert "龙井虾仁" in kb.vocabulary().terms
            tokens = kb.catalogue.rows("SELECT tokens FROM chunks_fts")[0][0].split()
            assert "龙井虾仁" in tokens
    finally:
        svc.close()
