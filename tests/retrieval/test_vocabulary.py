"""A knowledge base's own words: heading terms and `<kb>/dict.txt` become whole tokens on
both sides, and the rows stay in step when the vocabulary grows or the dictionary changes."""
import numpy as np

from core.types import Chunk
from retrieval.lexical import (
    Vocabulary,
    heading_terms,
    lexical_rows,
    query_tokens,
    read_user_dictionary,
    tokenize,
    vocabulary_terms,
)
from retrieval.lexical_worker import LexicalWorker
from retrieval.store import KnowledgeBase
from retrieval.store_lexical import USER_DICTIONARY


def test_terms_of_headings_titles_and_dictionary_lines():
    assert vocabulary_terms("1.2 安装步骤 > 第三节 配置（Linux）") == ["安装步骤", "配置", "linux"]
    assert vocabulary_terms("潘淑") == ["潘淑"]
    assert vocabulary_terms("戰國無雙3") == ["战国无双3"]  # matching form: Simplified
    assert vocabulary_terms("第一章 > 一 > 2.3") == []  # numbering is not a term
    assert vocabulary_terms("2017年好看小说排行榜_百度贴吧") == ["2017年好看小说排行榜", "百度贴吧"]
    assert heading_terms(["望月茶馆 > 招牌", "", "望月茶馆"]) == {"望月茶馆", "招牌"}


def test_user_dictionary_file(tmp_path):
    path = tmp_path / "dict.txt"
    assert read_user_dictionary(path) == set()  # no file, no words
    path.write_text("# 本库的词\n龙井虾仁\n\n桂花糕 5 n\n鼎泰豐\n", encoding="utf-8")
    assert read_user_dictionary(path) == {"龙井虾仁", "桂花糕", "鼎泰丰"}


def test_a_term_is_one_token_where_jieba_glues_it():
    vocabulary = Vocabulary(frozenset({"潘淑", "战国无双3"}))
    assert "潘淑" not in tokenize("潘淑是怎么死的？")  # jieba: 潘淑是
    assert "潘淑" in tokenize("潘淑是怎么死的？", vocabulary)
    assert "战国无双3" in query_tokens("戰國無雙3的開發商是誰？", vocabulary)
    tokens = tokenize("《战国无双3》由光荣开发", vocabulary)
    assert tokens.count("战国无双3") == 1 and "战国" in tokens  # jieba's own tokens are kept
    assert tokenize("没有这些词的句子", vocabulary) == tokenize("没有这些词的句子")


def test_vocabulary_values():
    v = Vocabulary(frozenset({"望月茶馆"}))
    assert v.union({"望月茶馆"}) is v and len(v.union({"招牌"})) == 2
    assert v.fingerprint and Vocabulary().fingerprint == "" and not Vocabulary()
    assert v.find("我们在望月茶馆和望月茶馆") == ["望月茶馆"]


def test_the_worker_tokenises_with_the_vocabulary_it_is_sent():
    texts = ["潘淑是会稽人", "望月茶馆的招牌是龙井虾仁"]
    first, second = Vocabulary(frozenset({"潘淑"})), Vocabulary(frozenset({"龙井虾仁", "望月茶馆"}))
    worker = LexicalWorker()
    try:
        for vocabulary in (first, first, second, Vocabulary(), first):
            assert worker.submit(texts, vocabulary).result() == lexical_rows(texts, vocabulary)
    finally:
        worker.close()


def _add(kb, source, heading, texts):
    chunks = [Chunk(text=t, source=source, retrieval_text=f"{heading}\n{t}", position=i, heading=heading)
              for i, t in enumerate(texts)]
    vectors = np.eye(8, dtype=np.float32)[:len(chunks)]
    kb.replace_document(source, source, chunks, vectors, model_name="m")


def _rows(kb):
    return {cid: set(tokens.split()) for cid, tokens in kb._db.execute("SELECT rowid, tokens FROM chunks_fts")}


def test_a_new_heading_term_reaches_the_rows_of_earlier_documents(tmp_path):
    kb = KnowledgeBase(tmp_path, "kb", create=True)
    _add(kb, "notes.txt", "旅行笔记", ["我们在杭州喝了望月茶馆的龙井，还去了灵隐寺。"])
    _add(kb, "teahouse.md", "望月茶馆 > 营业时间", ["早上九点开门，晚上十点关门。"])
    assert "望月茶馆" in kb.vocabulary().terms
    note_row = _rows(kb)[1]
    assert "望月茶馆" not in note_row  # not yet: the term came with a later document
    kb.save()  # the end of a batch
    assert "望月茶馆" in _rows(kb)[1]
    # …the same rows as making them all again
    incremental = _rows(kb)
    kb.rebuild_lexical()
    assert _rows(kb) == incremental
    tokens = query_tokens("望月茶馆几点开门", kb.vocabulary())
    assert "望月茶馆" in tokens
    assert kb.chunks([kb.lexical_search(tokens, 1)[0][0]])[2].source == "teahouse.md"
    kb.close()


def test_a_changed_user_dictionary_remakes_the_rows_on_open(tmp_path):
    kb = KnowledgeBase(tmp_path, "kb", create=True)
    _add(kb, "menu.txt", "菜单", ["招牌菜是龙井虾仁和桂花糕。"])
    kb.close()
    (tmp_path / "kb" / USER_DICTIONARY).write_text("龙井虾仁\n", encoding="utf-8")
    with KnowledgeBase(tmp_path, "kb") as kb:
        assert "龙井虾仁" in kb.vocabulary().terms
        assert "龙井虾仁" in _rows(kb)[1]
        generation = kb.generation
    with KnowledgeBase(tmp_path, "kb") as kb:  # unchanged: nothing is made again
        assert kb.generation == generation and "龙井虾仁" in _rows(kb)[1]
    (tmp_path / "kb" / USER_DICTIONARY).unlink()
    with KnowledgeBase(tmp_path, "kb") as kb:
        assert "龙井虾仁" not in kb.vocabulary().terms and "龙井虾仁" not in _rows(kb)[1]


def test_pending_terms_left_by_a_crash_are_applied_on_open(tmp_path):
    kb = KnowledgeBase(tmp_path, "kb", create=True)
    _add(kb, "notes.txt", "旅行笔记", ["望月茶馆的龙井很香。"])
    _add(kb, "teahouse.md", "望月茶馆", ["早上九点开门。"])
    kb.close()  # killed before save(): the term is still pending
    with KnowledgeBase(tmp_path, "kb") as kb:
        assert "望月茶馆" in _rows(kb)[1]
        assert kb._db.execute("SELECT COUNT(*) FROM vocabulary WHERE pending = 1").fetchone()[0] == 0


def test_many_new_terms_at_once_take_the_one_pass_scan(tmp_path):
    kb = KnowledgeBase(tmp_path, "kb", create=True)
    names = [f"茶馆{chr(0x4e00 + 500 + i)}{chr(0x4e00 + 900 + i)}" for i in range(80)]  # more than _SQL_TERMS
    _add(kb, "guide.txt", "导览", ["本地茶馆有：" + "、".join(names[::7]) + "。"])
    for i, name in enumerate(names):
        _add(kb, f"{i}.md", name, ["营业时间九点到十点。"])
    kb.save()
    row = _rows(kb)[1]
    assert all(vocabulary_terms(name)[0] in row for name in names[::7])
    kb.close()
