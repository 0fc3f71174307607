"""Child pieces end to end on a real knowledge base (each test once per backend: `open_kb`):
ingestion stores the pieces' vectors with their chunk, and search finds the chunk by its
best piece while returning (and scoring) the whole chunk."""
from dataclasses import replace

from core.enums import SearchMode
from core.types import Document
from ingest.pipeline import IngestPipeline
from retrieval.search import HybridSearcher
from tests.conftest import RecordingEmbedder

DOCS = {
    "great_wall.txt": "长城是中国古代的军事防御工程，修筑历经两千多年。明代重修的长城最为完整，沿途设有许多关隘和烽火台。"
                      "城墙多用砖石和夯土筑成，工程浩大。嘉峪关是长城西端的终点，位于甘肃省。",
    "silk_road.txt": "丝绸之路的终点在哪里，学者们看法不一。",
    "west_lake.txt": "西湖位于浙江省杭州市，以苏堤和白堤闻名。",
}
QUESTION = "长城西端的终点在哪里？"


def _indexed(open_kb, settings, embedder, child_chunk_size):
    kb = open_kb(settings.kb_root, "kb", create=True)
    config = replace(settings.ingest_config(), child_chunk_size=child_chunk_size)
    pipeline = IngestPipeline(kb, embedder, config, progress=False)
    for source, text in DOCS.items():
        pipeline.index_documents(source, source, [Document(text=text, source=source)])
    return kb


def _dense_order(kb, embedder, settings, child_chunks):
    searcher = HybridSearcher(kb, embedder, replace(settings.search_config(), child_chunks=child_chunks))
    return [c.chunk.source for c in searcher.candidates(QUESTION, mode=SearchMode.DENSE)]


def test_the_chunk_is_found_by_its_piece_and_returned_whole(open_kb, settings):
    embedder = RecordingEmbedder(dim=2048)  # few hash collisions: cosines follow shared characters
    kb = _indexed(open_kb, settings, embedder, child_chunk_size=30)
    ids = [int(i) for i in kb.chunk_ids()]
    pieces = kb.child_embeddings(ids)
    chunks = kb.chunks(ids)
    assert [chunks[cid].source for cid in pieces] == ["great_wall.txt"]  # the short chunks have none
    assert pieces[next(iter(pieces))].shape == (4, 2048)  # its four sentences
    assert len(embedder.calls) == len(DOCS)  # each document's chunks and pieces in one batch

    # the whole chunk's vector is diluted by its other sentences; its last piece is not
    assert _dense_order(kb, embedder, settings, child_chunks=False)[0] == "silk_road.txt"
    assert _dense_order(kb, embedder, settings, child_chunks=True)[0] == "great_wall.txt"
    top = HybridSearcher(kb, embedder, settings.search_config()).candidates(QUESTION)[0]
    assert top.chunk.text == DOCS["great_wall.txt"] and top.dense_rank == 1


def test_without_pieces_the_dense_list_is_the_chunk_vectors_own(open_kb, settings):
    embedder = RecordingEmbedder(dim=2048)
    kb = _indexed(open_kb, settings, embedder, child_chunk_size=0)  # off, or built before child pieces
    assert kb.child_embeddings([int(i) for i in kb.chunk_ids()]) == {}
    assert _dense_order(kb, embedder, settings, child_chunks=True) == _dense_order(kb, embedder, settings, False)
