"""Questions of two parts over the sample guide (data/docs), asked through the service as a
user asks them (the default models): how many parts are answered right, and how many parts
the guide cannot answer get a "not found".

A part is read in the answer's section under its own question ("1. 数据保存在哪里？") when
the answer has one for every part, else in the whole answer (an answer given as one). An
answerable part is right when its section is no refusal and holds one alternative of every
group of `answers` (whitespace removed, Traditional read as Simplified); a part the guide
cannot answer (`unanswerable`) is right when its section refuses (or the whole answer does).

    .venv/bin/python -m bench.parts_bench [--questions bench/data/parts_questions.jsonl] [--json]

The knowledge base is built once under YIZHI_DATA_DIR (knowledge base `parts-bench`).
"""
from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from app.answering.types import Answer
from app.services import build_services
from app.settings import load_settings
from evaluation.docs import matching_form
from prompts.templates import is_refusal

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "bench" / "data" / "parts_questions.jsonl"
KB = "parts-bench"
# Yizhi's sentences for what the documents do not give (app/answering/render.py `not_given`)
_NOT_GIVEN = ("但没有给出", "文档中没有", "但沒有給出", "文檔中沒有", "do not give")


@dataclass(frozen=True, slots=True)
class Part:
    part: str
    answers: tuple[tuple[str, ...], ...]
    unanswerable: bool


def load(path: Path) -> list[tuple[str, list[Part]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            parts = [Part(p["part"], tuple(tuple(g) for g in p.get("answers", ())), bool(p.get("unanswerable")))
                     for p in row["parts"]]
            out.append((row["question"], parts))
    return out


def sections(answer: Answer, parts: list[Part]) -> list[str] | None:
    """The answer's text under each part's heading, or None when it is not given part by part."""
    text, found = answer.text, []
    for number, part in enumerate(parts, 1):
        heading = f"{number}. {part.part}\n"
        at = text.find(heading)
        if at < 0:
            return None
        found.append(at + len(heading))
    ends = [text.rfind("\n\n", 0, found[i + 1]) for i in range(len(found) - 1)] + [len(text)]
    return [text[start:end].strip() for start, end in zip(found, ends)]


def refuses(text: str) -> bool:
    return is_refusal(text.strip()) or any(p in text for p in _NOT_GIVEN)


def part_right(part: Part, section: str, answer: Answer, whole: bool) -> bool:
    if part.unanswerable:
        return answer.refused if whole else refuses(section)
    if answer.refused or (not whole and refuses(section)):
        return False
    found = matching_form(section)
    return all(any(matching_form(a) in found for a in group) for group in part.answers)


def run(path: Path) -> dict[str, object]:
    settings = load_settings()
    services = build_services(settings)
    rows = []
    try:
        if not services.knowledge.exists(KB):
            services.knowledge.create_knowledge_base(KB)
            services.knowledge.ingest(KB, [ROOT / "data" / "docs"])
        for question, parts in load(path):
            answer = services.answers.ask(question, [KB])
            split = sections(answer, parts)
            right = [part_right(p, split[i] if split else answer.text, answer, split is None)
                     for i, p in enumerate(parts)]
            rows.append({"question": question, "by_part": split is not None, "right": right,
                         "answer": answer.text, "refused": answer.refused, "supported": answer.supported})
    finally:
        services.close()
    graded = [(ok, part) for (_, parts), row in zip(load(path), rows) for ok, part in zip(row["right"], parts)]
    answerable = [ok for ok, part in graded if not part.unanswerable]
    unanswerable = [ok for ok, part in graded if part.unanswerable]
    return {"questions": len(rows), "parts": len(graded), "parts_right": sum(ok for ok, _ in graded),
            "answerable_parts_right": f"{sum(answerable)}/{len(answerable)}",
            "unanswerable_parts_not_found": f"{sum(unanswerable)}/{len(unanswerable)}",
            "questions_all_parts_right": sum(all(row["right"]) for row in rows),
            "answered_by_part": sum(row["by_part"] for row in rows),
            "supported": sum(row["supported"] for row in rows), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--json", action="store_true", help="every answer as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = run(args.questions)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for row in result.pop("rows"):
        marks = " ".join("✓" if ok else "✗" for ok in row["right"])
        print(f"{marks}  {row['question']}\n    {row['answer'].replace(chr(10), ' | ')[:240]}")
    for name, value in result.items():
        print(f"{name:32} {value}")


if __name__ == "__main__":
    main()
