"""The embedders with the real models that ship through the package index."""
import numpy as np
import pytest

from core.config import EmbedConfig
from core.errors import ConfigError, ModelLoadError
from retrieval.embedders import MINILM_NAME, SentenceTransformerEmbedder, UseEmbedder, make_embedder, minilm_folder


def test_constructors_are_cheap_and_validate():
    assert make_embedder(EmbedConfig("use-multilingual"))._model is None  # nothing loaded yet
    with pytest.raises(ConfigError):
        SentenceTransformerEmbedder("  ")
    with pytest.raises(ConfigError):
        UseEmbedder(batch_size=0)


def test_unknown_hub_name_fails_with_advice_not_a_download(tmp_path):
    embedder = SentenceTransformerEmbedder("no-such-org/no-such-model-zz")
    with pytest.raises(ModelLoadError, match="must be a folder that holds a sentence-transformers model") as failed:
        embedder.embed_query("你好")
    assert failed.value.setting == "embed_model"


@pytest.mark.slow
def test_default_use_embedder_handles_chinese(use_embedder):
    vecs = use_embedder.embed_documents(["北京是中国的首都", "中国的首都是北京", "今天股市大涨"])
    assert vecs.shape == (3, 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert np.allclose(use_embedder.embed_query("北京是中国的首都"), vecs[0], atol=1e-5)


@pytest.mark.slow
def test_sentence_transformers_path_loads_a_model_folder(tmp_path):
    """Exactly how a user's downloaded m3e-base / bge-small-zh folder is loaded."""
    folder = minilm_folder()
    embedder = SentenceTransformerEmbedder(str(folder), batch_size=4)
    assert embedder.name == str(folder.resolve())
    vecs = embedder.embed_documents(["The cat sits on the mat.", "A cat is sitting on a mat.", "Stock prices fell."])
    assert vecs.shape == (3, 384)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3
    alias = make_embedder(EmbedConfig(MINILM_NAME))
    assert alias.name == MINILM_NAME and alias.embed_query("cat").shape == (384,)


def test_bge_models_get_their_query_instruction():
    assert SentenceTransformerEmbedder("BAAI/bge-small-zh-v1.5").query_prefix.startswith("为这个句子")
    assert SentenceTransformerEmbedder("moka-ai/m3e-base").query_prefix == ""
