"""`python -m ingest PATH... [--kb NAME]`: add or update files and folders in a knowledge base."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.errors import YizhiError
from app.settings import Settings
from ingest.pipeline import FAILED, IngestPipeline, IngestSummary
from retrieval.embedders import make_embedder
from retrieval.store import KnowledgeBase


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index files into a Yizhi knowledge base.")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (PDF, TXT, MD, DOCX, HTML)")
    parser.add_argument("--kb", default="default", help="knowledge base name (default: default)")
    parser.add_argument("--password", help="password for encrypted PDFs")
    parser.add_argument("--remove", action="append", type=Path, default=[], metavar="PATH",
                        help="remove this document from the knowledge base (repeatable)")
    parser.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    parser.add_argument("--strict", action="store_true", help="exit non-zero when any file failed")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if not (args.paths or args.remove or args.prune):
        parser.error("give at least one PATH, --remove PATH or --prune")
    return args


def print_summary(summary: IngestSummary, kb: KnowledgeBase) -> None:
    for outcome in summary.failures:
        print(f"  failed   {outcome.path}: {outcome.reason}")
    print(
        f"{kb.name}: {summary.count('added')} added, {summary.count('updated')} updated, "
        f"{summary.count('skipped')} unchanged, {summary.count(FAILED)} failed; "
        f"{summary.chunks} chunks from {summary.pages} pages in {summary.seconds:.1f} s "
        f"({summary.chunks_per_second:.1f} chunks/s, embedding {summary.embed_seconds:.1f} s); "
        f"knowledge base now holds {kb.chunk_count()} chunks"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
        with KnowledgeBase(settings.kb_root, args.kb, create=bool(args.paths)) as kb:
            pipeline = IngestPipeline(kb, embedder, settings, progress=not args.quiet)
            for path in args.remove:
                found = pipeline.remove(path)
                print(f"{'removed' if found else 'not in the knowledge base'}: {path}")
            if args.prune:
                for path in pipeline.prune():
                    print(f"pruned (file is gone): {path}")
            if args.paths:
                summary = pipeline.run(args.paths, password=args.password)
                print_summary(summary, kb)
                if args.strict and summary.failures:
                    return 1
    except YizhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
