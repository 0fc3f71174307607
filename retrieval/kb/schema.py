"""The catalogue's SQLite schema (`kb.sqlite`), its upgrade from earlier Yizhis, and the
naming rule of knowledge bases."""
from __future__ import annotations

import re
import sqlite3

from core.errors import ConfigError

# Letters (any script), digits, '_', '-', '.'; no path separators; not starting with '.'.
_KB_NAME = re.compile(r"^[^\W][\w.-]{0,63}$", re.UNICODE)

# The text is stored in every catalogue's sqlite_master as written, so it stays as earlier
# Yizhis wrote it, file names in its comments included: `match_text` is made in
# retrieval/kb/lexical_table.py now, `child_embeddings` in retrieval/kb/child_vectors.py.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT NOT NULL DEFAULT '',
    pages INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    ocr_pages INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    page INTEGER,
    heading TEXT NOT NULL DEFAULT '',
    ocr INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    retrieval_text TEXT NOT NULL,
    embedding BLOB NOT NULL,
    match_text TEXT NOT NULL DEFAULT '',  -- retrieval_text in matching form (retrieval/store_lexical.py)
    child_embeddings BLOB  -- the child pieces' vectors, float16 rows (retrieval/children.py); NULL: none
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, position);
CREATE TABLE IF NOT EXISTS vocabulary (
    term TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
"""


def validate_kb_name(name: str) -> str:
    if not _KB_NAME.match(name or ""):
        raise ConfigError(
            f"'{name}' is not a valid knowledge-base name: use letters, digits, '_', '-' or '.', "
            "at most 64 characters, not starting with a dot"
        )
    return name


def upgrade_schema(db: sqlite3.Connection) -> None:
    """Bring a database made by an earlier Yizhi to this schema (columns added since)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    for name, kind in (("match_text", "TEXT NOT NULL DEFAULT ''"), ("child_embeddings", "BLOB")):
        if name not in columns:
            try:
                db.execute(f"ALTER TABLE chunks ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as exc:  # another process added it a moment ago
                if "duplicate column" not in str(exc):
                    raise
