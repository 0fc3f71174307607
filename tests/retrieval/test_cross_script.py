"""A Traditional question finds a Simplified document and the other way round; knowledge
bases whose lexical rows were made before normalisation are brought up to date on open."""
import sqlite3

import numpy as np

from core.enums import SearchMode
from core.types import Chunk
from retrieval.kb.catalogue import CATALOGUE_FILE
from retrieval.kb.opening import open_catalogue_knowledge_base
from retrieval.lexical import LEXICAL_VERSION, query_tokens
from retrieval.search import HybridSearcher

SIMPLIFIED = {
    "metro.txt": "台北捷运系统于1996年通车，目前共有六条路线，每天载客约两百万人次。",
    "database.txt": "关系型数据库用表格储存资料，资料库管理系统负责查询与交易。",
    "tea.txt": "乌龙茶是半发酵茶，台湾的冻顶乌龙最为有名，产于南投县鹿谷乡。",
}
TRADITIONAL = {
    "metro_tw.txt": "臺北捷運系統於1996年通車，目前共有六條路線，每天載客約兩百萬人次。",
    "database_tw.txt": "關係型資料庫用表格儲存資料，資料庫管理系統負責查詢與交易。",
    "tea_tw.txt": "烏龍茶是半發酵茶，臺灣的凍頂烏龍最為有名，產於南投縣鹿谷鄉。",
}


def _kb(root, embedder, docs, name="kb"):
    kb = open_catalogue_knowledge_base(root, name, create=True)
    for source, text in docs.items():
        chunk = Chunk(text=text, source=source, retrieval_text=text, position=0)
        kb.replace_document(source, source, [chunk], embedder.embed_documents([text]), model_name=embedder.name)
    return kb


def _top(kb, embedder, settings, question):
    searcher = HybridSearcher(kb, embedder, settings.search_config())
    pool = searcher.candidates(question, mode=SearchMode.LEXICAL)
    return pool[0].chunk.source, pool[0].relevance


def test_traditional_questions_find_simplified_documents(tmp_path, settings, fake_embedder):
    kb = _kb(tmp_path, fake_embedder, SIMPLIFIED)
    for question, gold in [("臺北捷運哪一年通車？", "metro.txt"),
                           ("資料庫管理系統負責什麼？", "database.txt"),
                           ("凍頂烏龍產於哪個縣？", "tea.txt")]:
        source, relevance = _top(kb, fake_embedder, settings, question)
        assert source == gold, question
        assert relevance >= 0.6 * 0.9  # nearly all of the question's words count (coverage)
    kb.close()


def test_simplified_questions_find_traditional_documents(tmp_path, settings, fake_embedder):
    kb = _kb(tmp_path, fake_embedder, TRADITIONAL)
    for question, gold in [("台北捷运每天载客多少？", "metro_tw.txt"),
                           ("关系型数据库用什么储存资料？", "database_tw.txt"),
                           ("乌龙茶是什么茶？", "tea_tw.txt")]:
        assert _top(kb, fake_embedder, settings, question)[0] == gold, question
    kb.close()


def test_full_width_query_finds_half_width_text(tmp_path, settings, fake_embedder):
    kb = _kb(tmp_path, fake_embedder, SIMPLIFIED)
    assert _top(kb, fake_embedder, settings, "１９９６年通车")[0] == "metro.txt"
    kb.close()


def test_rows_of_an_older_lexical_version_are_made_again_on_open(tmp_path, fake_embedder):
    kb = _kb(tmp_path, fake_embedder, TRADITIONAL)
    generation = kb.generation
    assert kb.lexical_version == LEXICAL_VERSION
    kb.close()
    # As a knowledge base built before normalisation: rows of the text as written, no version.
    db = sqlite3.connect(tmp_path / "kb" / CATALOGUE_FILE)
    db.execute("DELETE FROM chunks_fts")
    db.execute("INSERT INTO chunks_fts(rowid, tokens) SELECT chunk_id, retrieval_text FROM chunks")
    db.execute("DELETE FROM meta WHERE key = 'lexical_version'")
    db.execute("UPDATE chunks SET match_text = ''")
    db.commit()
    db.close()
    with open_catalogue_knowledge_base(tmp_path, "kb") as old:
        assert old.lexical_version == LEXICAL_VERSION
        assert old.generation == generation  # the dense index is not touched
        hits = old.lexical_search(query_tokens("资料库管理系统"), 3)
        assert old.chunks([hits[0][0]])[hits[0][0]].source == "database_tw.txt"
        assert old.check().ok
        texts = old.catalogue.rows("SELECT match_text FROM chunks ORDER BY chunk_id")
        assert texts[1][0].startswith("关系型资料库")


def test_a_new_knowledge_base_records_its_versions(tmp_path, fake_embedder):
    with open_catalogue_knowledge_base(tmp_path, "empty", create=True) as kb:
        assert kb.lexical_version == LEXICAL_VERSION
    kb = _kb(tmp_path, fake_embedder, {"a.txt": "一段文字"}, name="one")
    assert kb.catalogue.meta("embed_text_version") == "2"
    assert np.asarray(kb.chunk_ids()).size == 1
    kb.close()
