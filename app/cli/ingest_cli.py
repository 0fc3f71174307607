"""`python -m ingest PATH... [--kb NAME]`: add or update files and folders in a knowledge base.

Exit status: 0 when the batch ran (files that failed are listed with their reasons),
1 with --strict when any file failed, 2 when Yizhi could not run the batch (a setting,
a busy or mismatched knowledge base: the message says what to do), 3 on an unexpected
error, 130 when interrupted. No traceback reaches the terminal: details go to the log
file (`<data dir>/logs/yizhi.log`).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.cli import links_cli
from app.cli.common_cli import in_language, run_command, show
from app.services import build_services
from app.settings import Settings
from core.enums import FileStatus
from core.errors import KnowledgeBaseNotFound
from core.types import IngestSummary
from ingest.discovery import display_path

log = logging.getLogger("ingest")

# This command line's how-to for a failed file, by its error code (core.errors).
FILE_HINTS = {"encrypted": "give its password with --password", "wrong_password": "check --password"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index files into a Yizhi knowledge base.")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (PDF, DOCX, PPTX, XLSX, CSV, TSV, MD, TXT, HTML)")
    parser.add_argument("--kb", help="knowledge base name (default: default; --watch: every knowledge base)")
    parser.add_argument("--password", help="password for encrypted PDFs")
    parser.add_argument("--remove", action="append", type=Path, default=[], metavar="PATH",
                        help="remove this document from the knowledge base (repeatable)")
    parser.add_argument("--prune", action="store_true",
                        help="remove documents whose files are gone (after indexing the PATHs given, so that a file "
                             "renamed or moved among them keeps its vectors)")
    parser.add_argument("--check", action="store_true",
                        help="check that the database and both indexes agree, and repair them if not")
    parser.add_argument("--relex", action="store_true",
                        help="make the keyword index again from the stored text, with the knowledge base's "
                             "vocabulary (after editing <kb>/dict.txt, one word per line); nothing is re-embedded")
    parser.add_argument("--link", action="append", type=Path, default=[], metavar="DIR",
                        help="link a folder to the knowledge base and ingest it: the app, the API server and "
                             "`--watch` keep it in sync while they run (repeatable)")
    parser.add_argument("--unlink", action="append", type=Path, default=[], metavar="DIR",
                        help="stop syncing a linked folder (its documents stay indexed; repeatable)")
    parser.add_argument("--links", action="store_true",
                        help="list the linked folders, when each was last synced and what failed")
    parser.add_argument("--watch", action="store_true",
                        help="keep the linked folders (of --kb when given, else of every knowledge base, folders "
                             "linked meanwhile too) in sync until Ctrl-C; needed only when neither the app nor the "
                             "API server runs")
    parser.add_argument("--no-ocr", action="store_true", help="do not OCR scanned pages (setting YIZHI_OCR)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when any file failed")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to each file")
    args = parser.parse_args(argv)
    if not (args.paths or args.remove or args.prune or args.check or args.relex or args.link or args.unlink
            or args.links or args.watch):
        parser.error("give at least one PATH, --remove PATH, --prune, --check, --relex, --link DIR, --unlink DIR, "
                     "--links or --watch")
    args.watch_kb = args.kb  # --watch without --kb follows every knowledge base
    args.kb = args.kb or "default"
    return args


def print_summary(summary: IngestSummary, kb_name: str, chunk_count: int) -> None:
    for outcome in summary.outcomes:
        if outcome.status == FileStatus.FAILED:
            reason = outcome.reason
            hint = FILE_HINTS.get(outcome.code, "") or (
                f"see the setting YIZHI_{outcome.setting.upper()}" if outcome.setting else "")
            show(f"  failed   {display_path(outcome.path)}: {in_language(outcome.code)}{reason}"
                 f"{': ' + hint if hint else ''}")
        elif outcome.reason and outcome.status in (FileStatus.ADDED, FileStatus.UPDATED):
            show(f"  note     {display_path(outcome.path)}: {outcome.reason}")
    ocr = f", {summary.ocr_pages} read with OCR" if summary.ocr_pages else ""
    moved = f", {summary.count(FileStatus.MOVED)} moved (nothing re-embedded)" if summary.count(FileStatus.MOVED) else ""
    pages_per_second = summary.pages / summary.seconds if summary.seconds > 0 else 0.0
    show(
        f"{kb_name}: {summary.count(FileStatus.ADDED)} added, {summary.count(FileStatus.UPDATED)} updated, "
        f"{summary.count(FileStatus.SKIPPED)} unchanged, {summary.count(FileStatus.FAILED)} failed{moved}; "
        f"{summary.chunks} chunks from {summary.pages} pages{ocr} in {summary.seconds:.1f} s "
        f"({pages_per_second:.1f} pages/s, {summary.chunks_per_second:.1f} chunks/s, "
        f"embedding {summary.embed_seconds:.1f} s); knowledge base now holds {chunk_count} chunks"
    )


def _run(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings)
    knowledge = services.knowledge
    try:
        if not (args.paths or args.link or (args.watch and args.watch_kb is None)) and not knowledge.exists(args.kb):
            raise KnowledgeBaseNotFound(args.kb)
        if args.check:
            show(f"{args.kb}: {knowledge.repair(args.kb)}")
        if args.relex:
            show(f"{args.kb}: {knowledge.relex(args.kb)}")
        for path in args.remove:
            found = knowledge.remove_document(args.kb, str(path))
            show(f"{'removed' if found else 'not in the knowledge base'}: {display_path(str(path))}")
        summary = None
        if args.paths:
            summary = knowledge.ingest(args.kb, args.paths, password=args.password, progress=not args.quiet,
                                       on_wait=lambda message: show(message, file=sys.stderr))
        if args.prune:  # after indexing: a file renamed or moved is re-pointed by its bytes first, not read again
            for path in knowledge.prune(args.kb):
                show(f"pruned (file is gone): {display_path(path)}")
        if summary is not None:
            print_summary(summary, args.kb, knowledge.chunk_count(args.kb))
            if args.strict and summary.failures:
                return 1
        for folder in args.link:
            summary = knowledge.link_folder(args.kb, folder, progress=not args.quiet,
                                            on_wait=lambda message: show(message, file=sys.stderr))
            show(links_cli.say("linked", folder=display_path(str(folder)), kb=args.kb))
            print_summary(summary, args.kb, knowledge.chunk_count(args.kb))
        for folder in args.unlink:
            found = knowledge.unlink_folder(args.kb, folder)
            show(links_cli.say("unlinked" if found else "not_linked", folder=display_path(str(folder))))
        if args.links:
            links_cli.show_links(args.kb, knowledge.linked_folders(args.kb))
        if args.watch:
            links_cli.watch(knowledge, args.watch_kb)
        return 0
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_command(lambda settings: _run(args, settings), verbose=args.verbose, shorten=display_path,
                       interrupted="interrupted: files finished so far are indexed; run the same command "
                                   "again to do the rest",
                       **({"ocr": False} if args.no_ocr else {}))


if __name__ == "__main__":
    sys.exit(main())
