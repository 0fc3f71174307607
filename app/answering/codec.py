"""An `Answer` as JSON and back, whole (citations, evidence sentences, per-sentence support),
so a saved conversation shows its answers again exactly as they were shown."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from app.answering.types import Answer, Citation, Evidence, SentenceSupport, TableCell
from core.enums import Language
from core.types import SourceRef


def _fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The items of `data` that are fields of `cls` (a record saved by an older or newer
    version still loads)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _plain(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def _citation_to_json(citation: Citation) -> dict[str, Any]:
    return {**_plain(citation), "also_in": [ref.to_dict() for ref in citation.also_in]}


def _citation_from_json(data: dict[str, Any]) -> Citation:
    fields = _fields(Citation, data)
    fields["also_in"] = tuple(SourceRef(**_fields(SourceRef, ref)) for ref in data.get("also_in") or ())
    return Citation(**fields)


def answer_to_json(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question, "text": answer.text, "refused": answer.refused,
        "citations": [_citation_to_json(c) for c in answer.citations], "timings": dict(answer.timings),
        "language": answer.language, "query": answer.query, "quoted": answer.quoted,
        "evidence": [_plain(e) for e in answer.evidence],
        "sentences": [{**_plain(s), "cited": list(s.cited)} for s in answer.sentences],
        "cells": [_plain(c) for c in answer.cells],
    }


def move_sources(data: dict[str, Any], moved: Callable[[str], str]) -> dict[str, Any]:
    """An answer's JSON with the source path of every citation, other place and evidence
    sentence passed through `moved` (their files' folder was renamed)."""
    def place(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "source": moved(str(item.get("source", "")))} if "source" in item else item

    citations = [{**place(c), "also_in": [place(r) for r in c.get("also_in") or ()]}
                 for c in data.get("citations", ())]
    return {**data, "citations": citations, "evidence": [place(e) for e in data.get("evidence", ())],
            "cells": [place(c) for c in data.get("cells", ())]}


def answer_from_json(data: dict[str, Any]) -> Answer:
    citations = tuple(_citation_from_json(c) for c in data.get("citations", ()))
    evidence = tuple(Evidence(**_fields(Evidence, e)) for e in data.get("evidence", ()))
    sentences = tuple(SentenceSupport(**{**_fields(SentenceSupport, s), "cited": tuple(s.get("cited", ()))})
                      for s in data.get("sentences", ()))
    cells = tuple(TableCell(**_fields(TableCell, c)) for c in data.get("cells", ()))
    language = Language.EN if data.get("language") == Language.EN else Language.ZH
    return Answer(str(data.get("question", "")), str(data.get("text", "")), bool(data.get("refused")), citations,
                  dict(data.get("timings", {})), language, str(data.get("query", "")),
                  evidence=evidence, sentences=sentences, quoted=bool(data.get("quoted")), cells=cells)


__all__ = ["answer_from_json", "answer_to_json", "move_sources"]
