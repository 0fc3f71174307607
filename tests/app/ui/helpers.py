"""Helpers for the UI tests: a scriptable fake service and AppTest runners."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from app.settings import Settings
from core.answers import Answer, Citation
from core.errors import YizhiError
from core.types import PassageContext

ROOT = Path(__file__).resolve().parents[3]
HOME = ROOT / "app" / "ui" / "Home.py"
TIMEOUT = 60


class FakeService:
    """The services the chat page uses, with answers chosen by the test.

    One object plays all three (`knowledge`, `answers`, `models` are itself), and
    tests/app/ui/test_fakes.py checks that its methods have the signatures of the
    Protocols in app.services.protocols, so the fake cannot drift from the real services.
    """

    def __init__(self, settings: Settings, kbs: tuple[str, ...] = ("default", "manuals")) -> None:
        self.settings = settings
        self.knowledge = self.answers = self.models = self
        self.kbs = list(kbs)
        self.reply = ["望月茶馆", "每天早上", "七点开门。[1]"]
        self.citations = (
            Citation(1, "/docs/茶馆.md", None, 0.0328, "望月茶馆每天早上七点开门，招牌是桂花乌龙。", 0.71),
            Citation(2, "/docs/guide.pdf", 3, 0.0161, "营业时间：七点至二十二点。", 0.42),
        )
        self.refuse = False
        self.error: YizhiError | None = None
        self.loaded = 0
        self.asked: list[dict[str, Any]] = []

    def list_knowledge_bases(self) -> list[str]:
        return list(self.kbs)

    def describe_models(self) -> dict[str, str]:
        return {"embed_model": "fake-embedder", "llm_model": "fake-llm", "llm_description": "a test double"}

    def models_ready(self) -> bool:
        return self.loaded > 0

    def load_models(self) -> None:
        self.loaded += 1

    def highlight_terms(self, text: str) -> list[str]:
        return [w for w in ("茶馆", "开门", "营业") if w in text]

    def source_file(self, kb_names, source: str) -> Path | None:
        """Text sources "exist"; PDFs are gone (their preview is tested with real files)."""
        return None if source.endswith(".pdf") else Path(source)

    def passage_context(self, kb_names, source: str, text: str, radius: int = 1) -> PassageContext:
        return PassageContext(("前一段。",), text, ("后一段。",), True)

    def close(self) -> None:
        pass

    def ask_stream(self, question: str, kb_names, history=None, *, overrides=None) -> Iterator[str | Answer]:
        self.asked.append({"question": question, "kbs": list(kb_names), "history": list(history or []),
                           "tuning": dict(overrides or {})})

        def stream() -> Iterator[str | Answer]:
            if self.error is not None:
                raise self.error
            if self.refuse:
                text = "根据已知信息无法回答该问题"
                yield text
                yield Answer(question, text, True, (), {"retrieval_ms": 3.0, "total_ms": 4.0}, "zh", question)
                return
            yield from self.reply
            yield Answer(question, "".join(self.reply), False, self.citations,
                         {"retrieval_ms": 12.0, "first_token_ms": 340.0, "total_ms": 2100.0, "passages": 2},
                         "zh", question)
        return stream()


def page_test(render_path: str) -> AppTest:
    """An AppTest that runs one page's render() (e.g. "app.ui.chat_page")."""
    module = render_path
    script = f"from importlib import import_module\nimport_module({module!r}).render()\n"
    return AppTest.from_string(script, default_timeout=TIMEOUT)


def home_test() -> AppTest:
    return AppTest.from_file(str(HOME), default_timeout=TIMEOUT)
