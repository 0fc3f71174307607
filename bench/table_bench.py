"""Questions answered by a table cell: does retrieval find the page?

    python -m bench.table_bench [--pdfs ../shared/evaldata/pdfs] [--questions bench/data/table_questions.jsonl]
        [--details out.jsonl] [--json]

Indexes every readable PDF of `--pdfs` (zh/ and en/, OCR off; the table PDFs and the
others as distractors) into a throwaway knowledge base with the configured embedder and
settings, then asks each question of `bench/data/table_questions.jsonl` (written for this
project: the value asked for sits in a table cell; `gold` lists the (file, page) pairs
that hold it). Prints hit@1 and hit@5 by page, and how often the best chunk holds the
answer's text (`answer@1`).
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from app.settings import load_settings
from core.enums import SearchMode
from ingest.pipeline import IngestPipeline
from retrieval.embedders import make_embedder
from retrieval.kb.opening import open_knowledge_base
from retrieval.search import HybridSearcher

DEFAULT_PDFS = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata" / "pdfs"
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "data" / "table_questions.jsonl"


def _compact(text: str) -> str:
    return "".join(text.split())


def run(pdfs: Path, questions: Path, details: Path | None = None) -> dict:
    settings = load_settings().with_overrides({"ocr": False})
    embedder = make_embedder(settings.embed_config())
    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    files = sorted(p for sub in ("zh", "en") for p in (pdfs / sub).glob("*.pdf"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        kb = open_knowledge_base(Path(tmp), "tables", create=True)
        summary = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False).run(files)
        searcher = HybridSearcher(kb, embedder, settings.search_config())
        for item in items:
            gold = {(name, page) for name, page in item["gold"]}
            pool = searcher.candidates(item["question"], mode=SearchMode.HYBRID, pool=10)
            found = [(Path(c.chunk.source).name, c.chunk.page) for c in pool]
            rank = next((i for i, f in enumerate(found, 1) if f in gold), None)
            top = _compact(pool[0].chunk.text) if pool else ""
            rows.append({"qid": item["qid"], "rank": rank, "answer@1": any(_compact(a) in top for a in item["answers"]),
                         "top": found[:3], "relevance": round(pool[0].relevance, 3) if pool else 0.0})
        chunks = kb.chunk_count()
        kb.close()
    n = len(rows)
    report = {"questions": n, "chunks": chunks, "files": len(files), "index_seconds": round(summary.seconds, 1),
              "hit@1": sum(1 for r in rows if r["rank"] == 1) / n,
              "hit@5": sum(1 for r in rows if r["rank"] and r["rank"] <= 5) / n,
              "answer@1": sum(1 for r in rows if r["answer@1"]) / n,
              "missed@1": [r["qid"] for r in rows if r["rank"] != 1]}
    if details:
        details.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=Path, default=DEFAULT_PDFS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--details", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.pdfs, args.questions, args.details)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"{report['questions']} table questions over {report['files']} PDFs ({report['chunks']} chunks, "
              f"indexed in {report['index_seconds']} s): hit@1 {report['hit@1']:.3f}, hit@5 {report['hit@5']:.3f}, "
              f"answer@1 {report['answer@1']:.3f}; missed at 1: {', '.join(report['missed@1']) or 'none'}")


if __name__ == "__main__":
    main()
