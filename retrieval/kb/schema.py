"""The catalogue's SQLite schema (`kb.sqlite`), its upgrade from earlier Yizhis, and the
naming rule of knowledge bases."""
from __future__ import annotations

import re
import sqlite3

from core.errors import ConfigError
from core.text import escape_controls

# Letters (any script), digits, '_', '-', '.'; no path separators; not starting with '.'.
# Matched whole (`fullmatch`: `$` would let a final newline through).
_KB_NAME = re.compile(r"[^\W][\w.-]{0,63}", re.UNICODE)
_NAME_MAX_BYTES = 255  # a folder name on ext4 and most file systems (64 rare ideographs are 256)

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


def is_valid_kb_name(name: object) -> bool:
    """True when `name` can name a knowledge base (and so a folder: never too long for the
    file system, never a path, never a character the file system cannot take)."""
    return (isinstance(name, str) and _KB_NAME.fullmatch(name) is not None
            and len(name.encode("utf-8")) <= _NAME_MAX_BYTES)


def validate_kb_name(name: str) -> str:
    if not is_valid_kb_name(name):
        shown = escape_controls(name[:80] + "…" if len(name) > 80 else name, keep="") if isinstance(name, str) else name
        raise ConfigError(
            f"'{shown}' is not a valid knowledge-base name: use letters, "
            "digits, '_', '-' or '.', at most 64 characters, not starting with a dot"
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
