"""A sentence-transformers model exported to ONNX once, kept in a cache folder the app writes.

sentence-transformers' own `backend="onnx"` goes through Optimum, whose ONNX package
(optimum-onnx 0.1) requires transformers < 4.58 while Yizhi runs transformers 5: installing
it would downgrade transformers and huggingface-hub for the whole app. So the export is
done here with what is installed: PyTorch's ONNX exporter traces the model whole (transformer,
pooling, dense and normalising layers), and ONNX Runtime's `quantize_dynamic` gives the int8
weights (per output channel: per tensor, MiniLM's vectors fell to cosine 0.90 of PyTorch's).

Each export is checked before it is kept: the same texts (Chinese and English, short, long,
past the model's length) go through PyTorch and through the export, and the worst cosine
must reach `MIN_COSINE` of its backend, or the backend is refused for that model with a
reason. Exports live under the cache root (`<data>/cache/onnx/`, never beside the model,
which may sit in a read-only package folder), one folder per model and backend; a file lock
lets one process export while the others wait and then use its folder. Nothing downloads.
This module imports torch: retrieval/embedders.py imports it only when an ONNX backend is chosen.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnxruntime
import torch
from filelock import FileLock, Timeout

from core.enums import EmbedBackend
from core.errors import ModelLoadError
from retrieval.onnx_runtime import MODEL_FILE, TOKENIZER_DIR, OnnxEncoder, OnnxManifest

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# The worst cosine to PyTorch's vector an export may give on CHECK_TEXTS. float32 gives the
# same vectors (measured on all-MiniLM-L6-v2: 1.000000); int8 weights move them a little
# (measured: worst 0.984, mean 0.994 on SQuAD passages and Chinese sentences), and a broken
# export (a traced shape baked in) far more.
MIN_COSINE = {EmbedBackend.ONNX: 0.999, EmbedBackend.ONNX_INT8: 0.95}
CHECK_TEXTS = (
    "北京是中国的首都，也是一座历史悠久的城市。",
    "今天股市大涨。",
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.",
    "cat",
    "第三条 用人单位应当依法建立和完善劳动规章制度，保障劳动者享有劳动权利、履行劳动义务。" * 3,
    "Configure the server with YIZHI_EMBED_BACKEND=onnx-int8, then restart it. " * 4,
    "混合文本 mixed text：表 3 的第 2 列 (column 2) 是 2024 年的数值。",
    "超长的文本 a text longer than the model reads " * 120,
)
EXPORT_WAIT_S = 1800.0  # another process exporting the same model: waited for this long at most
_OPSET = 17


@dataclass(frozen=True, slots=True)
class OnnxModel:
    """An export ready to load: its folder, its manifest, and whether it was made just now
    (False: taken from the cache)."""

    folder: Path
    manifest: OnnxManifest
    exported: bool


def export_folder(cache_root: Path, label: str, source: str, backend: EmbedBackend) -> Path:
    """The folder of one model's export for one backend: readable name, keyed by the source."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(label).name)[-40:] or "model"
    key = hashlib.sha256(f"{source}\n{backend}".encode()).hexdigest()[:12]
    return cache_root / f"{slug}-{backend}-{key}"


def source_fingerprint(source: str) -> str:
    """What the export was made from: a folder's files by path, size and time of change (a
    replaced model is exported again); a hub name as itself (its cached snapshot is not read)."""
    folder = Path(source)
    if not folder.is_dir():
        return f"hub:{source}"
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def prepare_onnx(source: str, label: str, backend: EmbedBackend, cache_root: Path,
                 load: Callable[[], SentenceTransformer]) -> OnnxModel:
    """The export of `source` for `backend`, from the cache or made now (`load` gives the
    PyTorch model, called only to export). ModelLoadError says why it cannot be had."""
    if backend == EmbedBackend.TORCH:
        raise ValueError("the torch backend has no export")
    folder = export_folder(cache_root, label, source, backend)
    fingerprint = source_fingerprint(source)
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{folder}.lock", timeout=EXPORT_WAIT_S):
            manifest = OnnxManifest.read(folder)
            if manifest is not None and manifest.fingerprint == fingerprint and manifest.backend == backend:
                return OnnxModel(folder, manifest, exported=False)
            started = time.perf_counter()
            staging = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", suffix=".partial", dir=cache_root))
            staging.chmod(0o755)  # mkdtemp makes it private; an export serves every user of the data folder
            try:
                manifest = _export(load(), staging, source, fingerprint, backend)
                if folder.exists():
                    shutil.rmtree(folder)
                os.replace(staging, folder)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except Timeout as exc:
        raise ModelLoadError(f"another process has been exporting '{label}' to ONNX for {EXPORT_WAIT_S:.0f} s "
                             f"(lock {folder}.lock): try again when it is done", setting="embed_backend") from exc
    except OSError as exc:
        raise ModelLoadError(f"the ONNX export of '{label}' cannot be written under {cache_root} ({exc}): "
                             "the data folder (YIZHI_DATA_DIR) must be writable", setting="embed_backend") from exc
    log.info("exported %s to ONNX (%s) in %s in %.1f s; worst cosine to PyTorch's vectors %.4f",
             label, backend, folder, time.perf_counter() - started, manifest.min_cosine)
    return OnnxModel(folder, manifest, exported=True)


