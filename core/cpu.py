"""How many cores to use: the one definition, shared by the LLM, the embedder and OCR."""
from __future__ import annotations

import os


def physical_cores() -> int:
    """Physical cores available to this process (hyper-threads rarely help numpy, ONNX or ggml)."""
    try:
        import psutil

        cores = psutil.cpu_count(logical=False)
    except ImportError:
        cores = None
    if not cores:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores)
