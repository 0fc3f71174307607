"""`eval --docs FOLDER --qa FILE`: real files, asked the way people ask, through the service.

The folders are ingested as a user ingests them (`services.knowledge.ingest`, every loader,
OCR and table extraction) into a knowledge base of their own under
`$YIZHI_DATA_DIR/eval/docs/`, made again whenever the files, the settings that shape the
index or the code that reads and indexes them change, and reused otherwise. Every question
is then asked through the answering service, as the HTTP API asks it.

The questions (../shared/evaldata/docqa/README.md): `{"qid", "question", "answers":
[alternatives], "all_of": [[alternatives], …] (every group must match), "file", "kind",
"unanswerable"}`. A gold string matches when the answer contains it once whitespace is
removed, Traditional is converted to Simplified and case is folded; an unanswerable
question is right only when it is refused.
"""
from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from app.answering.types import Answer
from app.llm.generator import Generator
from app.services import build_services
from app.settings import Settings
from core.errors import ConfigError
from core.text import fold
from evaluation.corpus_kb import eval_data_dir
from evaluation.qa import read_jsonl
from ingest.discovery import discover_files
from retrieval.embedders import EMBED_TEXT_VERSION, Embedder

PROJECT = Path(__file__).resolve().parents[1]
# The code whose change makes the knowledge base again: what reads files and what indexes them.
INDEXING_CODE = ("ingest", "retrieval", "core")
KB_NAME = "docs"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class DocQuestion:
    qid: str
    question: str
    groups: tuple[tuple[str, ...], ...]  # every group must match; one alternative of a group is enough
    file: str
    kind: str
    unanswerable: bool


def load_doc_questions(paths: Sequence[Path]) -> list[DocQuestion]:
    questions = []
    for path in paths:
        for row in read_jsonl(path):
            try:
                groups = tuple(tuple(map(str, g)) for g in row.get("all_of") or ())
                if not groups and row.get("answers"):
                    groups = (tuple(map(str, row["answers"])),)
                question = DocQuestion(str(row["qid"]), row["question"], groups, str(row.get("file", "")),
                                       str(row.get("kind", "")), bool(row.get("unanswerable")))
            except KeyError as exc:
                raise ConfigError(f"{path}: a line lacks the field {exc}; expected qid, question") from exc
            if not question.unanswerable and not question.groups:
                raise ConfigError(f"{path}: {question.qid} is answerable but has no answers nor all_of")
            questions.append(question)
    return questions


def matching_form(text: str) -> str:
    """Whitespace removed, Simplified script, case folded."""
    return _SPACE.sub("", fold(text))


def is_right(answer: Answer, question: DocQuestion) -> bool:
    """Unanswerable: right only when refused. Answerable: not refused, and every group matched."""
    if question.unanswerable:
        return answer.refused
    if answer.refused:
        return False
    text = matching_form(answer.text)
    return all(any(matching_form(alt) in text for alt in group if alt.strip()) for group in question.groups)


def _files(folders: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        if not folder.exists():
            raise ConfigError(f"folder not found: {folder}")
        files += discover_files([folder])[0]
    return sorted(set(files))


def _fingerprint(files: Sequence[Path], settings: Settings, embedder: Embedder) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.resolve()).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    shape = [embedder.name, EMBED_TEXT_VERSION, settings.ingest_config().__repr__(), settings.vector_store]
    digest.update(json.dumps(shape).encode())
    for package in INDEXING_CODE:
        for source in sorted((PROJECT / package).rglob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def metrics(rows: Sequence[dict]) -> dict[str, object]:
    """Figures over per-question rows ({"right", "refused", "unanswerable", "kind", …})."""
    answerable = [r for r in rows if not r["unanswerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    given = [r for r in rows if not r["refused"]]
    out: dict[str, object] = {"questions": len(rows), "answerable": len(answerable),
                              "unanswerable": len(unanswerable)}
    if answerable:
        out["answer_contains"] = round(sum(r["right"] for r in answerable) / len(answerable), 3)
        out["answer_false_refusal_rate"] = round(sum(r["refused"] for r in answerable) / len(answerable), 3)
        kinds = sorted({r["kind"] for r in answerable})
        out["answer_contains_by_kind"] = {
            kind: round(statistics.mean(r["right"] for r in answerable if r["kind"] == kind), 3) for kind in kinds}
        out["questions_by_kind"] = {kind: sum(r["kind"] == kind for r in answerable) for kind in kinds}
    if unanswerable:
        out["answer_refusal_rate_no_answer"] = round(sum(r["refused"] for r in unanswerable) / len(unanswerable), 3)
    if given:
        out["supported_rate"] = round(sum(r["supported"] for r in given) / len(given), 3)
        out["answer_chars_median"] = statistics.median(len(r["answer"]) for r in given)
    for name in ("first_token_ms", "first_text_ms", "total_ms"):
        values = [r["timings"][name] for r in rows if name in r["timings"]]
        if values:
            out[f"{name}_median"] = statistics.median(values)
    return out


def evaluate_docs(folders: Sequence[Path], qa_files: Sequence[Path], settings: Settings, embedder: Embedder, *,
                  generator: Generator | None = None, progress: bool = True,
                  details: list[dict] | None = None) -> dict[str, object]:
    """Ingest the folders (or reuse their knowledge base), ask every question, score the answers."""
    questions = load_doc_questions(qa_files)
    files = _files(folders)
    if not files:
        raise ConfigError(f"no readable files in {', '.join(map(str, folders))}")
    data_dir = eval_data_dir(settings) / "docs" / _fingerprint(files, settings, embedder)
    services = build_services(settings.with_overrides(data_dir=data_dir), embedder=embedder, generator=generator)
    t0 = time.perf_counter()
    try:
        ingest_seconds = 0.0
        if not services.knowledge.exists(KB_NAME):
            services.knowledge.create_knowledge_base(KB_NAME)
            summary = services.knowledge.ingest(KB_NAME, files, progress=progress)
            ingest_seconds = summary.seconds
        rows = []
        for question in tqdm(questions, desc="asking", unit="q", disable=not progress or None):
            answer = services.answers.ask(question.question, [KB_NAME])
            row = {"qid": question.qid, "kind": question.kind, "unanswerable": question.unanswerable,
                   "question": question.question, "right": is_right(answer, question), "refused": answer.refused,
                   "supported": answer.supported, "answer": answer.text, "timings": answer.timings,
                   "sources": [f"{Path(c.source).name}:{c.page}" for c in answer.citations][:3]}
            rows.append(row)
            if details is not None:
                details.append(row)
    finally:
        services.close()
    return {**metrics(rows), "files": len(files), "ingest_seconds": round(ingest_seconds, 3),
            "seconds": round(time.perf_counter() - t0, 1)}


__all__ = ["DocQuestion", "evaluate_docs", "is_right", "load_doc_questions", "matching_form", "metrics"]
