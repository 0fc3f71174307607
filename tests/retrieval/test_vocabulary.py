"""A knowledge base's own words: heading terms and `<kb>/dict.txt` become whole tokens on
both sides, and the rows stay in step when the vocabulary grows or the dictionary changes."""

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
