"""The ONNX backends on the all-MiniLM-L6-v2 folder that ships through the package index: a
real export (float32 and int8) in a temporary cache, checked against PyTorch's vectors, reused
on the next load, and refused where a knowledge base holds another backend's vectors."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config import EmbedConfig, SearchConfig, StoreConfig
from core.enums import EmbedBackend
from core.errors import ConfigError, EmbedBackendMismatch, EmbedderMismatch
from core.types import Chunk
from retrieval.embedders import (
    MINILM_NAME,
    check_same_embedder,
    embedder_name,
    make_embedder,
    minilm_folder,
    split_embedder_name,
)
from retrieval.kb.opening import open_knowledge_base
from retrieval.onnx_export import export_folder, source_fingerprint
from retrieval.search import HybridSearcher

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["北京是中国的首都，也是一座历史悠久的城市。", "劳动合同期满前三十日，用人单位应当书面通知劳动者本人。",
         "The Normans gave their name to Normandy, a region in France.", "Stock prices fell sharply on Monday."]
# Worst cosine to PyTorch's vectors on TEXTS. float32 measured 1.0000; int8 (per-channel
# weights) measured 0.986 on these texts (the Chinese one), and 0.990 at worst, 0.994 on
# average, on the 87 passages of ../shared/evaldata/squad.
FLOORS = {EmbedBackend.ONNX: 0.999, EmbedBackend.ONNX_INT8: 0.97}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A data folder whose exports (cache/onnx) every test of this module shares."""
    return tmp_path_factory.mktemp("onnx-data")


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return make_embedder(EmbedConfig(MINILM_NAME)).embed_documents(TEXTS)


def _config(backend: EmbedBackend, data_dir: Path) -> EmbedConfig:
    return EmbedConfig(MINILM_NAME, batch_size=2, backend=backend, onnx_cache=data_dir / "cache" / "onnx")


@pytest.mark.slow
@pytest.mark.parametrize("backend", [EmbedBackend.ONNX, EmbedBackend.ONNX_INT8])
def test_an_export_gives_torchs_vectors_and_is_made_once(backend, data_dir, torch_vectors):
    first = make_embedder(_config(backend, data_dir))
    vectors = first.embed_documents(TEXTS)
    assert first.name == f"{MINILM_NAME}@{backend}" and first.export.exported
    assert vectors.shape == (4, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.sum(vectors * torch_vectors, axis=1).min() >= FLOORS[backend]
    assert first.export.manifest.min_cosine >= FLOORS[backend] - 0.02  # the export's own check texts
    assert first.embed_query("北京是中国的首都").shape == (384,) and first.embed_documents([]).shape == (0, 384)
    # kept under the data folder, nothing written beside the model (a package folder)
    assert first.export.folder.parent == data_dir / "cache" / "onnx"
    assert not any(p.suffix == ".onnx" for p in minilm_folder().rglob("*"))

    model_file = first.export.folder / "model.onnx"
    made = model_file.stat().st_mtime_ns
    again = make_embedder(_config(backend, data_dir))
    assert np.allclose(again.embed_documents(TEXTS), vectors, atol=1e-5)
    assert again.export.exported is False and again._torch._model is None  # no PyTorch model loaded
    assert model_file.stat().st_mtime_ns == made


def test_a_changed_model_folder_has_another_fingerprint(tmp_path):
    (tmp_path / "config.json").write_text('{"hidden_size": 8}', encoding="utf-8")
    before = source_fingerprint(str(tmp_path))
    (tmp_path / "config.json").write_text('{"hidden_size": 16}', encoding="utf-8")
    assert source_fingerprint(str(tmp_path)) != before
    assert source_fingerprint("BAAI/bge-small-zh-v1.5") == "hub:BAAI/bge-small-zh-v1.5"
    folders = {export_folder(tmp_path, "m3e-base", "/模型/m3e-base", b) for b in EmbedBackend if b != "torch"}
    assert len(folders) == 2 and all(f.name.startswith("m3e-base-onnx") for f in folders)


def test_the_backend_is_part_of_the_recorded_name():
    assert embedder_name("/模型/m3e-base", EmbedBackend.TORCH) == "/模型/m3e-base"  # as recorded before backends
    assert split_embedder_name("/模型/m3e-base@onnx-int8") == ("/模型/m3e-base", EmbedBackend.ONNX_INT8)
    assert split_embedder_name(embedder_name("m3e", EmbedBackend.ONNX)) == ("m3e", EmbedBackend.ONNX)
    check_same_embedder("知识库", None, "m3e@onnx")  # nothing recorded yet: anything goes
    with pytest.raises(EmbedBackendMismatch, match="run by the torch backend, but YIZHI_EMBED_BACKEND is onnx"):
        check_same_embedder("知识库", "m3e", "m3e@onnx")
    with pytest.raises(EmbedderMismatch, match="'m3e' is configured") as other:
        check_same_embedder("知识库", "bge@onnx-int8", "m3e")
    assert not isinstance(other.value, EmbedBackendMismatch)


def test_the_default_model_has_no_onnx_backend():
    with pytest.raises(ConfigError, match="YIZHI_EMBED_BACKEND=torch") as refused:
        make_embedder(EmbedConfig("use-multilingual", backend=EmbedBackend.ONNX_INT8))
    assert refused.value.setting == "embed_backend"
    with pytest.raises(ConfigError, match="backend must be one of torch, onnx, onnx-int8"):
        EmbedConfig(MINILM_NAME, backend="gpu")


@pytest.mark.slow
def test_a_knowledge_base_built_with_torch_refuses_onnx_int8(data_dir, torch_vectors):
    """Searched in-process (real FAISS and SQLite), then from the command line as a user would."""
    kb_root = data_dir / "kb"
    chunks = [Chunk(text=t, source="/d/a.txt", retrieval_text=t, position=i) for i, t in enumerate(TEXTS)]
    with open_knowledge_base(kb_root, "papers", StoreConfig(), create=True) as kb:
        kb.replace_document("/d/a.txt", "h", chunks, torch_vectors, model_name=MINILM_NAME)
        int8 = make_embedder(_config(EmbedBackend.ONNX_INT8, data_dir))
        with pytest.raises(EmbedBackendMismatch, match="'papers' was built with 'all-MiniLM-L6-v2' run by the "
                                                       "torch backend, but YIZHI_EMBED_BACKEND is onnx-int8"):
            HybridSearcher(kb, int8, SearchConfig()).candidates("首都")
        assert kb.chunk_count() == 4 and kb.embed_model == MINILM_NAME  # nothing mixed in

    env = {**os.environ, "YIZHI_DATA_DIR": str(data_dir), "YIZHI_EMBED_MODEL": MINILM_NAME,
           "YIZHI_EMBED_BACKEND": "onnx-int8"}
    proc = subprocess.run([sys.executable, "-m", "app", "search", "首都", "--kb", "papers"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "run by the torch backend" in proc.stderr
    assert "set YIZHI_EMBED_BACKEND to the backend it was built with" in proc.stderr
