"""BM25 tokens: English inflections meet, Chinese and stopwords stay as written."""
from __future__ import annotations

import numpy as np

from core.types import Chunk
from retrieval.lexical import Vocabulary, query_tokens, tokenize


def test_english_inflections_are_stemmed_so_they_meet():
    assert tokenize("measures") == tokenize("measured") == tokenize("measuring") == tokenize("measure")
    assert tokenize("countries") == tokenize("country") and tokenize("Classes") == ["class"]
    assert tokenize("class") == tokenize("classes") and tokenize("processes") == tokenize("process")
    # stopwords are left alone, so a query still drops them ("where" is not "wher")
    assert "where" in tokenize("where is it") and query_tokens("Where is Normandy?") == ["normand"]
    # Chinese and digits are as jieba gives them
    assert tokenize("核电厂每10年开展一次") == ["核电", "电厂", "核电厂", "每", "10", "年", "开展", "一次"]


def test_a_question_in_one_inflection_finds_a_passage_in_another(tmp_path, open_kb):
    kb = open_kb(tmp_path, "kb", create=True)
    texts = ["Circuit complexity is measured by the number of gates.", "The river flows south to the sea."]
    vectors = np.eye(2, 8, dtype=np.float32)
    ids = kb.replace_document("/d/a.txt", "h1", [Chunk(t, "/d/a.txt", t, i, 1) for i, t in enumerate(texts)],
                              vectors, model_name="m")
    hits = kb.lexical_search(query_tokens("What measures circuit complexities?"), 5)
    assert hits and hits[0][0] == ids[0]


def test_a_vocabulary_term_that_is_one_english_word_is_not_added_beside_its_stem():
    # a title "Normans" is a vocabulary term; the row holds its stem once, as a row without it would
    vocabulary = Vocabulary(frozenset({"normans", "潘淑"}))
    assert tokenize("The Normans came.", vocabulary) == tokenize("The Normans came.")
    assert tokenize("潘淑是吴国人", vocabulary)[-1] == "潘淑"
