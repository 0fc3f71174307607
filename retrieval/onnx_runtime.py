"""ONNX Runtime on an exported sentence-transformers model: its tokenizer and one session.

An export (retrieval/onnx_export.py) is a folder holding `model.onnx`, the whole model from
token ids to the sentence vector (transformer, pooling, and any dense or normalising layer),
the model's own tokenizer as sentence-transformers set it up (`tokenizer/`, its maximum
length included), and `export.json`, what was exported and how well it reproduced PyTorch's
vectors. Nothing here imports torch: a cached export runs without loading the model's weights.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.enums import EmbedBackend
from core.errors import ModelLoadError

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
TOKENIZER_DIR = "tokenizer"
MANIFEST_FILE = "export.json"
# What an export folder holds and how it was made; another format is exported again.
EXPORT_FORMAT = 1


@dataclass(frozen=True, slots=True)
class OnnxManifest:
    """`export.json`: the source (a folder's resolved path or a hub name) and its fingerprint
    (a changed model folder is exported again), the backend, the graph's inputs, the vector's
    size, the tokens read, and the worst cosine to PyTorch's vectors measured at export."""

    source: str
    fingerprint: str
    backend: EmbedBackend
    inputs: tuple[str, ...]
    dim: int
    max_seq_length: int
    min_cosine: float
    made_with: str
    format: int = EXPORT_FORMAT

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_FILE).write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> OnnxManifest | None:
        """The manifest of an export folder; None when there is none or it is not one this
        version wrote (the folder is then exported again)."""
        try:
            data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
            manifest = cls(**{**data, "backend": EmbedBackend(data["backend"]), "inputs": tuple(data["inputs"])})
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("the ONNX export in %s is unreadable (%s): it is made again", folder, exc)
            return None
        return manifest if manifest.format == EXPORT_FORMAT else None


class OnnxEncoder:
    """Texts -> the model's sentence vectors (as the model makes them: not normalised here)."""

    def __init__(self, folder: Path, manifest: OnnxManifest, threads: int = 0) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        self.manifest = manifest
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(folder / TOKENIZER_DIR), local_files_only=True)
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads  # 0: ONNX Runtime's choice, the physical cores
            options.log_severity_level = 3  # errors only: its notes on the graph's shapes are not the user's
            self.session = ort.InferenceSession(str(folder / MODEL_FILE), options,
                                                providers=["CPUExecutionProvider"])
        except (OSError, ValueError, RuntimeError) as exc:  # onnxruntime's load errors are RuntimeErrors
            raise ModelLoadError(f"the ONNX export in {folder} cannot be loaded ({type(exc).__name__}: {exc}): "
                                 "remove that folder and it is exported again", setting="embed_backend") from exc

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """One row per text; longest first in batches (less padding), returned in order."""
        vectors = np.zeros((len(texts), self.manifest.dim), dtype=np.float32)
        order = np.argsort([-len(text) for text in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            tokens = self.tokenizer([texts[i] for i in rows], padding=True, truncation="longest_first",
                                    max_length=self.manifest.max_seq_length, return_tensors="np")
            feeds = {name: np.asarray(tokens[name], dtype=np.int64) for name in self.manifest.inputs}
            vectors[rows] = self.session.run(None, feeds)[0]
        return vectors
