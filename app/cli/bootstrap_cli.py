"""`python -m app.cli.bootstrap_cli [--docs data/docs] [--kb default]`: first-run indexing.

Ingests the sample documents into the knowledge base when it is empty (or missing), so
that a fresh `make run` has something to ask about; does nothing when it already holds
documents. Prints one line; errors go to stderr with a non-zero exit code.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common_cli import run_command, show
from app.services import KnowledgeService, build_services
from app.settings import Settings
from core.enums import FileStatus


def bootstrap(service: KnowledgeService, docs: Path, kb: str) -> str:
    """Index `docs` into `kb` if it has no documents; returns what happened, as a line."""
    if kb in service.list_knowledge_bases() and service.documents(kb):
        count = len(service.documents(kb))
        return f"knowledge base '{kb}' already has {count} document(s): nothing to do"
    if not docs.exists():
        return f"no sample documents at {docs}: knowledge base '{kb}' left empty"
    summary = service.ingest(kb, [docs])
    failed = summary.count(FileStatus.FAILED)
    line = (f"indexed {summary.count(FileStatus.ADDED) + summary.count(FileStatus.UPDATED)} document(s) from {docs} into "
            f"'{kb}' ({summary.chunks} chunks, {summary.seconds:.1f}s)")
    if failed:
        reasons = "; ".join(f"{Path(o.path).name}: {o.reason}" for o in summary.failures)
        line += f"; {failed} failed ({reasons})"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli.bootstrap_cli", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path("data/docs"), help="folder of sample documents")
    parser.add_argument("--kb", default="default", help="knowledge base to fill when empty")
    args = parser.parse_args(argv)
    return run_command(lambda settings: _run(settings, args.docs, args.kb))


def _run(settings: Settings, docs: Path, kb: str) -> int:
    services = build_services(settings)
    try:
        show(f"bootstrap: {bootstrap(services.knowledge, docs, kb)}")
        return 0
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
