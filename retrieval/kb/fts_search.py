"""BM25 over the catalogue's FTS5 rows (the FAISS backend's lexical search), kept fast in
large knowledge bases: a query's very common tokens are left out of the MATCH.

FTS5 scores every row that matches any token of an OR query before it can sort them, at
about 1 µs a row: at a million chunks a token found in 5-10% of them (公司, 国家, 两个) costs
50-100 ms on its own, and a question of ten tokens took 115 ms at the median and 680 ms
at p95 (bench/scale_bench.py). Such a token adds little to BM25 (its IDF is a third of a
rare token's), so a token found in more than `COMMON_ROWS` rows (or 2% of them, whichever
is more) is dropped from the query, unless every token is that common (then the rarest
is kept). Below 20,000 rows nothing can be dropped, so small knowledge bases (and every
evaluation set) rank exactly as before. Measured at 1M chunks: the top 50 keep 82% of the
exact BM25 top 50, at a fifth of the time (docs/SCALE.md).

A token's row count is FTS5's `count(*)` of its MATCH (2-5 ms for a common token), kept
per knowledge base until its next commit.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from retrieval.kb.catalogue import Catalogue
from retrieval.kb.protocols import Ranked
from retrieval.lexical import fts_match_expression

COMMON_ROWS = 20_000
COMMON_SHARE = 0.02

Rows = Callable[[str, Sequence], list[tuple]]


class CommonTokens:
    """The row counts of query tokens in one knowledge base, for the generation they were read at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._counts: dict[str, int] = {}
        self._limit = COMMON_ROWS

    def kept(self, tokens: Sequence[str], rows: Rows, generation: int) -> list[str]:
        """`tokens` without those too common to be worth their cost (all of them while the
        knowledge base is small)."""
        tokens = list(tokens)
        with self._lock:  # (the queries run outside it: `rows` takes the catalogue's mutex)
            fresh = generation == self._generation
            limit, counts = self._limit, dict(self._counts)
        if not fresh:
            highest = rows("SELECT MAX(rowid) FROM chunks_fts", ())[0][0] or 0  # ~ the row count, at once
            limit = -1 if highest <= COMMON_ROWS else max(COMMON_ROWS, int(COMMON_SHARE * highest))
            counts = {}
        if limit < 0 or len(tokens) < 2:
            found = {}
        else:
            found = {t: rows("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (fts_match_expression([t]),))[0][0]
                     for t in tokens if t not in counts}
        with self._lock:
            if not fresh:
                self._generation, self._limit, self._counts = generation, limit, {}
            if self._generation == generation:
                self._counts.update(found)
        if limit < 0 or len(tokens) < 2:
            return tokens
        counts.update(found)
        kept = [t for t in tokens if counts[t] <= limit]
        return kept or [min(tokens, key=counts.__getitem__)]


class FtsSearch:
    """BM25 over one catalogue's FTS5 rows, its very common tokens left out (`CommonTokens`)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._common_tokens = CommonTokens()

    def search(self, tokens: Sequence[str], n: int) -> Ranked:
        """(chunk_id, bm25) best first; bm25 here is FTS5's, negated so higher is better."""
        if not tokens:
            return []
        rows = self._catalogue.rows  # each query takes the catalogue's mutex by itself
        tokens = self._common_tokens.kept(tokens, rows, self._catalogue.generation)
        found = rows("SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?",
                     (fts_match_expression(list(tokens)), n))
        return [(r[0], -r[1]) for r in found]
