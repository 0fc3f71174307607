"""`python -m ingest PATH... [--kb NAME]`: add or update files and folders in a knowledge base.

Exit status: 0 when the batch ran (files that failed are listed with their reasons),
1 with --strict when any file failed, 2 when Yizhi could not run the batch (a setting,
a busy or mismatched knowledge base: the message says what to do), 3 on an unexpected
error, 130 when interrupted. No traceback reaches the terminal: details go to the log
file (`<data dir>/logs/ingest.log`).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from app.errors import YizhiError
from app.settings import Settings
from ingest.discovery import display_path
from ingest.pipeline import FAILED, IngestPipeline, IngestSummary
from retrieval.embedders import make_embedder
from retrieval.store import KnowledgeBase

log = logging.getLogger("ingest")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index files into a Yizhi knowledge base.")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (PDF, TXT, MD, DOCX, HTML)")
    parser.add_argument("--kb", default="default", help="knowledge base name (default: default)")
    parser.add_argument("--password", help="password for encrypted PDFs")
    parser.add_argument("--remove", action="append", type=Path, default=[], metavar="PATH",
                        help="remove this document from the knowledge base (repeatable)")
    parser.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    parser.add_argument("--check", action="store_true",
                        help="check that the database and both indexes agree, and repair them if not")
    parser.add_argument("--no-ocr", action="store_true", help="do not OCR scanned pages (setting YIZHI_OCR)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when any file failed")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to each file")
    args = parser.parse_args(argv)
    if not (args.paths or args.remove or args.prune or args.check):
        parser.error("give at least one PATH, --remove PATH, --prune or --check")
    return args


class _NoTraceback(logging.Formatter):
    """One line per record on the terminal; tracebacks go to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        return display_path(f"{record.levelname.lower()}: {record.getMessage()}")


def setup_logging(settings: Settings, verbose: bool) -> Path | None:
    """Terminal: warnings (info with -v), one line each. Log file: everything, with tracebacks."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in [h for h in root.handlers if getattr(h, "_yizhi_ingest", False)]:
        root.removeHandler(handler)  # main() called again in one process (tests)
        handler.close()
    console = logging.StreamHandler(sys.stderr)
    console._yizhi_ingest = True
    console.setLevel(logging.INFO if verbose else logging.WARNING)
    console.setFormatter(_NoTraceback())
    root.addHandler(console)
    log_file = settings.data_dir / "logs" / "ingest.log"
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        log.warning("cannot write the log file %s (%s): details of failures are not kept", log_file, exc)
        return None
    handler._yizhi_ingest = True
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return log_file


def print_summary(summary: IngestSummary, kb: KnowledgeBase) -> None:
    for outcome in summary.outcomes:
        if outcome.status == FAILED:
            print(f"  failed   {display_path(outcome.path)}: {outcome.reason}")
        elif outcome.reason and outcome.status in ("added", "updated"):
            print(f"  note     {display_path(outcome.path)}: {outcome.reason}")
    ocr = f", {summary.ocr_pages} read with OCR" if summary.ocr_pages else ""
    pages_per_second = summary.pages / summary.seconds if summary.seconds > 0 else 0.0
    print(
        f"{kb.name}: {summary.count('added')} added, {summary.count('updated')} updated, "
        f"{summary.count('skipped')} unchanged, {summary.count(FAILED)} failed; "
        f"{summary.chunks} chunks from {summary.pages} pages{ocr} in {summary.seconds:.1f} s "
        f"({pages_per_second:.1f} pages/s, {summary.chunks_per_second:.1f} chunks/s, "
        f"embedding {summary.embed_seconds:.1f} s); knowledge base now holds {kb.chunk_count()} chunks"
    )


def _run(args: argparse.Namespace, settings: Settings) -> int:
    embedder = make_embedder(settings.embed_model, settings.embed_batch_size)
    with KnowledgeBase(settings.kb_root, args.kb, create=bool(args.paths)) as kb:
        pipeline = IngestPipeline(kb, embedder, settings, progress=not args.quiet)
        if args.check:
            with kb.write_lock(settings.lock_timeout):
                report = kb.repair()
            print(f"{kb.name}: {report.summary()}" + ("" if report.ok else " (repaired)"))
        for path in args.remove:
            found = pipeline.remove(path)
            print(f"{'removed' if found else 'not in the knowledge base'}: {display_path(str(path))}")
        if args.prune:
            for path in pipeline.prune():
                print(f"pruned (file is gone): {display_path(path)}")
        if args.paths:
            summary = pipeline.run(args.paths, password=args.password,
                                   on_wait=lambda message: print(message, file=sys.stderr))
            print_summary(summary, kb)
            if args.strict and summary.failures:
                return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log_file: Path | None = None
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"YIZHI_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"error: invalid setting ({problems}): fix it in the environment or .env", file=sys.stderr)
        return 2
    if args.no_ocr:
        settings = settings.model_copy(update={"ocr": False})
    try:
        log_file = setup_logging(settings, args.verbose)
        return _run(args, settings)
    except YizhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: files finished so far are indexed; run the same command again to do the rest",
              file=sys.stderr)
        return 130
    except Exception as exc:  # the last net: a traceback must not reach the user
        log.exception("unexpected error")
        where = f" (details in {log_file})" if log_file else ""
        print(f"error: unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:200]}{where}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
