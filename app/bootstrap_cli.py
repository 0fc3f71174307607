"""`python -m app.bootstrap_cli [--docs data/docs] [--kb default]`: first-run indexing.

Ingests the sample documents into the knowledge base when it is empty (or missing), so
that a fresh `make run` has something to ask about; does nothing when it already holds
documents. Prints one line; errors go to stderr with a non-zero exit code.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.errors import YizhiError
from app.service import YizhiService
from app.settings import Settings


def bootstrap(service: YizhiService, docs: Path, kb: str) -> str:
    """Index `docs` into `kb` if it has no documents; returns what happened, as a line."""
    if kb in service.list_knowledge_bases() and service.documents(kb):
        count = len(service.documents(kb))
        return f"knowledge base '{kb}' already has {count} document(s): nothing to do"
    if not docs.exists():
        return f"no sample documents at {docs}: knowledge base '{kb}' left empty"
    summary = service.ingest(kb, [docs])
    failed = summary.count("failed")
    line = (f"indexed {summary.count('added') + summary.count('updated')} document(s) from {docs} into "
            f"'{kb}' ({summary.chunks} chunks, {summary.seconds:.1f}s)")
    if failed:
        reasons = "; ".join(f"{Path(o.path).name}: {o.reason}" for o in summary.failures)
        line += f"; {failed} failed ({reasons})"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.bootstrap_cli", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path("data/docs"), help="folder of sample documents")
    parser.add_argument("--kb", default="default", help="knowledge base to fill when empty")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        service = YizhiService(Settings())
    except ValueError as exc:  # pydantic's ValidationError for bad YIZHI_* values
        print(f"error: invalid setting: {exc}", file=sys.stderr)
        return 2
    try:
        print(f"bootstrap: {bootstrap(service, args.docs, args.kb)}")
        return 0
    except YizhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        service.close()


if __name__ == "__main__":
    sys.exit(main())
