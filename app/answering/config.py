"""How answers are made: the typed configuration `app.settings` builds for the answer flow."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.config import as_enum, check


class AnswerLanguage(StrEnum):
    """The language Yizhi answers in: the question's (auto), or always one."""

    AUTO = "auto"
    ZH = "zh"
    EN = "en"


class AnswerContext(StrEnum):
    """What the prompt shows of each passage: all of it, or its best evidence sentence with
    its neighbours (a shorter prompt and a faster first token)."""

    PASSAGES = "passages"
    EVIDENCE = "evidence"


class Drafting(StrEnum):
    """What the model does when the evidence answers (its quotation is shown at once, before
    the model runs): `add` asks it, and its sentences that are checked and new follow the
    quotation; `quote` does not ask it (the quotation is the answer)."""

    ADD = "add"
    QUOTE = "quote"


@dataclass(frozen=True, slots=True)
class AnswerConfig:
    """`token_budget`: tokens of retrieved passages per prompt at most (the model's context
    window, less its answer and the template, may leave fewer). `floor`: the relevance a
    passage needs for an answer to read it, below the search threshold: a passage asked in
    other words than its own still answers when its sentences hold what the question asks
    (evidence/findings.py decides; search results keep the threshold). `drafting`: whether
    the model adds to a quotation (`Drafting`)."""

    language: AnswerLanguage = AnswerLanguage.AUTO
    context: AnswerContext = AnswerContext.EVIDENCE
    token_budget: int = 350
    floor: float = 0.35
    threshold: float = 0.55  # the search's own threshold (SearchConfig.score_threshold): relevant passages
    passages: int = 8  # passages an answer reads
    shown: int = 5  # of them, the best the prompt shows (SearchConfig.top_k), as its token budget allows
    drafting: Drafting = Drafting.ADD

    def __post_init__(self) -> None:
        check(self.token_budget >= 32, "token_budget", f"must be at least 32 tokens (got {self.token_budget})")
        check(0 <= self.floor <= 1, "floor", f"must be between 0 and 1 (got {self.floor})")
        check(self.passages >= 1, "passages", f"must be at least 1 (got {self.passages})")
        check(self.shown >= 1, "shown", f"must be at least 1 (got {self.shown})")
        object.__setattr__(self, "language", as_enum(AnswerLanguage, self.language, "language"))
        object.__setattr__(self, "context", as_enum(AnswerContext, self.context, "context"))
        object.__setattr__(self, "drafting", as_enum(Drafting, self.drafting, "drafting"))
