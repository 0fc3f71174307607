"""A knowledge base's lexical rows and the vocabulary they were made with.

Every FTS5 row is made from its chunk's `retrieval_text` by `retrieval.lexical.tokenize`
with the knowledge base's `Vocabulary`: the terms of every chunk heading (a document's
title or heading path) and of the user dictionary `<kb>/dict.txt`. The `vocabulary`
table holds those terms; queries are tokenised with the same table, so both sides agree.

- A document's own heading terms enter the table in the transaction that stores its
  chunks (its rows were made with them), marked `pending`: rows of *other* documents that
  contain the new term do not have it yet.
- `apply_pending` (run by the knowledge base's `save()` at the end of every batch, and on
  open after a crash: retrieval/kb/lexical_upkeep.py) finds those rows and makes them
  again: SQLite finds the chunks whose text in matching form (the `match_text` column,
  kept for this) contains a new term, and only those that lack its token are tokenised
  again.
- `rebuild` makes every row and the whole table again, from the stored text (nothing is
  re-embedded): after a change of `LEXICAL_VERSION`, or of the user dictionary (noticed
  on open), or on request (`python -m ingest --relex --kb NAME`). Terms of documents
  that were removed leave the table only then; until then they are harmless.

The functions that write take the database inside a transaction the caller holds.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from core.text import fold
from retrieval.lexical import (
    EMPTY_VOCABULARY,
    LEXICAL_VERSION,
    Vocabulary,
    heading_terms,
    lexical_rows,
    read_user_dictionary,
)

USER_DICTIONARY = "dict.txt"
MakeRows = Callable[[list[str], Vocabulary], list[str]]
_BATCH = 500


def user_vocabulary(kb_path: Path) -> Vocabulary:
    """The terms of `<kb>/dict.txt` (empty when there is none)."""
    return Vocabulary(frozenset(read_user_dictionary(kb_path / USER_DICTIONARY)))


def _meta(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


def stamp(db: sqlite3.Connection) -> str:
    """Changes whenever the vocabulary table does (readers reload it then)."""
    return _meta(db, "vocabulary_stamp") or "0"


def _bump(db: sqlite3.Connection) -> None:
    _set_meta(db, "vocabulary_stamp", str(int(stamp(db)) + 1))


def recorded_vocabulary(db: sqlite3.Connection) -> Vocabulary:
    terms = frozenset(r[0] for r in db.execute("SELECT term FROM vocabulary"))
    return Vocabulary(terms) if terms else EMPTY_VOCABULARY


def record_terms(db: sqlite3.Connection, terms: Iterable[str], known: Vocabulary) -> int:
    """Add a new document's heading terms (those `known` lacks) as pending. Returns how many."""
    new = sorted(set(terms) - known.terms)
    if new:
        db.executemany("INSERT OR IGNORE INTO vocabulary(term, source, pending) VALUES (?, 'heading', 1)",
                       [(t,) for t in new])
        _bump(db)
    return len(new)


