"""Keeping a knowledge base's lexical rows current: their version, the knowledge base's own
vocabulary (headings, `<kb>/dict.txt`), and rebuilding the FTS rows without re-embedding.

A mixin of `retrieval.store.KnowledgeBase` (kept apart so each file stays readable); it
uses the store's database handle (`_db`, `_mutex`, `_rows`, `_meta`), its `transaction()`
and its `saving_lock()`. The row-level work lives in `retrieval/store_lexical.py`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from core.text import to_simplified
from core.types import Chunk
from retrieval import store_lexical
from retrieval.lexical import LEXICAL_VERSION, Vocabulary, heading_terms
from retrieval.lexical_worker import shared_worker

log = logging.getLogger("retrieval.store")


class LexicalUpkeep:
    @property
    def lexical_version(self) -> int:
        """How this knowledge base's FTS rows were made (1: before versions were recorded)."""
        return int(self._meta("lexical_version") or 1)

    def vocabulary(self) -> Vocabulary:
        """The knowledge base's own words, with which its rows and queries are tokenised."""
        with self._mutex:
            current = store_lexical.stamp(self._db)
            if self._vocabulary[0] != current:
                self._vocabulary = (current, store_lexical.recorded_vocabulary(self._db))
            return self._vocabulary[1]

    def vocabulary_for(self, chunks: Sequence[Chunk]) -> Vocabulary:
        """The vocabulary to tokenise a document's chunks with: the knowledge base's and their headings' terms."""
        return self.vocabulary().union(heading_terms(c.heading for c in chunks))

    def _check_lexical_on_open(self) -> None:
        """Make the FTS rows again when they are out of date (an older `LEXICAL_VERSION`, a
        changed user dictionary) or finish a batch's vocabulary, if no other process writes."""
        if self.lexical_version > LEXICAL_VERSION:
            log.warning("knowledge base '%s': its lexical rows were made by a newer Yizhi (version %d, "
                        "this one makes %d); keyword search may miss words until it is re-indexed",
                        self.name, self.lexical_version, LEXICAL_VERSION)
            return
        user = store_lexical.user_vocabulary(self.path)
        with self._mutex:
            why = store_lexical.out_of_date(self._db, user)
            pending = not why and store_lexical.has_pending(self._db)
        if not why and not pending:
            return
        with self.saving_lock() as free:
            if not free:
                log.info("knowledge base '%s': another process is writing; its lexical rows are brought "
                         "up to date on a later open", self.name)
                return
            if pending:
                self._apply_pending_vocabulary()
                return
            started = time.perf_counter()
            count = self.rebuild_lexical(user)
            if count:
                log.warning("knowledge base '%s': lexical rows of %d chunks made again, because %s "
                            "(%.1f s, once; nothing re-embedded)", self.name, count, why,
                            time.perf_counter() - started)

    def rebuild_lexical(self, user: Vocabulary | None = None) -> int:
        """Make the vocabulary (headings, `<kb>/dict.txt`) and every FTS row again from the
        stored `retrieval_text` (nothing is re-embedded). Call under the write lock.
        Returns the chunks done."""
        user = user if user is not None else store_lexical.user_vocabulary(self.path)
        with self._mutex:
            with self.transaction(dense=False) as db:
                return store_lexical.rebuild(db, user)

    def _apply_pending_vocabulary(self) -> int:
        """Rows of other documents that contain a new heading term get its token (under the write lock)."""
        with self._mutex:
            if not store_lexical.has_pending(self._db):
                return 0
            started = time.perf_counter()
            with self.transaction(dense=False) as db:
                # in the lexical worker: an ingesting process has not loaded jieba itself
                count = store_lexical.apply_pending(
                    db, lambda texts, vocabulary: shared_worker().submit(texts, vocabulary).result())
            log.info("knowledge base '%s': new vocabulary terms given to %d rows of other documents (%.2f s)",
                     self.name, count, time.perf_counter() - started)
            return count

    def _check_embedding_text_on_open(self) -> None:
        """Say so when Traditional text was embedded as written (before EMBED_TEXT_VERSION 2)."""
        if self._meta("embed_text_version") is not None or self.embed_model is None:
            return
        sample = [r[0] for r in self._rows("SELECT text FROM chunks ORDER BY chunk_id LIMIT 200")]
        changed = sum(1 for text in sample if to_simplified(text) != text)
        if changed > len(sample) // 10:
            log.warning("knowledge base '%s' holds Traditional Chinese that was embedded as written, "
                        "while questions are now embedded in Simplified script: keyword search is "
                        "unaffected, but re-index it (the Re-index button of its page) for the best "
                        "dense matches", self.name)
