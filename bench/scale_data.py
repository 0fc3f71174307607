"""Synthetic but realistic chunks for the scale benchmark, with no model time counted.

The vocabulary is that of the shared evaluation corpora (CMRC 2018, DuReader): every
document is segmented once with Yizhi's own tokenizer, and becomes a *topic* (its words
and their counts). A synthetic chunk picks a topic and draws ~130 words, 70% from the
topic and 30% from the whole corpus, so chunks of one topic share words as real
passages of one subject do. Its text is the words written together (about 250
characters); its FTS row is the words' own search tokens (what `lexical_rows` would
make of them, without running jieba a million times).

Its vector is a fixed random projection (seeded) of its TF-IDF bag of words to 512
dimensions, normalised, where a word's row is a random direction of its own plus the
mean of random directions of the topics it occurs in: cosine between chunks then
follows shared words and shared subjects, so vectors cluster by topic as real
embeddings do (a projection of bare words would be nearly isotropic, unlike any
embedding model, and the hardest case there is for approximate search). A query takes six words of one topic and two of the whole corpus, projected the same way.
Everything is reproducible from the seed.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from bench.corpus_text import SHARED

DIM = 512
TOPIC_WEIGHT = 1.0
_WORDLIKE = re.compile(r"\w")
_CORPORA = ("cmrc2018/corpus.jsonl", "dureader/corpus.jsonl")
_FALLBACK = ("知识库 检索 模型 文档 问答 数据 系统 用户 中文 向量 索引 分词 段落 页面 答案 来源 离线 笔记本 处理器 "
             "速度 质量 评测 文件 表格 标题 章节 历史 城市 河流 山脉 科学 技术 经济 文化 教育").split()


def _documents() -> list[str]:
    texts = []
    for name in _CORPORA:
        path = SHARED / name
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                texts += [json.loads(line).get("text", "") for line in fh if line.strip()]
    if not texts:  # anywhere without ../shared: topics of the fallback words
        rng = np.random.default_rng(0)
        texts = ["".join(rng.choice(_FALLBACK, 60)) for _ in range(200)]
    return [t for t in texts if t.strip()]


@dataclass
class Batch:
    texts: list[str]
    rows: list[str]  # the FTS rows (space-joined search tokens)
    vectors: np.ndarray  # (n, DIM) float32, normalised


class SyntheticCorpus:
    """Topics, vocabulary and projection; `chunks(start, n)` is deterministic in `start`."""

    def __init__(self, seed: int = 7, dim: int = DIM) -> None:
        import jieba

        from core.text import fold
        from retrieval.lexical import tokenize

        self.seed, self.dim = seed, dim
        self._segment = lambda text: [w for w in jieba.lcut(fold(text)) if _WORDLIKE.search(w)]
        index: dict[str, int] = {}
        topics: list[np.ndarray] = []
        for text in _documents():
            words = self._segment(text)
            topics.append(np.array([index.setdefault(w, len(index)) for w in words], dtype=np.int64))
        self.words = np.array(sorted(index, key=index.get), dtype=object)
        self._index = index
        self.topics = [t for t in topics if len(t) >= 20] or topics
        # each word's search tokens (jieba search mode, normalised), as its FTS row would hold them
        self.tokens = np.array([" ".join(tokenize(w)) for w in self.words], dtype=object)
        counts = np.bincount(np.concatenate(self.topics), minlength=len(self.words)).astype(np.float64)
        self.unigram = counts / counts.sum()
        self._cdf = np.minimum(np.cumsum(self.unigram), 1.0)
        self._cdf[-1] = 1.0
        self._flat = np.concatenate(self.topics)
        self._sizes = np.array([len(t) for t in self.topics], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(self._sizes)[:-1]])
        df = Counter(int(w) for t in self.topics for w in set(t.tolist()))
        n_topics = len(self.topics)
        self.idf = np.array([np.log((n_topics + 1) / (df.get(i, 0) + 1)) for i in range(len(self.words))],
                            dtype=np.float32)
        # word vectors: a random direction of its own, plus the mean direction of the topics
        # it occurs in (distributional, as embeddings are: words of one subject lie close)
        rng = np.random.default_rng(seed)
        own = rng.standard_normal((len(self.words), dim), dtype=np.float32)
        own /= np.linalg.norm(own, axis=1, keepdims=True)
        topic_dirs = rng.standard_normal((len(self.topics), dim), dtype=np.float32)
        topic_dirs /= np.linalg.norm(topic_dirs, axis=1, keepdims=True)
        cols = np.concatenate(self.topics)
        rows = np.repeat(np.arange(len(self.topics)), [len(t) for t in self.topics])
        incidence = sparse.csr_matrix((np.ones(len(cols), np.float32), (cols, rows)),
                                      shape=(len(self.words), len(self.topics)))
        incidence.sum_duplicates()
        mixture = sparse.diags(1 / np.maximum(np.asarray(incidence.sum(axis=1)).ravel(), 1)) @ incidence
        self.projection = own + TOPIC_WEIGHT * np.asarray(mixture @ topic_dirs, dtype=np.float32)

    # --- chunks ------------------------------------------------------------------------------
    def _word_ids(self, start: int, n: int) -> list[np.ndarray]:
        rng = np.random.default_rng([self.seed, start])
        lengths = rng.integers(100, 160, n)
        own = (lengths * 0.7).astype(np.int64)
        topic = np.repeat(rng.integers(0, len(self.topics), n), own)
        picked = self._flat[self._offsets[topic] + (rng.random(len(topic)) * self._sizes[topic]).astype(np.int64)]
        common = np.searchsorted(self._cdf, rng.random(int((lengths - own).sum())), side="right")
        ends_own, ends_common = np.cumsum(own), np.cumsum(lengths - own)
        return [np.concatenate([picked[a - o:a], common[c - m:c]])
                for a, o, c, m in zip(ends_own, own, ends_common, lengths - own)]

    def project(self, word_lists: list[np.ndarray]) -> np.ndarray:
        rows = np.repeat(np.arange(len(word_lists)), [len(w) for w in word_lists])
        cols = np.concatenate(word_lists) if word_lists else np.zeros(0, np.int64)
        bag = sparse.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)),
                                shape=(len(word_lists), len(self.words)))
        bag.sum_duplicates()
        bag.data = (1 + np.log(bag.data)) * self.idf[bag.indices]
        vectors = np.asarray(bag @ self.projection, dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def chunks(self, start: int, n: int) -> Batch:
        ids = self._word_ids(start, n)
        return Batch(texts=["".join(self.words[w]) for w in ids], rows=[" ".join(self.tokens[w]) for w in ids],
                     vectors=self.project(ids))

    def vectors(self, start: int, n: int) -> np.ndarray:
        """The vectors of `chunks(start, n)` alone."""
        return self.project(self._word_ids(start, n))

    def queries(self, n: int, seed: int = 99) -> tuple[list[str], np.ndarray]:
        """`n` questions of eight words: six of one topic, two of the whole corpus."""
        rng = np.random.default_rng(seed)
        texts, lists = [], []
        for topic in rng.integers(0, len(self.topics), n):
            pick = np.concatenate([rng.choice(self.topics[topic], 6), np.searchsorted(self._cdf, rng.random(2), side="right")])
            lists.append(pick)
            texts.append("".join(self.words[pick]) + "？")
        return texts, self.project(lists)

def project_texts(corpus: SyntheticCorpus, texts: list[str]) -> np.ndarray:
    """Vectors of any texts (questions) by the same projection: their known words' rows."""
    lists = [np.array([corpus._index[w] for w in corpus._segment(t) if w in corpus._index] or [0], dtype=np.int64)
             for t in texts]
    return corpus.project(lists)


class FakeEmbedder:
    """Returns precomputed vectors (the benchmark counts no model time); unknown texts get
    the vector of a fixed unrelated text."""

    name = "scale-bench-projection"

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self._other = next(iter(vectors.values())) if vectors else np.zeros(DIM, np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.vectors.get(text, self._other)

    def embed_documents(self, texts) -> np.ndarray:
        return np.stack([self.embed_query(t) for t in texts])


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
