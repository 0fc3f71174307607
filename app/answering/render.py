"""A finding (evidence/findings.py) in words: a table cell with its row and column, a list
with every item, a quoted sentence, or Yizhi's own sentence saying what the documents do
not give. Yizhi's own words follow the question's script; quoted text keeps the
document's. Every answer is built from the passage's own characters, so each sentence is
supported by construction; a quotation is checked like any answer (compose.py)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.answering.compose import checked_quotation
from app.answering.evidence.asks import Ask
from app.answering.evidence.findings import Finding, FindingKind
from app.answering.evidence.lists import ListBlock
from app.answering.evidence.tables import CellAnswer
from app.answering.evidence.values import WHAT_EN, WHAT_ZH
from app.answering.types import Evidence, SentenceSupport, TableCell
from core.enums import Language
from core.text import Script, in_script
from core.types import ScoredChunk


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    refused: bool
    sentences: tuple[SentenceSupport, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    cells: tuple[TableCell, ...] = ()
    quoted: bool = True


def _evidence_at(results: Sequence[ScoredChunk], passage: int, start: int, end: int) -> Evidence:
    chunk = results[passage - 1].chunk
    return Evidence(passage, chunk.source, chunk.page, chunk.chunk_id, chunk.text[start:end], start, end, 1.0)


def _supported(text: str, passage: int) -> tuple[SentenceSupport, ...]:
    return (SentenceSupport(text, (passage,), True, passage, 1.0),)


def table_answer(cell: CellAnswer, passage: int, results: Sequence[ScoredChunk], language: Language) -> Rendered:
    row = cell.row
    label = row.label or next((v for n, v in row.cells if (n, v) not in cell.cells), "")
    chunk = results[passage - 1].chunk
    unit = f"（单位：{row.unit}）" if row.unit and language == Language.ZH else (f" (unit: {row.unit})" if row.unit else "")
    if language == Language.ZH:
        values = "，".join(f"{name}为 {value}" for name, value in cell.cells)
        text = f"{row.caption}：{label}，{values}{unit}[{passage}]" if row.caption else f"{label}，{values}{unit}[{passage}]"
    else:
        values = "; ".join(f"{name}: {value}" for name, value in cell.cells)
        where = f" ({row.caption})" if row.caption else ""
        text = f"{label}: {values}{unit}{where} [{passage}]"
    cells = tuple(TableCell(row.caption, label, name, value, row.unit, chunk.source, chunk.page, passage)
                  for name, value in cell.cells)
    return Rendered(text, False, _supported(text, passage), (_evidence_at(results, passage, row.start, row.end),),
                    cells)


def list_answer(block: ListBlock, results: Sequence[ScoredChunk], language: Language) -> Rendered:
    if block.inline:
        body = block.lead
    else:
        separator = "；" if language == Language.ZH else "; "
        body = f"{block.lead}{'：' if language == Language.ZH else ': '}" + separator.join(block.items)
    text = f"{body}[{block.passage}]" if language == Language.ZH else f"{body} [{block.passage}]"
    return Rendered(text, False, _supported(text, block.passage),
                    (_evidence_at(results, block.passage, block.start, block.end),))


def not_given(finding: Finding, ask: Ask, script: Script) -> str:
    """Yizhi's sentence for a question the passages are about but do not answer."""
    topic_zh, topic_en = "、".join(finding.topic), ", ".join(finding.topic)
    try:
        what = next(kind for kind in WHAT_ZH if kind.value == finding.missing)
    except StopIteration:
        what = None
    if ask.language == Language.EN:
        lacking = f"the {WHAT_EN[what]}" if what is not None else f"anything about “{finding.missing}”"
        return (f"The documents mention {topic_en} but do not give {lacking}." if topic_en
                else f"The documents do not give {lacking}.")
    lacking = f"具体的{WHAT_ZH[what]}" if what is not None else f"“{finding.missing}”的内容"
    text = f"文档提到了{topic_zh}，但没有给出{lacking}。" if topic_zh else f"文档中没有{lacking}。"
    return in_script(text, script)


def render(finding: Finding, ask: Ask, results: Sequence[ScoredChunk], script: Script,
           passages: Sequence[str]) -> Rendered:
    """The answer a finding makes (TABLE, LIST, VALUE, NOT_GIVEN); SENTENCE findings are
    composed with the model's draft (compose.py)."""
    language = ask.language
    if finding.kind == FindingKind.TABLE and finding.cell is not None:
        return table_answer(finding.cell, finding.cell_passage, results, language)
    if finding.kind == FindingKind.LIST and finding.block is not None:
        return list_answer(finding.block, results, language)
    if finding.kind in (FindingKind.VALUE, FindingKind.SENTENCE) and finding.evidence:
        text, checks = checked_quotation(finding.evidence, language, ask.question, passages, finding.lead)
        return Rendered(text, False, checks, finding.evidence)
    if finding.kind == FindingKind.NOT_GIVEN:
        return Rendered(not_given(finding, ask, script), True, quoted=False)
    raise ValueError(f"a {finding.kind} finding has nothing to render")


__all__ = ["Rendered", "list_answer", "not_given", "render", "table_answer"]
