"""The command line adds its own how-to to errors whose message only says what is wrong."""
from app.cli.common_cli import error_line
from core.enums import EmbedBackend
from core.errors import EmbedBackendMismatch, EmbedderMismatch, KnowledgeBaseBusy, LoaderError, ModelLoadError


def test_the_how_to_follows_what_is_wrong():
    mismatch = EmbedderMismatch("knowledge base 'kb' was built with the embedding model 'a', but 'b' is configured")
    assert "YIZHI_EMBED_MODEL" in error_line(mismatch) and "--kb NEW_NAME" in error_line(mismatch)
    backend = EmbedBackendMismatch("kb", "all-MiniLM-L6-v2", EmbedBackend.TORCH, EmbedBackend.ONNX_INT8)
    assert error_line(backend).endswith("YIZHI_EMBED_BACKEND is onnx-int8: its vectors are not mixed with another "
                                        "backend's: set YIZHI_EMBED_BACKEND to the backend it was built with, or "
                                        "index into a new knowledge base (--kb NEW_NAME)")
    written = KnowledgeBaseBusy("knowledge base 'kb' is being written by another process (waited 5 s): "
                                "try again when it has finished")
    assert error_line(written).endswith("try again when it has finished: raise YIZHI_LOCK_TIMEOUT to wait longer")
    lite = KnowledgeBaseBusy("the Milvus Lite file /d/milvus.db is open in another process (Milvus Lite serves "
                             "one process at a time): close the other Yizhi process, or use a Milvus server")
    assert "YIZHI_MILVUS_URI" in error_line(lite) and "YIZHI_LOCK_TIMEOUT" not in error_line(lite)


def test_the_command_line_names_the_variable_an_error_is_about():
    assert error_line(LoaderError("has 5 pages, more than the 3 allowed", setting="max_pages")) == (
        "error: has 5 pages, more than the 3 allowed: see the setting YIZHI_MAX_PAGES")
    assert error_line(ModelLoadError("llama-cpp-python is not installed")) == (
        "error: llama-cpp-python is not installed")
