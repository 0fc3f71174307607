"""The answer prompts, as data: the 已知信息 template in Chinese and its English twin.

The template text is fixed; what varies is `{context}` (the retrieved passages, numbered
so answers can cite `[1]`, `[2]`, each with its source and page) and `{question}`. What
never changes comes first: the instructions, then the passages, then the question. So every
prompt of a language opens with the same text (`fixed_head`), which the in-process model
reads once and keeps (app/llm/prefix.py) instead of reading it again for every question.

Document text is data, never instructions: every passage sits inside a
`<document>` … `</document>` fence, and any fence marker inside the passage itself is
defused (its `<` becomes the full-width `＜`), so a document cannot close its own fence
and talk to the model as if it were the prompt.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from core.enums import Language
from prompts.types import Passage

ZH_TEMPLATE = (
    "根据下面的已知信息，简洁和专业的来回答用户的问题。"
    "如果无法从中得到答案，请说 “根据已知信息无法回答该问题” 或 “没有提供足够的相关信息”，"
    "不允许在答案中添加编造成分，答案请使用中文。\n已知信息：\n{context}\n问题是：{question}"
)

EN_TEMPLATE = (
    "Based on the known information below, answer the user's question concisely and "
    "professionally. If the answer cannot be found in it, say "
    "\"The question cannot be answered based on the known information\" or "
    "\"Not enough relevant information was provided\". Do not add fabricated content; "
    "answer in English.\nKnown information:\n{context}\nThe question is: {question}"
)

TEMPLATES: dict[str, str] = {"zh": ZH_TEMPLATE, "en": EN_TEMPLATE}

# What the service says when nothing relevant was retrieved (the first of each list),
# and what counts as the model refusing.
REFUSALS: dict[str, tuple[str, ...]] = {
    "zh": ("根据已知信息无法回答该问题", "没有提供足够的相关信息"),
    "en": ("The question cannot be answered based on the known information",
           "Not enough relevant information was provided"),
}

# For base (non-chat) models the prompt is continued as a completion after this cue.
ANSWER_CUES: dict[str, str] = {"zh": "\n答案：", "en": "\nAnswer:"}

# Where a base model has finished its answer and starts inventing the next exercise
# (counted once the answer has begun: a leading blank line is skipped).
STOP_SEQUENCES: dict[str, tuple[str, ...]] = {
    "zh": ("\n", "问题是：", "已知信息：", "根据下面的已知信息", "来源：", "<document", "</document"),
    "en": ("\n", "The question is:", "Known information:", "Based on the known information below", "source:",
           "<document", "</document"),
}

_PAGE_LABEL = {"zh": "第{page}页", "en": "page {page}"}
_SOURCE_LABEL = {"zh": "来源：{where}", "en": "source: {where}"}

_HEADS = tuple(template.split("{context}")[0] for template in TEMPLATES.values())
_FENCE_RE = re.compile(r"<(\s*/?\s*document)", re.IGNORECASE)


def defuse(text: str) -> str:
    """Make fence markers inside document text inert (`<document` -> `＜document`)."""
    return _FENCE_RE.sub(lambda m: "＜" + m.group(1), text)


def _one_line(text: str) -> str:
    return " ".join(defuse(text).split())


def render_passage(index: int, passage: Passage, language: Language = "zh") -> str:
    """`[n] (来源：file，第p页)` then the text inside a `<document>` fence."""
    where = _one_line(passage.source)
    if passage.page is not None:
        sep = "，" if language == "zh" else ", "
        where += sep + _PAGE_LABEL[language].format(page=passage.page)
    header = f"[{index}] " + _SOURCE_LABEL[language].format(where=where)
    body = defuse(passage.text.strip())
    return f"{header}\n<document>\n{body}\n</document>"


def render_context(passages: Sequence[Passage], language: Language = "zh") -> str:
    """The numbered, fenced passages, [1] first, one blank line between them."""
    return "\n\n".join(render_passage(i, p, language) for i, p in enumerate(passages, 1))


def render_prompt(question: str, context: str, language: Language = "zh") -> str:
    """The filled template. `str.replace`, not `format`: braces in documents are data."""
    template = TEMPLATES[language]
    head, tail = template.split("{context}")
    return head + context + tail.replace("{question}", question.strip())


def fixed_head(prompt: str) -> str:
    """The part of `prompt` that every answer prompt of its language shares (the template up
    to its passages), or "" when `prompt` is not a filled template."""
    return next((head for head in _HEADS if prompt.startswith(head)), "")


def is_refusal(text: str, language: Language | None = None) -> bool:
    """True when an answer is (or opens with) one of the refusal sentences."""
    norm = _normalise(text)
    if not norm:
        return True
    langs = [language] if language else list(REFUSALS)
    return any(norm.startswith(_normalise(r)) for lang in langs for r in REFUSALS[lang])


def _normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


__all__ = ["ANSWER_CUES", "EN_TEMPLATE", "Language", "Passage", "REFUSALS", "STOP_SEQUENCES",
           "TEMPLATES", "ZH_TEMPLATE", "defuse", "fixed_head", "is_refusal", "render_context", "render_passage",
           "render_prompt"]
