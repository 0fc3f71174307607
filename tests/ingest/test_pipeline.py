"""Incremental ingestion into a real knowledge base (each test once per backend: `open_kb`)."""
from pathlib import Path

import pytest

from ingest.pipeline import IngestPipeline
from retrieval.search import HybridSearcher

DOCS = {
    "rcep.txt": "《区域全面经济伙伴关系协定》（RCEP）由东盟十国以及中国、日本、韩国、澳大利亚、新西兰共十五个国家签署。",
    "tea.md": "# 茶叶\n\n## 龙井\n\n西湖龙井产于浙江杭州西湖一带，是中国十大名茶之一。\n\n## 普洱\n\n普洱茶产于云南，以后发酵著称。",
    "panda.txt": "大熊猫主要生活在中国四川、陕西和甘肃的山区，以竹子为主要食物。",
}


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _pipeline(open_kb, settings, embedder):
    kb = open_kb(settings.kb_root, "test", create=True)
    return kb, IngestPipeline(kb, embedder, settings.ingest_config(), progress=False)


def test_add_skip_update_remove_prune(tmp_path, settings, fake_embedder, open_kb):
    docs = tmp_path / "docs"
    _write(docs, DOCS)
    (docs / "notes.xyz").write_text("?", encoding="utf-8")
    kb, pipeline = _pipeline(open_kb, settings, fake_embedder)

    first = pipeline.run([docs])
    assert first.count("added") == 3 and first.chunks >= 3
    assert [o.reason for o in first.failures] == ["unsupported file type '.xyz'"]
    tea = kb.document(str((docs / "tea.md").resolve()))
    assert tea.status == "ok" and tea.chunks == 2

    # an unchanged folder does no embedding work at all
    fake_embedder.calls.clear()
    again = pipeline.run([docs])
    assert again.count("skipped") == 3 and fake_embedder.calls == []

    # a changed file's old chunks are replaced
    (docs / "panda.txt").write_text("小熊猫生活在喜马拉雅山脉的森林里。", encoding="utf-8")
    changed = pipeline.run([docs])
    assert changed.count("updated") == 1 and changed.count("skipped") == 2
    assert len(fake_embedder.calls) == 1
    texts = [c.text for c in kb.chunks(list(range(1, 100))).values()]
    assert not any("大熊猫" in t for t in texts) and any("小熊猫" in t for t in texts)

    assert pipeline.remove(docs / "rcep.txt")
    assert kb.document(str((docs / "rcep.txt").resolve())) is None
    (docs / "tea.md").unlink()
    assert pipeline.prune() == [str((docs / "tea.md").resolve())]
    assert [Path(d.path).name for d in kb.documents()] == ["panda.txt"]


def test_unreadable_file_is_reported_and_batch_goes_on(tmp_path, settings, fake_embedder, open_kb):
    docs = tmp_path / "docs"
    _write(docs, {"ok.txt": "这是一个正常的文件。"})
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 20)
    kb, pipeline = _pipeline(open_kb, settings, fake_embedder)
    summary = pipeline.run([docs, tmp_path / "missing-folder"])
    assert summary.count("added") == 1
    reasons = {Path(o.path).name: o.reason for o in summary.failures}
    assert set(reasons) == {"empty.txt", "binary.txt", "missing-folder"}
    assert all(reasons.values())
    assert kb.document(str((docs / "binary.txt").resolve())).status == "failed"


@pytest.mark.slow
def test_real_embedder_finds_the_right_chinese_chunk(tmp_path, settings, use_embedder, open_kb):
    docs = tmp_path / "docs"
    _write(docs, DOCS)
    kb, pipeline = _pipeline(open_kb, settings, use_embedder)
    pipeline.run([docs])
    searcher = HybridSearcher(kb, use_embedder, settings.search_config())
    cases = {"RCEP有哪些成员国？": "rcep.txt", "龙井茶产自哪里": "tea.md", "熊猫吃什么": "panda.txt"}
    for question, expected in cases.items():
        results = searcher.search(question, 3)
        assert Path(results[0].chunk.source).name == expected, question
    top = searcher.search("普洱茶有什么特点", 1)[0]
    assert top.chunk.heading == "茶叶 > 普洱" and -1.0 <= top.relevance <= 1.0


def test_a_renamed_file_keeps_its_chunks_without_embedding(tmp_path, settings, fake_embedder, open_kb):
    docs = tmp_path / "docs"
    _write(docs, DOCS)
    kb, pipeline = _pipeline(open_kb, settings, fake_embedder)
    pipeline.run([docs])
    ids = set(kb.chunk_ids().tolist())
    (docs / "tea.md").rename(docs / "茶.md")
    fake_embedder.calls.clear()
    summary = pipeline.run([docs])
    assert summary.count("moved") == 1 and fake_embedder.calls == []
    assert set(kb.chunk_ids().tolist()) == ids and pipeline.prune() == []
    found = HybridSearcher(kb, fake_embedder, settings.search_config()).search("西湖龙井", k=1)
    assert found and found[0].chunk.source == str((docs / "茶.md").resolve())
