"""Ingestion speed: the whole pipeline against the embedder alone, on the same chunks.

    python -m bench.ingest_bench [--docs 80] [--pages 10] [--page-chars 1000] [--traditional]

Generates Chinese PDFs (PyMuPDF, built-in CJK font) and Markdown files in a temporary
folder, ingests them into a throwaway knowledge base with the configured embedder,
then embeds exactly what it embedded (the stored chunks and their child pieces) again with
the embedder alone. Prints pages/s, chunks/s, both times and their ratio (target: the
pipeline adds at most 25%), and the ratio against embedding the chunks alone (what the
child pieces cost).
`--traditional` writes the same text in Traditional Chinese (OpenCC s2twp), which is
converted back to Simplified for matching and embedding (core/text.py).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pymupdf

from app.settings import Settings
from bench.corpus_text import paragraphs, sentence_stream
from ingest.child_pieces import child_texts
from ingest.pipeline import IngestPipeline
from retrieval.embedders import make_embedder
from retrieval.kb.opening import open_knowledge_base


def make_documents(folder: Path, docs: int, pages: int, page_chars: int, traditional: bool = False) -> int:
    """Half PDFs of `pages` pages, half Markdown files of the same length. Returns PDF pages."""
    stream = sentence_stream()
    font = "china-s"
    if traditional:
        from opencc import OpenCC

        convert = OpenCC("s2twp").convert
        stream = (convert(sentence) for sentence in stream)
        font = "china-t"
    pdf_pages = 0
    for i in range(docs):
        if i % 2 == 0:
            pdf = pymupdf.open()
            for _ in range(pages):
                page = pdf.new_page()
                text = "\n".join(paragraphs(page_chars, stream))
                page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), text, fontname=font, fontsize=10)
                pdf_pages += 1
            pdf.save(folder / f"报告{i:03d}.pdf")
            pdf.close()
        else:
            sections = [f"## 第{s + 1}节\n\n" + "\n\n".join(paragraphs(page_chars, stream)) for s in range(pages)]
            (folder / f"笔记{i:03d}.md").write_text(f"# 笔记{i}\n\n" + "\n\n".join(sections), encoding="utf-8")
    return pdf_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=80)
    parser.add_argument("--pages", type=int, default=10, help="pages per PDF (sections per Markdown file)")
    parser.add_argument("--page-chars", type=int, default=1000, help="characters of text per page")
    parser.add_argument("--traditional", action="store_true", help="the documents in Traditional Chinese")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        docs = tmp_path / "docs"
        docs.mkdir()
        pdf_pages = make_documents(docs, args.docs, args.pages, args.page_chars, args.traditional)
        settings = Settings(data_dir=tmp_path / "data")
        embedder = make_embedder(settings.embed_config())
        embedder.embed_documents(["预热：加载模型"])  # load before timing either side

        kb = open_knowledge_base(settings.kb_root, "bench", create=True)
        summary = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False).run([docs])
        chunks = list(kb.chunks(list(range(1, kb.chunk_count() + 1))).values())
        texts = [c.retrieval_text for c in chunks]
        pieces = [p for c in chunks for p in child_texts(c, settings.child_chunk_size, title_enhance=settings.title_enhance)]

        def embed_alone(batch: list[str]) -> float:
            t0 = time.perf_counter()
            for i in range(0, len(batch), settings.embed_batch_size * 8):
                embedder.embed_documents(batch[i:i + settings.embed_batch_size * 8])
            return time.perf_counter() - t0

        chunks_alone = embed_alone(texts)
        # what the pipeline embeds: the chunks and their child pieces (YIZHI_CHILD_CHUNK_SIZE)
        all_alone = chunks_alone + embed_alone(pieces) if pieces else chunks_alone

        t1 = time.perf_counter()
        again = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False).run([docs])
        reingest = time.perf_counter() - t1
        kb.close()

    print(f"embedder: {embedder.name}; files: {args.docs} ({pdf_pages} PDF pages + {args.docs // 2} Markdown files)")
    print(f"chunks: {summary.chunks} (chunk_size {settings.chunk_size}, overlap {settings.chunk_overlap}); "
          f"failed: {summary.count('failed')}")
    print(f"pipeline: {summary.seconds:.2f} s  → {summary.pages / summary.seconds:.1f} PDF pages/s, "
          f"{summary.chunks_per_second:.1f} chunks/s (of which embedding {summary.embed_seconds:.2f} s)")
    print(f"embedder alone on the same {len(texts)} chunks: {chunks_alone:.2f} s → {len(texts) / chunks_alone:.1f} chunks/s"
          f"; with their {len(pieces)} child pieces: {all_alone:.2f} s")
    print(f"ratio pipeline / embedder alone on the same texts: {summary.seconds / all_alone:.3f} "
          f"(parsing, splitting and storing add {100 * (summary.seconds / all_alone - 1):.1f}%; target ≤ 25%)")
    print(f"ratio pipeline / embedding the chunks alone: {summary.seconds / chunks_alone:.3f} "
          f"(the child pieces are embedded too; YIZHI_CHILD_CHUNK_SIZE=0 turns them off)")
    print(f"re-ingest of the unchanged folder: {reingest:.2f} s, {again.count('skipped')} skipped, "
          f"{again.chunks} chunks embedded")


if __name__ == "__main__":
    main()