def has_pending(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM vocabulary WHERE pending = 1 LIMIT 1").fetchone() is not None


def match_text(retrieval_text: str) -> str:
    """What the `match_text` column holds: the text in matching form (`core.text.fold`)."""
    return fold(retrieval_text)


# Up to this many new terms, SQLite looks for each in every chunk's text (instr, about a
# microsecond per chunk and term); with more, one pass in Python looks for all of them at
# once (`Vocabulary.find`, about 0.1 ms per chunk).
_SQL_TERMS = 64


def _chunks_containing(db: sqlite3.Connection, terms: list[str]) -> Iterator[list[tuple[int, str, str]]]:
    """(chunk_id, text in matching form, FTS tokens) of the chunks whose matching form may
    contain one of `terms` (a superset; `Vocabulary.find` decides), in batches."""
    select = "SELECT c.chunk_id, c.match_text, f.tokens FROM chunks c JOIN chunks_fts f ON f.rowid = c.chunk_id"
    if len(terms) > _SQL_TERMS:
        last = -1
        while rows := db.execute(f"{select} WHERE c.chunk_id > ? ORDER BY c.chunk_id LIMIT ?",
                                 (last, _BATCH)).fetchall():
            yield rows
            last = rows[-1][0]
        return
    for i in range(0, len(terms), 32):
        group = terms[i:i + 32]
        rows = db.execute(f"{select} WHERE " + " OR ".join(["instr(c.match_text, ?) > 0"] * len(group)),
                          group).fetchall()
        for j in range(0, len(rows), _BATCH):
            yield rows[j:j + _BATCH]


def apply_pending(db: sqlite3.Connection, make_rows: MakeRows = lexical_rows) -> int:
    """Give the rows that contain a pending term its token; the terms stop being pending.
    `make_rows(texts, vocabulary)` tokenises (`lexical_rows`, or the lexical worker's).
    Returns the rows made again."""
    pending = frozenset(r[0] for r in db.execute("SELECT term FROM vocabulary WHERE pending = 1"))
    if not pending:
        return 0
    new, full = Vocabulary(pending), recorded_vocabulary(db)
    updated, seen = 0, set()
    for rows in _chunks_containing(db, sorted(pending)):
        stale = [(cid, text) for cid, text, tokens in rows
                 if cid not in seen and (found := new.find(text)) and not set(found) <= set(tokens.split())]
        seen.update(cid for cid, _, _ in rows)
        if stale:
            db.executemany("UPDATE chunks_fts SET tokens = ? WHERE rowid = ?",
                           list(zip(make_rows([t for _, t in stale], full), [cid for cid, _ in stale])))
            updated += len(stale)
    db.execute("UPDATE vocabulary SET pending = 0 WHERE pending = 1")
    return updated


def rebuild(db: sqlite3.Connection, user: Vocabulary) -> int:
    """The vocabulary from every chunk heading and the user dictionary, and every FTS row
    made again with it; records `LEXICAL_VERSION`. Returns the chunks done."""
    headings = heading_terms(r[0] for r in db.execute("SELECT DISTINCT heading FROM chunks"))
    db.execute("DELETE FROM vocabulary")
    db.executemany("INSERT INTO vocabulary(term, source, pending) VALUES (?, ?, 0)",
                   [(t, "user") for t in sorted(user.terms)]
                   + [(t, "heading") for t in sorted(headings - user.terms)])
    _bump(db)
    vocabulary = recorded_vocabulary(db)
    db.execute("DELETE FROM chunks_fts")
    done, last = 0, -1
    while True:
        rows = db.execute("SELECT chunk_id, retrieval_text FROM chunks WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?",
                          (last, _BATCH)).fetchall()
        if not rows:
            break
        db.executemany("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)",
                       list(zip([cid for cid, _ in rows], lexical_rows([t for _, t in rows], vocabulary))))
        db.executemany("UPDATE chunks SET match_text = ? WHERE chunk_id = ?",
                       [(match_text(t), cid) for cid, t in rows])
        last = rows[-1][0]
        done += len(rows)
    _set_meta(db, "lexical_version", str(LEXICAL_VERSION))
    _set_meta(db, "user_dictionary", user.fingerprint)
    return done


def start_empty(db: sqlite3.Connection, user: Vocabulary) -> None:
    """A knowledge base without chunks: the user's terms, the current version."""
    rebuild(db, user)


def out_of_date(db: sqlite3.Connection, user: Vocabulary) -> str:
    """Why the rows must be made again ("" when they need not): an older version, a
    changed user dictionary."""
    version = int(_meta(db, "lexical_version") or 1)
    if version < LEXICAL_VERSION:
        return f"they were made by lexical version {version}, this Yizhi makes {LEXICAL_VERSION}"
    if (_meta(db, "user_dictionary") or "") != user.fingerprint:
        return f"the user dictionary {USER_DICTIONARY} changed"
    return ""
