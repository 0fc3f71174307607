"""Search over a real knowledge base (each test once per backend: `open_kb`) in which the same
paragraph was ingested from two files: it takes one slot of the results, and names the other
file (retrieval/duplicates.py applied by retrieval/search.py)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.types import SourceRef
from ingest.pipeline import IngestPipeline
from retrieval.duplicates import bigrams, near_duplicates
from retrieval.search import HybridSearcher, search_many

pymupdf = pytest.importorskip("pymupdf")

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "docs"
PARAGRAPH = ("望月茶馆位于青石镇东街，每天早上七点开门，晚上十点打烊。招牌茶是桂花乌龙，用本地山泉水冲泡；"
             "周末下午有评弹表演，需要提前一天预订座位。")
OTHER = "望月茶馆的桂花乌龙选用安溪铁观音做底，每年秋天窨制三次桂花。茶馆每天早上七点开门，店里也卖茶叶和茶点。"
THIRD = "青石镇东街有三家老茶馆，望月茶馆是其中最早开门的一家。周末人多，建议早上去，评弹表演在二楼。"


def _pdf(path: Path, pages: list[list[str]]) -> Path:
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page()
        page.insert_text((72, 72), "\n".join(lines), fontname="china-s", fontsize=11)
    doc.save(path)
    doc.close()
    return path


def _write_guide(folder: Path) -> Path:
    """guide.md, and guide.pdf with the same paragraph on its page 2 (other line breaks, a footer)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "guide.md").write_text(f"# 青石镇指南\n\n## 望月茶馆\n\n{PARAGRAPH}\n", encoding="utf-8")
    lines = [PARAGRAPH[i:i + 22] for i in range(0, len(PARAGRAPH), 22)]
    _pdf(folder / "guide.pdf", [["青石镇指南", "目录：望月茶馆、东街、交通"], [*lines, "", "青石镇指南 · 第 2 页"]])
    (folder / "tea.md").write_text(f"# 桂花乌龙\n\n{OTHER}\n", encoding="utf-8")
    (folder / "street.md").write_text(f"# 东街\n\n{THIRD}\n", encoding="utf-8")
    return folder


def _searcher(open_kb, settings, embedder, folder: Path, name: str = "kb", threshold: float = 0.0):
    kb = open_kb(settings.kb_root, name, create=True)
    summary = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False).run([folder])
    assert not summary.failures, summary.failures
    return HybridSearcher(kb, embedder, replace(settings.search_config(), score_threshold=threshold))


def test_the_paragraph_of_two_files_is_one_result_naming_the_other(tmp_path, settings, fake_embedder, open_kb):
    folder = _write_guide(tmp_path / "docs")
    searcher = _searcher(open_kb, settings, fake_embedder, folder)
    pool = searcher.candidates("望月茶馆几点开门？评弹表演要预订吗？", pool=10)
    holding = [c for c in pool if near_duplicates(bigrams(c.chunk.text), bigrams(PARAGRAPH))]
    assert {Path(c.chunk.source).name for c in holding} == {"guide.md", "guide.pdf"}  # both were found…

    results = searcher.search("望月茶馆几点开门？评弹表演要预订吗？", 3)
    texts = [r.chunk.text for r in results]
    assert sum(near_duplicates(bigrams(t), bigrams(PARAGRAPH)) for t in texts) == 1  # …one slot is shown
    kept = next(r for r in results if near_duplicates(bigrams(r.chunk.text), bigrams(PARAGRAPH)))
    other = {"guide.md": SourceRef(str((folder / "guide.pdf").resolve()), 2),
             "guide.pdf": SourceRef(str((folder / "guide.md").resolve()), None)}[Path(kept.chunk.source).name]
    assert kept.also_in == (other,)
    # the freed slot went to the next passage: all three other files' passages are there
    assert len(results) == 3 and {Path(r.chunk.source).name for r in results} >= {"tea.md", "street.md"}
    assert kept.to_dict()["also_in"] == [{"source": other.source, "page": other.page}]


def test_different_paragraphs_on_one_topic_keep_their_slots(tmp_path, settings, fake_embedder, open_kb):
    folder = _write_guide(tmp_path / "docs")
    (folder / "guide.pdf").unlink()
    searcher = _searcher(open_kb, settings, fake_embedder, folder)
    results = searcher.search("望月茶馆几点开门？", 3)
    assert sorted(Path(r.chunk.source).name for r in results) == ["guide.md", "street.md", "tea.md"]
    assert all(r.also_in == () for r in results)


def test_a_copy_in_another_knowledge_base_is_named_too(tmp_path, settings, fake_embedder, open_kb):
    guide = _write_guide(tmp_path / "docs")
    (guide / "guide.pdf").unlink()
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "茶馆.txt").write_text(PARAGRAPH, encoding="utf-8")
    one = _searcher(open_kb, settings, fake_embedder, guide, "one")
    two = _searcher(open_kb, settings, fake_embedder, copy, "two")
    results = search_many([one, two], "望月茶馆几点开门？评弹表演要预订吗？", 3)
    assert sum(near_duplicates(bigrams(r.chunk.text), bigrams(PARAGRAPH)) for r in results) == 1
    assert len(results) == 3 and any(r.also_in for r in results)


def test_the_sample_guides_markdown_and_pdf_do_not_fill_the_results_twice(tmp_path, settings, fake_embedder,
                                                                         open_kb):
    """data/docs holds the Chinese guide as .md and as .pdf (as `make run` indexes them)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("yizhi_guide_zh.md", "yizhi_guide_zh.pdf"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    searcher = _searcher(open_kb, settings, fake_embedder, folder, threshold=settings.score_threshold)
    results = searcher.search("扫描版 PDF 能用吗？", 5)
    assert results
    grams = [bigrams(r.chunk.text) for r in results]
    assert not any(near_duplicates(a, b) for i, a in enumerate(grams) for b in grams[i + 1:])
    top = results[0]
    other = "yizhi_guide_zh.pdf" if top.chunk.source.endswith(".md") else "yizhi_guide_zh.md"
    assert [Path(ref.source).name for ref in top.also_in] == [other]
