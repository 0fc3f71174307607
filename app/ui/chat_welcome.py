"""The chat's first screen: what the selected knowledge bases hold, a few questions to
start with (drawn from their headings and their own questions), and the model in use."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import streamlit as st

from app.services import Services
from app.services.records import KnowledgeOverview
from app.ui import model_picker, runtime
from app.ui.messages import language, t
from app.ui.textmark import md_escape
from core.errors import YizhiError
from core.text import detect_language

MAX_EXAMPLES = 5
MAX_FROM_QUESTIONS = 3
_ASKS_ZH = re.compile(r"什么|怎么|怎样|如何|为什么|哪|吗|多少|几|谁")
_ASKS_EN = re.compile(r"^(what|how|why|which|who|when|where|can|does|do|is|are)\b", re.I)
# Headings that name a kind of section, not a subject to ask about.
_GENERIC = {"常见问题", "目录", "目次", "前言", "引言", "附录", "参考文献", "概述", "简介", "范围", "规范性引用文件",
            "术语和定义", "术语与定义", "faq", "contents", "introduction", "appendix", "references", "overview",
            "frequently asked questions", "summary", "abstract", "table of contents"}
# A question that points back at what came before it in its document ("这个等式说明什么呢？",
# "那么，它的价值量是怎样计量的呢？") asks nothing by itself.
_POINTS_BACK_ZH = re.compile(r"^(?:那么|那|所以|因此|而|但|另外)[，,]?|这个|这些|这种|这里|这样|那个|那些|上述|以上"
                             r"|(?<!应)该(?!怎|如)|(?<![因如彼])此(?!外)|它|其(?![他中实余次])")
_POINTS_BACK_EN = re.compile(r"^(?:so|then|and|but)\b|\b(?:this|that|these|those|it|its|they|above)\b", re.I)
# A heading that names a whole guide or manual (its title) asks for everything at once.
_WHOLE_DOCUMENT = re.compile(r"(?:用户指南|使用指南|使用手册|操作手册|用户手册|说明书|\buser guide|\bmanual|\bhandbook|\breadme)\W*$",
                             re.IGNORECASE)
_SPACED = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")  # "目 次", "前 言": a heading spaced out
_NUMBERED = re.compile(r"^(?:[\dA-Z]+(?:\.\d+)*|第[一二三四五六七八九十\d]+[章节条])[\s、.]+")
_UNBALANCED = re.compile(r"^[^“”\"]*[“\"][^”\"]*$|^[^“”\"]*”")


def _script(text: str) -> str:
    return detect_language(text).value


def question_for(heading: str) -> str | None:
    """An example question about a heading, in the heading's own language."""
    h = _NUMBERED.sub("", _SPACED.sub("", heading.strip())).rstrip("：:。.")
    if not h or h.lower() in _GENERIC or len(h) < 2 or points_back(h) or _WHOLE_DOCUMENT.search(h):
        return None
    if _script(h) == "zh":
        return f"{h}？" if _ASKS_ZH.search(h) else t("welcome.about_zh", "zh", topic=h)
    return f"{h}?" if h.endswith("?") or _ASKS_EN.match(h) and len(h.split()) > 2 else t("welcome.about_en", "en",
                                                                                         topic=h)


def points_back(question: str) -> bool:
    """Whether a question leans on what came before it (这个…, 那么，它…, this …)."""
    return bool(_POINTS_BACK_ZH.search(question) if _script(question) == "zh" else _POINTS_BACK_EN.search(question))


def pick_examples(overviews: Sequence[KnowledgeOverview], lang: str, limit: int = MAX_EXAMPLES) -> list[str]:
    """Up to `limit` example questions: the documents' own questions first, then questions
    about their headings; those in the page's language before the others."""
    asked = [q for o in overviews for q in o.questions if not _UNBALANCED.search(q) and not points_back(q)]
    about = [q for o in overviews for h in o.headings if (q := question_for(h))]
    ranked = []
    for pool, cap in ((asked, MAX_FROM_QUESTIONS), (about, limit)):
        preferred = [q for q in pool if _script(q) == lang] or pool
        ranked += preferred[:cap]
    return list(dict.fromkeys(ranked))[:limit]


def _holdings(overviews: Sequence[KnowledgeOverview]) -> str:
    failed = sum(o.failed for o in overviews)
    documents = sum(o.documents for o in overviews) - failed  # indexed ones; the failed are said apart
    chunks = sum(o.chunks for o in overviews)
    newest = max((o.updated_at for o in overviews), default=0.0)
    names = ("、" if language() == "zh" else ", ").join(o.name for o in overviews)
    holds = t("welcome.holds", kbs=names, documents=documents, chunks=chunks, when=runtime.when(newest))
    return holds + (t("welcome.failed", n=failed) if failed else "")


def render(services: Services, kb_names: Sequence[str], ask: Callable[[str], None]) -> None:
    """The first screen of an empty conversation; `ask` is called with a clicked example."""
    try:
        overviews = [services.knowledge.overview(name) for name in kb_names]
    except YizhiError as exc:
        runtime.show_error(exc)
        return
    st.markdown(f"#### {t('welcome.title')}")
    st.markdown(_holdings(overviews))
    if not any(o.documents for o in overviews):
        st.info(t("welcome.empty"), icon=":material/upload_file:")
    examples = pick_examples(overviews, language())
    if examples:
        st.caption(t("welcome.try"))
        for i, question in enumerate(examples):
            st.button(question, key=f"example-{i}", icon=":material/help:", on_click=ask, args=(question,))
    info, _ = model_picker.session_model(services)
    cols = st.columns([4, 1], vertical_alignment="center")
    if info is not None:
        cols[0].caption(t("welcome.model", name=md_escape(model_picker.model_label(info)),
                          about=model_picker.kind(info)))
    with cols[1].popover(t("welcome.change_model"), icon=":material/swap_horiz:", key="welcome-model"):
        model_picker.render(services, "llm_pick_welcome")


__all__ = ["pick_examples", "question_for", "render"]
