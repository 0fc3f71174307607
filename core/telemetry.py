"""Third-party telemetry off in every process of Yizhi: nothing leaves the machine.

ONNX Runtime (the OCR engine's runtime; PyMuPDF's layout package imports it too, as soon
as PyMuPDF is imported) writes a device id under ~/.cache/Microsoft and, a few seconds
after it starts, looks up Microsoft's event collector, unless `ORT_DISABLE_TELEMETRY` is
set when it is first imported; it reads the variable then and never again (turning it
off later through its API stops neither). So `core/__init__.py` calls `turn_off()`, and
each top-level package imports `core` before anything else: whichever package a process
imports first, the variable is set before any third-party import.
"""
from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

# Forced, not defaults: a user's environment cannot turn them back on.
VARIABLES = {"ORT_DISABLE_TELEMETRY": "1"}


def turn_off() -> None:
    """Set the variables that turn telemetry off (say so when it is too late for one)."""
    os.environ.update(VARIABLES)
    if "onnxruntime" in sys.modules:
        log.warning("onnxruntime was imported before its telemetry could be turned off: in this process it "
                    "may write ~/.cache/Microsoft and look up Microsoft's event collector")
