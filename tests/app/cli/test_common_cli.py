"""The command line adds its own how-to to errors whose message only says what is wrong."""
from app.cli.common_cli import error_line
from core.errors import EmbedderMismatch, KnowledgeBaseBusy


def test_the_how_to_follows_what_is_wrong():
    mismatch = EmbedderMismatch("knowledge base 'kb' was built with the embedding model 'a', but 'b' is configured")
    assert "YIZHI_EMBED_MODEL" in error_line(mismatch) and "--kb NEW_NAME" in error_line(mismatch)
    written = KnowledgeBaseBusy("knowledge base 'kb' is being written by another process (waited 5 s): "
                                "try again when it has finished")
    assert error_line(written).endswith("try again when it has finished: raise YIZHI_LOCK_TIMEOUT to wait longer")
    lite = KnowledgeBaseBusy("the Milvus Lite file /d/milvus.db is open in another process (Milvus Lite serves "
                             "one process at a time): close the other Yizhi process, or use a Milvus server")
    assert "YIZHI_MILVUS_URI" in error_line(lite) and "YIZHI_LOCK_TIMEOUT" not in error_line(lite)
