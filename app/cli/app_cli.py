"""`python -m app ask|search|eval|models|kb …`: the command line over the services.

Each sub-command lives in its own module with `add_parser(subparsers)` and
`run(args, settings) -> int`; this module only wires them up (app.cli.common_cli turns
Yizhi's errors into a sentence on stderr and a non-zero exit code). `eval` is the
evaluation tool's own command line (the `evaluation` package sits above the product),
named here by module so the product never imports the tool; `serve` is the HTTP API's
(app.api), named the same way because the interfaces do not import each other: `serve` is
app.serving's (the API with MCP at /mcp), `mcp` the MCP server over stdio (app.mcp).
"""
from __future__ import annotations

import argparse

from app.cli.common_cli import run_command

# Sub-command modules, imported lazily so `--help` stays instant.
COMMANDS = {
    "ask": "app.cli.ask_cli",
    "search": "app.cli.search_cli",
    "models": "app.cli.models_cli",
    "kb": "app.cli.kb_cli",
    "serve": "app.serving.cli",
    "mcp": "app.mcp.stdio_cli",
    "eval": "evaluation.cli",
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
    command = importlib.import_module(COMMANDS[args.command])
    return run_command(lambda settings: command.run(args, settings), verbose=args.verbose)
