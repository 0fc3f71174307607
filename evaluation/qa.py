"""QA files in the shared format: one JSON object per line with `qid`, `question`,
`answers` and `gold_doc_ids` (none: the question is unanswerable and should be refused)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

__all__ = ["QAItem", "read_jsonl", "load_qa"]


@dataclass(frozen=True, slots=True)
class QAItem:
    qid: str
    question: str
    answers: list
    gold_doc_ids: frozenset[str]

    @property
    def answerable(self) -> bool:
        return bool(self.gold_doc_ids)


def read_jsonl(path: Path) -> list[dict]:
    if not Path(path).is_file():
        raise ConfigError(f"file not found: {path}")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}:{lineno} is not valid JSON: {exc.msg}") from exc
    return rows


def load_qa(paths: Sequence[Path]) -> list[QAItem]:
    """Questions of every file, in order; a qid that repeats across files is kept once."""
    items, seen = [], set()
    for path in paths:
        for row in read_jsonl(path):
            try:
                item = QAItem(str(row["qid"]), row["question"], list(row.get("answers") or []),
                              frozenset(map(str, row.get("gold_doc_ids") or [])))
            except KeyError as exc:
                raise ConfigError(f"{path}: a line lacks the field {exc}; expected qid, question, gold_doc_ids") from exc
            if item.qid not in seen:
                seen.add(item.qid)
                items.append(item)
    return items
