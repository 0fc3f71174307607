"""`python -m app kb migrate KB --to milvus|faiss`, `kb backend KB`, `kb rename OLD NEW`:
knowledge-base upkeep on the command line.

`rename` gives a knowledge base another name (its folder, index and uploads move; saved
conversations follow; nothing is re-embedded). `migrate` moves a knowledge base to another vector store, copying the vectors and lexical
rows its catalogue keeps (nothing is re-embedded); where Milvus lives comes from
YIZHI_MILVUS_URI (and YIZHI_MILVUS_TOKEN). `backend` says which store a knowledge base uses.
"""
from __future__ import annotations

import argparse

from app.cli.common_cli import show
from app.services import build_services
from app.settings import Settings


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("kb", help="knowledge-base upkeep: rename, move between vector stores")
    actions = p.add_subparsers(dest="kb_action", required=True)
    move = actions.add_parser("migrate", help="move a knowledge base to another vector store (no re-embedding)")
    move.add_argument("kb", help="the knowledge base")
    move.add_argument("--to", required=True, choices=("milvus", "faiss"), help="the vector store to move it to")
    which = actions.add_parser("backend", help="say which vector store a knowledge base uses")
    which.add_argument("kb", help="the knowledge base")
    rename = actions.add_parser("rename", help="give a knowledge base another name (nothing is re-embedded)")
    rename.add_argument("kb", help="the knowledge base")
    rename.add_argument("new_name", help="its new name: letters, digits, '_', '-' or '.'")


def run(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings)
    try:
        knowledge = services.knowledge
        if args.kb_action == "migrate":
            show(knowledge.migrate(args.kb, args.to))
        elif args.kb_action == "rename":
            new_name = knowledge.rename_knowledge_base(args.kb, args.new_name)
            show(f"knowledge base '{args.kb}' renamed to '{new_name}': use --kb {new_name} from now on")
        else:
            show(knowledge.vector_store(args.kb))
    finally:
        services.close()
    return 0
