"""Saved conversations: one SQLite file, `<data>/state/conversations.sqlite`.

`<data>/state/` is what the app writes about its use, ignored by git (earlier Yizhis kept
the file at `<data>/conversations.sqlite`, which the repository tracked: using the app
showed up in `git status`, and a pull could overwrite it). `conversations_path` moves
such a file into place the first time.

A conversation is a title, the knowledge bases it asked, and its turns in order; an
assistant's turn keeps its whole `Answer` (as JSON) so reopening shows the sources and
evidence again, and follow-up questions get the earlier turns as history. Each call opens
its own connection (Streamlit serves sessions from several threads), and WAL lets a reader
see a writer's committed turns.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from app.answering.codec import answer_from_json, answer_to_json, move_sources
from app.answering.types import Answer
from app.services.records import Conversation, ConversationInfo, StoredTurn
from core.errors import ConfigError

log = logging.getLogger(__name__)

FILE_NAME = "conversations.sqlite"
STATE_DIR = "state"  # <data>/state: what the app writes about its use (git-ignored)
_SQLITE_COMPANIONS = ("", "-wal", "-shm")  # a database in WAL mode is these files together
MAX_TITLE = 80
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    conversation_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kb_names TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    turn_id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(conversation_id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    answer TEXT,
    kb_names TEXT NOT NULL DEFAULT '[]',
    terms TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    stopped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, turn_id);
"""


def conversations_path(data_dir: Path) -> Path:
    """`<data>/state/conversations.sqlite`; a file an earlier Yizhi kept at
    `<data>/conversations.sqlite` is moved there (with its WAL) when there is none yet."""
    data_dir = Path(data_dir)
    path = data_dir / STATE_DIR / FILE_NAME
    old = data_dir / FILE_NAME
    if old.is_file() and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        for companion in _SQLITE_COMPANIONS:
            source = old.with_name(old.name + companion)
            if source.exists():
                source.replace(path.with_name(path.name + companion))
        log.info("saved conversations moved from %s to %s", old, path)
    return path


def _upgrade(db: sqlite3.Connection) -> None:
    """Columns added since earlier Yizhis made the file: `turns.stopped`."""
    if "stopped" not in {row[1] for row in db.execute("PRAGMA table_info(turns)")}:
        try:
            db.execute("ALTER TABLE turns ADD COLUMN stopped INTEGER NOT NULL DEFAULT 0")
        except sqlite3.OperationalError as exc:  # another process added it a moment ago
            if "duplicate column" not in str(exc):
                raise


def _title(text: str) -> str:
    title = " ".join((text or "").split())
    if not title:
        raise ConfigError("a conversation needs a title: type one")
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1] + "…"


