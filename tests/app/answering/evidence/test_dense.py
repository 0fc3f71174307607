"""Embedding similarity for the few best evidence sentences of an English question."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from app.answering.evidence.dense import DENSE_TOP, dense_weight, rescore_top, with_dense
from app.answering.evidence.scoring import score_candidates, select_evidence, sentence_candidates
from tests.app.answering.evidence.test_scoring import result

# Two sentences share the question's words equally; only the second says who ran the library.
LIBRARY = ("The library opened in 1921 in the old town hall. "
           "The library's first head was Mary Hill, a former nurse.")
QUESTION = "Who ran the library when it opened?"


class TableEmbedder:
    """Vectors by hand: a text listed in `close` points the way the question does; every
    other text is orthogonal to it. Records what it embeds."""

    name = "table"

    def __init__(self, close: Sequence[str] = ()) -> None:
        self.close = set(close)
        self.documents: list[list[str]] = []
        self.queries: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.documents.append(list(texts))
        return np.array([[1.0, 0.0] if t in self.close else [0.0, 1.0] for t in texts], dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return np.array([1.0, 0.0], dtype=np.float32)


def ranked(question: str, text: str):
    return score_candidates(sentence_candidates(question, [result(text)]))


def test_english_questions_weigh_similarity_and_chinese_ones_do_not():
    assert dense_weight("en") > 0
    assert dense_weight("zh") == 0.0
    assert dense_weight("fr") == 0.0


def test_the_sentence_closest_in_meaning_moves_up():
    head = "The library's first head was Mary Hill, a former nurse."
    embedder = TableEmbedder(close=[head])
    lexical = select_evidence(QUESTION, [result(LIBRARY)])
    assert lexical[0].text != head  # the words alone pick the opening sentence

    evidence = select_evidence(QUESTION, [result(LIBRARY)], embedder=embedder, dense_weight=0.5)
    assert evidence[0].text == head
    assert evidence[0].score == pytest.approx(lexical[1].score + 0.5)
    assert embedder.queries == [QUESTION]


def test_only_the_best_few_distinct_sentences_are_embedded():
    text = " ".join(f"The library lends book number {i} to the school." for i in range(12))
    candidates = ranked("Which book does the library lend to the school?", text)
    embedder = TableEmbedder()
    out = with_dense("Which book does the library lend?", candidates, embedder, 0.5)
    assert [len(batch) for batch in embedder.documents] == [DENSE_TOP]
    assert embedder.documents[0] == [c.sentence.text for c in candidates[:DENSE_TOP]]
    assert sorted(c.sentence.text for c in out) == sorted(c.sentence.text for c in candidates)


def test_no_weight_no_embedding():
    embedder = TableEmbedder()
    candidates = ranked("图书馆是哪一年开放的？", "图书馆于1921年开放。图书馆的第一任馆长是玛丽。")
    assert with_dense("图书馆是哪一年开放的？", candidates, embedder, 0.0) == candidates
    select_evidence("图书馆是哪一年开放的？", [result("图书馆于1921年开放。")], embedder=embedder, dense_weight=0.0)
    assert embedder.documents == [] and embedder.queries == []


def test_rescoring_reorders_the_head_and_keeps_the_rest():
    candidates = ranked(QUESTION, LIBRARY + " The town hall was built in 1850. It burned down in 1990.")
    vectors = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    out = rescore_top(candidates, np.array([1.0, 0.0], dtype=np.float32), vectors, 1.0)
    assert out[0].sentence == candidates[1].sentence and out[0].features["dense"] == 1.0
    assert out[1].sentence == candidates[0].sentence and out[1].features["dense"] == 0.0
    assert out[2:] == candidates[2:]


def test_vectors_must_match_the_head():
    candidates = ranked(QUESTION, "The library opened in 1921.")
    with pytest.raises(ValueError, match="1 candidates but 2 sentence vectors"):
        rescore_top(candidates, np.ones(2, np.float32), np.ones((2, 2), np.float32), 0.5)
