"""Keeping a knowledge base's lexical rows current: their version, the knowledge base's own
vocabulary (headings, `<kb>/dict.txt`), and rebuilding the FTS rows without re-embedding.

The FTS5 rows are made from each chunk's `retrieval_text` (retrieval/lexical.py) with the
knowledge base's vocabulary; the catalogue records the `lexical_version` and the user
dictionary they were made with. On open, rows of an older version (a knowledge base built
before a change to normalisation or segmentation) or of another user dictionary are made
again from the stored text, once, without re-embedding (`rebuild`; also
`python -m ingest --relex`). The row-level work lives in retrieval/kb/lexical_table.py.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from core.types import Chunk
from retrieval.kb import lexical_table
from retrieval.kb.catalogue import Catalogue
from retrieval.kb.lock import WriteLock
from retrieval.lexical import LEXICAL_VERSION, Vocabulary, heading_terms
from retrieval.lexical_worker import shared_worker

log = logging.getLogger(__name__)

Rebuild = Callable[[Vocabulary], int]


class LexicalUpkeep:
    """The lexical rows and vocabulary of one catalogue; writes run under `lock`."""

    def __init__(self, catalogue: Catalogue, lock: WriteLock) -> None:
        self._catalogue = catalogue
        self._lock = lock
        self._vocabulary: tuple[str, Vocabulary] = ("", Vocabulary())  # (stamp, vocabulary)

    @property
    def lexical_version(self) -> int:
        """How this knowledge base's FTS rows were made (1: before versions were recorded)."""
        return int(self._catalogue.meta("lexical_version") or 1)

    def vocabulary(self) -> Vocabulary:
        """The knowledge base's own words, with which its rows and queries are tokenised."""
        with self._catalogue.snapshot() as db:
            current = lexical_table.stamp(db)
            if self._vocabulary[0] != current:
                self._vocabulary = (current, lexical_table.recorded_vocabulary(db))
            return self._vocabulary[1]

    def vocabulary_for(self, chunks: Sequence[Chunk]) -> Vocabulary:
        """The vocabulary to tokenise a document's chunks with: the knowledge base's and their headings' terms."""
        return self.vocabulary().union(heading_terms(c.heading for c in chunks))

    def check_on_open(self, rebuild: Rebuild) -> None:
        """Make the FTS rows again (`rebuild`, which the vector index follows) when they are
        out of date (an older `LEXICAL_VERSION`, a changed user dictionary) or finish a
        batch's vocabulary, if no other process writes."""
        name = self._catalogue.name
        if self.lexical_version > LEXICAL_VERSION:
            log.warning("knowledge base '%s': its lexical rows were made by a newer Yizhi (version %d, "
                        "this one makes %d); keyword search may miss words until it is re-indexed",
                        name, self.lexical_version, LEXICAL_VERSION)
            return
        user = self.user_vocabulary()
        with self._catalogue.snapshot() as db:
            why = lexical_table.out_of_date(db, user)
            pending = not why and lexical_table.has_pending(db)
        if not why and not pending:
            return
        with self._lock.held_if_free() as free:
            if not free:
                log.info("knowledge base '%s': another process is writing; its lexical rows are brought "
                         "up to date on a later open", name)
                return
            if pending:
                self.apply_pending()
                return
            started = time.perf_counter()
            count = rebuild(user)
            if count:
                log.warning("knowledge base '%s': lexical rows of %d chunks made again, because %s "
                            "(%.1f s, once; nothing re-embedded)", name, count, why,
                            time.perf_counter() - started)

    def user_vocabulary(self) -> Vocabulary:
        """The terms of the knowledge base's user dictionary (`<kb>/dict.txt`)."""
        return lexical_table.user_vocabulary(self._catalogue.folder)

    def rebuild(self, user: Vocabulary) -> int:
        """Make the vocabulary (headings, `user`) and every FTS row again from the stored
        `retrieval_text` (nothing is re-embedded). Call under the write lock.
        Returns the chunks done."""
        with self._catalogue.transaction(dense=False) as db:
            return lexical_table.rebuild(db, user)

    def apply_pending(self) -> int:
        """Rows of other documents that contain a new heading term get its token (under the write lock)."""
        with self._catalogue.mutex:
            with self._catalogue.snapshot() as db:
                if not lexical_table.has_pending(db):
                    return 0
            started = time.perf_counter()
            with self._catalogue.transaction(dense=False) as db:
                # in the lexical worker: an ingesting process has not loaded jieba itself
                count = lexical_table.apply_pending(
                    db, lambda texts, vocabulary: shared_worker().submit(texts, vocabulary).result())
            log.info("knowledge base '%s': new vocabulary terms given to %d rows of other documents (%.2f s)",
                     self._catalogue.name, count, time.perf_counter() - started)
            return count
