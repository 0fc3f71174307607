"""The LLMs a user can pick: the built-in ones, every GGUF file in the models folders, and a
few known instruction models that `python -m app models pull NAME` downloads.

Listing never loads a model: a GGUF file's header is read for its name and whether it
carries a chat template. Pulling is the one place in the project that touches the
network, and only when a user asks for it.
"""
from __future__ import annotations

import logging
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.llm.gguf import BUILTIN_MODELS, DEFAULT_LLM, GEMMA_270M, SMOLLM2_135M, builtin_file
from core.errors import ModelLoadError
from core.hashing import file_sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KnownDownload:
    name: str
    repo: str
    filename: str
    description: str

    @property
    def url(self) -> str:
        return f"https://huggingface.co/{self.repo}/resolve/main/{self.filename}"


KNOWN_DOWNLOADS = {d.name: d for d in (
    KnownDownload("qwen2.5-1.5b-instruct", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf",
                  "Qwen2.5 1.5B Instruct, Q4_K_M (about 1.1 GB): good Chinese answers on a laptop"),
    KnownDownload("qwen2.5-3b-instruct", "Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf",
                  "Qwen2.5 3B Instruct, Q4_K_M (about 2 GB): better answers, about half the speed"),
    KnownDownload("qwen3-1.7b", "Qwen/Qwen3-1.7B-GGUF", "Qwen3-1.7B-Q8_0.gguf",
                  "Qwen3 1.7B, Q8_0 (about 1.8 GB): a small recent instruction model"),
)}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One LLM a user can choose. `name` is what the `llm_model` setting takes (a built-in name or a path)."""

    name: str
    description: str
    size_mb: float | None
    chat_template: bool | None  # None: not known without loading (a built-in not yet assembled)
    active: bool
    path: str = ""
    languages: tuple[str, ...] = ()  # the answer languages it writes ("zh", "en"); () when not known


# The languages a model family writes, by a word of its name (general.name or the file's):
# SmolLM2 was trained on English only and cannot write Chinese; the others write both.
BUILTIN_LANGUAGES = {GEMMA_270M: ("zh", "en"), SMOLLM2_135M: ("en",)}
_FAMILY_LANGUAGES = (("smollm", ("en",)), ("qwen", ("zh", "en")), ("gemma", ("zh", "en")),
                     ("glm", ("zh", "en")), ("deepseek", ("zh", "en")), ("yi-", ("zh", "en")))


def languages_of(*names: str) -> tuple[str, ...]:
    """The languages a model writes, from its names; () when its family is not known."""
    said = " ".join(names).lower()
    return next((langs for word, langs in _FAMILY_LANGUAGES if word in said), ())


# --- reading a GGUF header (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) ------
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_WANTED = {"general.name", "tokenizer.chat_template"}


def _read(fh: BinaryIO, fmt: str):
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise ValueError("truncated GGUF header")
    return struct.unpack(fmt, data)[0]


def _string(fh: BinaryIO, keep: bool) -> str | None:
    length = _read(fh, "<Q")
    if not keep:
        fh.seek(length, os.SEEK_CUR)
        return None
    return fh.read(length).decode("utf-8", "replace")


def _skip_value(fh: BinaryIO, kind: int) -> None:
    if kind == _STRING:
        _string(fh, keep=False)
    elif kind == _ARRAY:
        item, count = _read(fh, "<I"), _read(fh, "<Q")
        if item in _SCALARS:
            fh.seek(struct.calcsize(_SCALARS[item]) * count, os.SEEK_CUR)
        else:
            for _ in range(count):
                _skip_value(fh, item)
    elif kind in _SCALARS:
        fh.seek(struct.calcsize(_SCALARS[kind]), os.SEEK_CUR)
    else:
        raise ValueError(f"unknown GGUF value type {kind}")


def gguf_metadata(path: Path) -> dict[str, str]:
    """The header keys this catalogue needs (`general.name`, `tokenizer.chat_template`)."""
    found: dict[str, str] = {}
    with open(path, "rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ValueError("not a GGUF file")
        _read(fh, "<I")  # version
        _read(fh, "<Q")  # tensor count
        for _ in range(_read(fh, "<Q")):
            key = _string(fh, keep=True) or ""
            kind = _read(fh, "<I")
            if key in _WANTED and kind == _STRING:
                found[key] = _string(fh, keep=True) or ""
            else:
                _skip_value(fh, kind)
            if len(found) == len(_WANTED):
                break
    return found


# --- the catalogue ------------------------------------------------------------------------
def model_folders(data_dir: Path, extra: str = "") -> list[Path]:
    folders = [data_dir / "models"] + [Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()]
    return list(dict.fromkeys(folders))


def _info_for_file(path: Path, active: bool) -> ModelInfo:
    try:
        meta = gguf_metadata(path)
        template: bool | None = bool(meta.get("tokenizer.chat_template"))
        description = meta.get("general.name", "") or path.stem
    except (OSError, ValueError, struct.error) as exc:
        log.info("cannot read the GGUF header of %s: %s", path, exc)
        template, description = None, f"{path.stem} (header unreadable)"
    return ModelInfo(str(path), description, round(path.stat().st_size / 1e6, 1), template, active, str(path),
                     languages_of(description, path.name))


def list_models(data_dir: Path, active_spec: str, extra_dirs: str = "") -> list[ModelInfo]:
    """Built-in models first, then every other .gguf file of the model folders, by name: each
    model once (a built-in's own file, such as the default assembled into <data>/models, is
    the built-in; choosing that file by its path makes the built-in the active one)."""
    active = (active_spec or "").strip() or DEFAULT_LLM
    active_path = Path(active).expanduser().resolve() if active not in BUILTIN_MODELS else None
    files = {name: builtin_file(name, data_dir) for name in BUILTIN_MODELS}
    builtin_of = {path.resolve(): name for name, path in files.items() if path is not None}
    active = builtin_of.get(active_path, active) if active_path is not None else active
    if active in BUILTIN_MODELS:
        active_path = None
    models = [ModelInfo(name, description, None, None, name == active, languages=BUILTIN_LANGUAGES.get(name, ()))
              for name, description in BUILTIN_MODELS.items()]
    seen: set[Path] = set(builtin_of)
    for folder in model_folders(data_dir, extra_dirs):
        for path in sorted(folder.glob("*.gguf")) if folder.is_dir() else ():
            resolved = path.resolve()
            if resolved in seen or path.name.startswith("."):
                continue
            seen.add(resolved)
            models.append(_info_for_file(path, resolved == active_path))
    if active_path is not None and active_path not in seen and active_path.is_file():
        models.append(_info_for_file(active_path, True))
    return models


def pull(name: str, models_dir: Path, *, downloader: Callable[..., str] | None = None,
         offline: bool | None = None) -> Path:
    """Download a known model into `models_dir` (huggingface_hub shows progress), checking
    its SHA-256 against the one the hub publishes.

    Offline (or when the hub cannot be reached) it fails at once with the file's URL and
    where to put it by hand.
    """
    known = KNOWN_DOWNLOADS.get(name)
    if known is None:
        raise ModelLoadError(f"unknown model '{name}': choose one of {', '.join(KNOWN_DOWNLOADS)}")
    target = models_dir / known.filename
    by_hand = (f"download {known.url} on a machine with internet access and put it in {models_dir}/ "
               f"(then choose {target} as the model)")
    offline = _is_offline() if offline is None else offline
    if offline:
        raise ModelLoadError(f"this machine is offline: {by_hand}")
    try:
        if downloader is None:
            from huggingface_hub import hf_hub_download, model_info

            info = model_info(known.repo, files_metadata=True)
            expected = next((s.lfs.sha256 for s in info.siblings if s.rfilename == known.filename and s.lfs), None)
            downloader = hf_hub_download
        else:
            expected = None
        models_dir.mkdir(parents=True, exist_ok=True)
        downloaded = Path(downloader(repo_id=known.repo, filename=known.filename, local_dir=str(models_dir)))
    except OSError as exc:  # requests' and huggingface_hub's connection errors are OSErrors
        raise ModelLoadError(f"could not download {known.filename} ({exc.__class__.__name__}): {by_hand}") from exc
    if expected and file_sha256(downloaded) != expected:
        downloaded.unlink(missing_ok=True)
        raise ModelLoadError(f"{known.filename} arrived damaged (checksum mismatch) and was deleted: run the pull "
                             f"again, or {by_hand}")
    return downloaded


def _is_offline() -> bool:
    """True when the hub cannot be reached within a few seconds (or HF_HUB_OFFLINE is set)."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes"):
        return True
    import socket

    try:
        with socket.create_connection(("huggingface.co", 443), timeout=3):
            return False
    except OSError:
        return True