class SqliteConversationService:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(SCHEMA)
                _upgrade(db)
                self._ready = True
            with db:  # one transaction per call
                yield db

    def list_conversations(self, limit: int = 50) -> list[ConversationInfo]:
        """The newest conversations first (by their last turn)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT c.conversation_id, c.title, c.kb_names, c.created_at, c.updated_at,"
                " (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.conversation_id)"
                " FROM conversations c ORDER BY c.updated_at DESC, c.rowid DESC LIMIT ?", (limit,)).fetchall()
        return [ConversationInfo(r[0], r[1], tuple(json.loads(r[2])), r[3], r[4], r[5]) for r in rows]

    def create_conversation(self, title: str, kb_names: Sequence[str] = ()) -> str:
        conversation_id = uuid.uuid4().hex[:16]
        now = time.time()
        with self._db() as db:
            db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                       (conversation_id, _title(title), json.dumps(list(kb_names), ensure_ascii=False), now, now))
        return conversation_id

    def _require(self, db: sqlite3.Connection, conversation_id: str) -> None:
        if db.execute("SELECT 1 FROM conversations WHERE conversation_id = ?", (conversation_id,)).fetchone() is None:
            raise ConfigError(f"conversation '{conversation_id}' does not exist (deleted in another tab?)")

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        with self._db() as db:
            self._require(db, conversation_id)
            db.execute("UPDATE conversations SET title = ? WHERE conversation_id = ?", (_title(title), conversation_id))

    def delete_conversation(self, conversation_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            db.execute("DELETE FROM conversations WHERE conversation_id = ?", (conversation_id,))

    def append_turn(self, conversation_id: str, role: str, content: str, *, answer: Answer | None = None,
                    kb_names: Sequence[str] = (), terms: Sequence[str] = (), stopped: bool = False) -> None:
        """Add a message at the end; the conversation's knowledge bases become those last asked.
        `stopped`: an answer cut short, saved as far as it was shown."""
        if role not in ("user", "assistant"):
            raise ConfigError(f"unknown role '{role}': user or assistant")
        now = time.time()
        payload = json.dumps(answer_to_json(answer), ensure_ascii=False) if answer is not None else None
        with self._db() as db:
            self._require(db, conversation_id)
            db.execute("INSERT INTO turns (conversation_id, role, content, answer, kb_names, terms, created_at,"
                       " stopped) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (conversation_id, role, content, payload, json.dumps(list(kb_names), ensure_ascii=False),
                        json.dumps(list(terms), ensure_ascii=False), now, int(stopped)))
            if kb_names:
                db.execute("UPDATE conversations SET updated_at = ?, kb_names = ? WHERE conversation_id = ?",
                           (now, json.dumps(list(kb_names), ensure_ascii=False), conversation_id))
            else:
                db.execute("UPDATE conversations SET updated_at = ? WHERE conversation_id = ?", (now, conversation_id))

    def rename_knowledge_base(self, name: str, new_name: str, moved: Callable[[str], str] = str) -> int:
        """A knowledge base was renamed: every conversation and turn that asked it asks `new_name`,
        and the sources of its saved answers take their paths through `moved` (uploads live in
        the knowledge base's folder, which moved). Returns how many conversations changed."""
        def renamed(raw: str) -> str | None:
            names = json.loads(raw or "[]")
            if name not in names:
                return None
            return json.dumps([new_name if n == name else n for n in names], ensure_ascii=False)

        with self._db() as db:
            changed = 0
            for conversation_id, raw in db.execute("SELECT conversation_id, kb_names FROM conversations").fetchall():
                if (names := renamed(raw)) is not None:
                    db.execute("UPDATE conversations SET kb_names = ? WHERE conversation_id = ?",
                               (names, conversation_id))
                    changed += 1
            for turn_id, raw, answer in db.execute("SELECT turn_id, kb_names, answer FROM turns").fetchall():
                if (names := renamed(raw)) is not None:
                    answer = json.dumps(move_sources(json.loads(answer), moved), ensure_ascii=False) if answer else None
                    db.execute("UPDATE turns SET kb_names = ?, answer = ? WHERE turn_id = ?", (names, answer, turn_id))
        return changed

    def load_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation with its turns in order; None when it does not exist."""
        with self._db() as db:
            row = db.execute("SELECT conversation_id, title, kb_names, created_at, updated_at FROM conversations"
                             " WHERE conversation_id = ?", (conversation_id,)).fetchone()
            if row is None:
                return None
            rows = db.execute("SELECT role, content, answer, kb_names, terms, created_at, stopped FROM turns"
                              " WHERE conversation_id = ? ORDER BY turn_id", (conversation_id,)).fetchall()
        turns = tuple(StoredTurn(r[0], r[1], answer_from_json(json.loads(r[2])) if r[2] else None,
                                 tuple(json.loads(r[3])), tuple(json.loads(r[4])), r[5], bool(r[6])) for r in rows)
        info = ConversationInfo(row[0], row[1], tuple(json.loads(row[2])), row[3], row[4], len(turns))
        return Conversation(info, turns)


__all__ = ["FILE_NAME", "STATE_DIR", "SqliteConversationService", "conversations_path"]
