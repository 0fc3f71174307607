"""What to search for: the question, or, for a follow-up that leans on the previous turn
(short, or pointing back with a pronoun), the previous question and this one together."""
from __future__ import annotations

import re

from core.enums import Language
from core.text import detect_language, han_count, latin_words
from prompts.types import History, as_turns

# Pronouns and demonstratives that point back to the previous turn. `其` and `该` only
# when they are not part of an ordinary word (其他, 尤其, 应该 …).
_ZH_ANAPHORA = re.compile(
    r"它|他们|她们|[这那](?:个|些|种|样|里|位|项|款|家|本|次)|"
    r"(?<![尤极与])其(?![他它实余次中])|(?<![应活])该(?![死])"
)
_EN_ANAPHORA = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|his|her)\b", re.I)
_ZH_TRAILING_NE = re.compile(r"呢[？?。\s]*$")
SHORT_ZH_CHARS = 5  # a Latin word (RCEP, iPhone) counts as two characters
SHORT_EN_WORDS = 4


def points_back(question: str) -> bool:
    """A pronoun or demonstrative that points back to something said before (它, 这个, it)."""
    anaphora = _ZH_ANAPHORA if detect_language(question) == Language.ZH else _EN_ANAPHORA
    return bool(anaphora.search(question))


def is_follow_up(question: str) -> bool:
    """Short questions and questions with pronouns lean on the previous turn."""
    if detect_language(question) == Language.ZH:
        size = han_count(question) + 2 * len(latin_words(question))
        return size <= SHORT_ZH_CHARS or points_back(question) or bool(_ZH_TRAILING_NE.search(question))
    return len(latin_words(question)) <= SHORT_EN_WORDS or points_back(question)


def retrieval_query(question: str, history: History | None = None) -> str:
    """What to search for: the question, joined to the previous one for a follow-up."""
    question = question.strip()
    turns = [t for t in as_turns(history) if t.question.strip()]
    if turns and is_follow_up(question):
        return f"{turns[-1].question.strip()} {question}"
    return question


__all__ = ["is_follow_up", "points_back", "retrieval_query"]