def _export(model: SentenceTransformer, staging: Path, source: str, fingerprint: str,
            backend: EmbedBackend) -> OnnxManifest:
    """Export, quantise (int8), save the tokenizer and check the export against PyTorch."""
    tokenizer = getattr(model[0], "tokenizer", None)
    if tokenizer is None or not callable(tokenizer):
        raise ModelLoadError(f"the model '{source}' does not start with a transformer that has a tokenizer: "
                             "the ONNX backend cannot export it; use YIZHI_EMBED_BACKEND=torch",
                             setting="embed_backend")
    # Two texts of different lengths: the traced graph sees padding and a batch of more than one.
    sample = tokenizer(list(CHECK_TEXTS[:2]), padding=True, truncation=True, return_tensors="pt")
    inputs = tuple(name for name in tokenizer.model_input_names if name in sample)
    fp32 = staging / (MODEL_FILE if backend == EmbedBackend.ONNX else "model.fp32.onnx")
    axes = {name: {0: "batch", 1: "tokens"} for name in inputs}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracing notes
            torch.onnx.export(_WholeModel(model, inputs).eval(), tuple(sample[name] for name in inputs), str(fp32),
                              dynamo=False, input_names=list(inputs), output_names=["sentence_embedding"],
                              dynamic_axes={**axes, "sentence_embedding": {0: "batch"}}, opset_version=_OPSET)
        if backend == EmbedBackend.ONNX_INT8:
            _quantize(fp32, staging / MODEL_FILE)
            fp32.unlink()
    except (RuntimeError, ValueError, TypeError) as exc:  # what the exporter and the quantiser raise
        raise ModelLoadError(f"the model '{source}' could not be exported to {backend} ({type(exc).__name__}: "
                             f"{exc}): use YIZHI_EMBED_BACKEND=torch for this model", setting="embed_backend") from exc
    tokenizer.save_pretrained(str(staging / TOKENIZER_DIR))
    expected = model.encode(list(CHECK_TEXTS), batch_size=4, normalize_embeddings=True, convert_to_numpy=True,
                            show_progress_bar=False)
    manifest = OnnxManifest(
        source=source, fingerprint=fingerprint, backend=backend, inputs=inputs, dim=int(expected.shape[1]),
        max_seq_length=int(model.max_seq_length or 512), min_cosine=0.0,
        made_with=f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}")
    worst = _worst_cosine(expected, OnnxEncoder(staging, manifest))
    if worst < MIN_COSINE[backend]:
        raise ModelLoadError(f"the {backend} export of '{source}' does not reproduce its vectors (worst cosine "
                             f"{worst:.3f} to PyTorch's, below {MIN_COSINE[backend]}): use "
                             "YIZHI_EMBED_BACKEND=torch for this model", setting="embed_backend")
    manifest = replace(manifest, min_cosine=round(worst, 6))
    manifest.write(staging)
    return manifest


class _WholeModel(torch.nn.Module):
    """The sentence-transformers model as a function of its token tensors, for tracing."""

    def __init__(self, model: SentenceTransformer, inputs: tuple[str, ...]) -> None:
        super().__init__()
        self.model, self.inputs = model, inputs

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return self.model(dict(zip(self.inputs, tensors)))["sentence_embedding"]


def _quantize(fp32: Path, out: Path) -> None:
    """int8 weights per output channel, activations quantised as they come (dynamic)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = fp32.with_suffix(".pre.onnx")
    root = logging.getLogger()
    root.addFilter(_quantiser_notes)
    try:
        # ONNX Runtime's recommended step before quantising (shapes, folded constants); its symbolic
        # shape inference does not finish on BERT graphs, ONNX's own does.
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quantize_dynamic(str(prepared), str(out), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.removeFilter(_quantiser_notes)
    prepared.unlink()


def _quantiser_notes(record: logging.LogRecord) -> bool:
    """False for the quantiser's notes on each tensor, which it logs at INFO on the root logger."""
    return not (record.levelno < logging.WARNING and "onnxruntime" in record.pathname)


def _worst_cosine(expected: np.ndarray, encoder: OnnxEncoder) -> float:
    """The lowest cosine between PyTorch's normalised vectors of CHECK_TEXTS and the export's."""
    got = encoder.encode(list(CHECK_TEXTS), batch_size=4)
    got = got / np.maximum(np.linalg.norm(got, axis=1, keepdims=True), 1e-12)
    return float(np.min(np.sum(np.asarray(expected, dtype=np.float32) * got, axis=1)))
