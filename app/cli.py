"""`python -m app ask|search|eval …`: the command line over the service facade.

Each sub-command lives in its own module with `add_parser(subparsers)` and
`run(args, settings) -> int`; this module only wires them up and turns Yizhi's
errors into a sentence on stderr and a non-zero exit code.
"""
from __future__ import annotations

import argparse
import logging
import sys

from app.errors import YizhiError
from app.settings import Settings

# Sub-command modules, imported lazily so `--help` stays instant.
COMMANDS = {
    "ask": "app.ask_cli",
    "search": "app.search_cli",
    "eval": "app.eval_cli",
}


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="python -m app", description="Yizhi (已知): ask your own documents, offline.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS.values():
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    import importlib

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        return importlib.import_module(COMMANDS[args.command]).run(args, settings)
    except YizhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # pydantic's ValidationError for bad YIZHI_* values
        print(f"error: invalid setting: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
