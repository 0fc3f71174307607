"""`python -m ingest PATH... [--kb NAME]`: the command name the design fixes.

The command itself lives with the other interfaces (`app/cli/ingest_cli.py`), because it
goes through the same knowledge-base service as the UI and the HTTP API. It is started by
module name, so the ingest package itself never imports the layer above it.
"""
import runpy

if __name__ == "__main__":
    runpy.run_module("app.cli.ingest_cli", run_name="__main__", alter_sys=True)
