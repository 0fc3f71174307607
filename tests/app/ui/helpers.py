"""Helpers for the UI tests: a scriptable fake service and AppTest runners."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from app.answering.flow import Retrieved
from app.answering.types import Answer, Citation, Evidence, SentenceSupport, TableCell
from app.llm.catalog import ModelInfo
from app.services.conversations import SqliteConversationService, conversations_path
from app.services.records import KbMatch, KnowledgeOverview, PassageWindow, PreparedAnswer
from app.settings import Settings
from core.enums import FileStatus, Language, UploadStatus
from core.errors import ConfigError, ModelLoadError, PassageNotFound, YizhiError
from core.text import Script
from core.types import Chunk, DocumentRecord, FileOutcome, IngestSummary, PassageContext, SavedUpload, ScoredChunk
from ingest.links import LinkedFolder

ROOT = Path(__file__).resolve().parents[3]
HOME = ROOT / "app" / "ui" / "Home.py"
TIMEOUT = 60
PAGES = {"chat": "views/chat.py", "kb": "views/knowledge_bases.py", "retrieval": "views/retrieval.py"}

TEA = "望月茶馆每天早上七点开门，招牌是桂花乌龙。"
HOURS = "营业时间：七点至二十二点。"


def candidate(text: str, source: str, relevance: float, score: float, dense: int | None, lexical: int | None,
              page: int | None = None, chunk_id: int = 1) -> ScoredChunk:
    chunk = Chunk(text, source, text, 0, page, "茶馆 > 营业", chunk_id=chunk_id)
    return ScoredChunk(chunk, score, relevance, dense, lexical)


class FakeService:
    """The services the pages use, with answers chosen by the test.

    One object plays knowledge, answers and models (`knowledge`, `answers`, `models` are
    itself); conversations are the real SQLite store in the test's data folder.
    tests/test_fakes.py checks it against every Protocol of app.services.protocols, so
    the fake cannot drift from the real services.
    """

    def __init__(self, settings: Settings, kbs: tuple[str, ...] = ("default", "manuals")) -> None:
        self.settings = settings
        self.knowledge = self.answers = self.models = self
        self.conversations = SqliteConversationService(conversations_path(settings.data_dir))
        self.resources = None
        self.kbs = list(kbs)
        self.reply = ["望月茶馆", "每天早上", "七点开门。[1]"]
        self.final_text: str | None = None  # the final Answer.text when it differs from the stream
        self.quoted = False
        self.cells: tuple[TableCell, ...] = ()  # the table cells the final Answer gives
        self.sentences: tuple[SentenceSupport, ...] | None = None
        self.citations = (
            Citation(1, "/docs/茶馆.md", None, 0.0328, TEA, 0.71, "茶馆"),
            Citation(2, "/docs/guide.pdf", 3, 0.0161, HOURS, 0.42),
        )
        self.evidence = (Evidence(1, "/docs/茶馆.md", None, 11, "望月茶馆每天早上七点开门，", 0, 13, 1.2),)
        self.refuse = False
        self.error: YizhiError | None = None
        self.loaded = 0
        self.asked: list[dict[str, Any]] = []
        self.pool = [candidate(TEA, "/docs/茶馆.md", 0.71, 0.5, 1, 2, chunk_id=1),
                     candidate(HOURS, "/docs/guide.pdf", 0.42, 0.4, 2, 1, page=3, chunk_id=2),
                     candidate("青石镇的银杏树有一百年了。", "/docs/镇志.txt", 0.2, 0.2, 3, None, chunk_id=3)]
        self.searched: list[dict[str, Any]] = []
        self.elsewhere: dict[str, float] = {}  # knowledge bases where a refused question would be answered
        self.matched: list[dict[str, Any]] = []
        self.headings = ("望月茶馆", "营业时间", "常见问题")
        self.questions = ("茶馆几点开门？",)
        self.docs: dict[str, list[DocumentRecord]] = {}
        self.ocr_pages = 0  # pages an ingested file "reads with OCR", each reported to on_page
        self.ingested: list[str] = []
        self.links: dict[str, list[LinkedFolder]] = {}

    # --- knowledge ---------------------------------------------------------------------
    def list_knowledge_bases(self) -> list[str]:
        return list(self.kbs)

    def create_knowledge_base(self, name: str) -> str:
        self.kbs = sorted({*self.kbs, name})
        return name

    def delete_knowledge_base(self, name: str) -> None:
        self.kbs.remove(name)

    def rename_knowledge_base(self, name: str, new_name: str) -> str:
        """As the real service: the new name must be free; saved conversations follow."""
        new_name = new_name.strip()
        if new_name in self.kbs:
            raise ConfigError(f"knowledge base '{new_name}' already exists: pick another name")
        self.kbs = sorted(new_name if n == name else n for n in self.kbs)
        self.conversations.rename_knowledge_base(name, new_name)
        return new_name

    def exists(self, name: str) -> bool:
        return name in self.kbs

    def documents(self, kb_name: str) -> list[DocumentRecord]:
        return list(self.docs.get(kb_name, ()))

    def remove_document(self, kb_name: str, path: str) -> bool:
        before = self.docs.get(kb_name, [])
        self.docs[kb_name] = [d for d in before if d.path != path]
        return len(self.docs[kb_name]) < len(before)

    def delete_document(self, kb_name: str, path: str) -> bool:
        return self.remove_document(kb_name, path)

    def prune(self, kb_name: str) -> list[str]:
        return []

    def link_folder(self, kb_name: str, folder: Path, *, progress: bool = False, on_wait=None) -> IngestSummary:
        return IngestSummary()

    def add_folder_link(self, kb_name: str, folder: Path) -> LinkedFolder:
        link = LinkedFolder(str(folder), 0.0)
        self.links.setdefault(kb_name, []).append(link)
        return link

    def unlink_folder(self, kb_name: str, folder: Path) -> bool:
        before = self.links.get(kb_name, [])
        self.links[kb_name] = [link for link in before if link.folder != str(folder)]
        return len(self.links[kb_name]) < len(before)

    def linked_folders(self, kb_name: str) -> list[LinkedFolder]:
        return list(self.links.get(kb_name, []))

    def watch(self, kb_name, stop, on_report=None, on_started=None, *, wait_for_links: bool = False) -> None:
        if not wait_for_links:  # the app's follower (wait_for_links) has nothing to follow here: it returns
            raise ConfigError(f"no folder is linked to knowledge base '{kb_name}'")

    def repair(self, kb_name: str) -> str:
        return f"knowledge base '{kb_name}' is consistent"

    def relex(self, kb_name: str) -> str:
        return f"keyword index of '{kb_name}' made again"

    def migrate(self, name: str, to: str) -> str:
        return f"knowledge base '{name}' moved to {to}"

    def vector_store(self, name: str) -> str:
        return "faiss"

    def chunk_count(self, kb_name: str) -> int:
        return 7

    def reindex(self, kb_name: str, on_file=None) -> IngestSummary:
        return IngestSummary()

    def upload_types(self) -> list[str]:
        return ["md", "pdf", "txt"]

    def old_format_types(self) -> list[str]:
        return ["doc"]

    def save_upload(self, kb_name: str, filename: str, data: bytes, *, replace: bool = False) -> SavedUpload:
        return SavedUpload(self.settings.data_dir / kb_name / "files" / filename, UploadStatus.SAVED, "hash")

    def ingest(self, kb_name: str, paths, *, password: str | None = None, progress: bool = False,
               on_file=None, on_wait=None, on_page=None) -> IngestSummary:
        """Every file is added with 3 chunks; `ocr_pages` of its pages are "read with OCR"."""
        summary = IngestSummary()
        for path in paths:
            self.ingested.append(str(path))
            for n in range(1, self.ocr_pages + 1):
                if on_page is not None:
                    on_page(str(path), n, self.ocr_pages)
            summary.outcomes.append(FileOutcome(str(path), FileStatus.ADDED, "", 3, max(1, self.ocr_pages),
                                                self.ocr_pages))
            if on_file is not None:
                on_file(summary.outcomes[-1])
        return summary

    def source_file(self, kb_names, source: str) -> Path | None:
        """Text sources "exist"; PDFs are gone (their preview is tested with real files)."""
        return None if source.endswith(".pdf") else Path(source)

    def passage_context(self, kb_names, source: str, text: str, radius: int = 1) -> PassageContext:
        return PassageContext(("前一段。",), text, ("后一段。",), True)

    def overview(self, kb_name: str) -> KnowledgeOverview:
        return KnowledgeOverview(kb_name, 2, 0, 7, 3, 0, 1_700_000_000.0, self.headings, self.questions)

    def passage(self, kb_name: str, chunk_id: int, radius: int = 1) -> PassageWindow:
        found = next((c.chunk for c in self.pool if c.chunk.chunk_id == chunk_id), None)
        if found is None:
            raise PassageNotFound(kb_name, chunk_id)
        return PassageWindow(kb_name, found)

    def knowledge_base_of(self, kb_names, chunk: Chunk) -> str | None:
        return next(iter(kb_names), None)

    # --- models ------------------------------------------------------------------------
    def describe_models(self) -> dict[str, str]:
        return {"embed_model": "fake-embedder", "llm_model": "fake-llm", "llm_description": "a test double"}

    def list_models(self, active: str | None = None) -> list[ModelInfo]:
        active = active or "fake-llm"
        return [ModelInfo("fake-llm", "a test double", None, False, active == "fake-llm"),
                ModelInfo("/models/qwen.gguf", "Qwen2.5 1.5B Instruct", 1100.0, True, active == "/models/qwen.gguf",
                          "/models/qwen.gguf")]

    def models_ready(self) -> bool:
        return self.loaded > 0

    def embed(self, texts) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def pull_model(self, name: str) -> Path:
        raise ModelLoadError("the tests never download a model")

    def load_models(self) -> None:
        self.loaded += 1

    def close(self) -> None:
        pass

    # --- answers -----------------------------------------------------------------------
    def highlight_terms(self, text: str) -> list[str]:
        return [w for w in ("茶馆", "开门", "营业") if w in text]

    def duplicate_of(self, ranked) -> list[int | None]:
        """The real rule (a pure function), so the page shows merges as search makes them."""
        from retrieval.duplicates import duplicate_of

        return duplicate_of(ranked)

    def candidates(self, query: str, kb_names, *, overrides=None) -> list[ScoredChunk]:
        self.searched.append({"query": query, "kbs": list(kb_names), "overrides": dict(overrides or {})})
        if self.error is not None:
            raise self.error
        return list(self.pool)

    def search(self, query: str, kb_names, k: int | None = None, *, overrides=None) -> list[ScoredChunk]:
        return [c for c in self.candidates(query, kb_names, overrides=overrides) if c.relevance >= 0.55][:k or 5]

    def matches_in(self, query: str, kb_names, *, overrides=None) -> list[KbMatch]:
        """The knowledge bases named in `elsewhere` (name → relevance) among those asked."""
        self.matched.append({"query": query, "kbs": list(kb_names)})
        found = [KbMatch(n, self.elsewhere[n]) for n in kb_names if n in self.elsewhere]
        return sorted(found, key=lambda m: m.relevance, reverse=True)

    def ask(self, question: str, kb_names, history=None, *, overrides=None) -> Answer:
        return self.prepare(question, kb_names, history, overrides=overrides).answer_whole()

    def chat(self, messages, *, overrides=None, stop=None) -> Iterator[str]:
        return iter(self.reply)

    def ask_stream(self, question: str, kb_names, history=None, *, overrides=None,
                   stop=None) -> Iterator[str | Answer]:
        return self.prepare(question, kb_names, history, overrides=overrides).stream(stop)

    def prepare(self, question: str, kb_names, history=None, *, overrides=None) -> PreparedAnswer:
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
            text = self.final_text if self.final_text is not None else "".join(self.reply)
            sentences = self.sentences if self.sentences is not None else (
                SentenceSupport(text, (1,), True, 1, 0.9),)
            yield Answer(question, text, False, self.citations,
                         {"retrieval_ms": 12.0, "first_token_ms": 340.0, "total_ms": 2100.0, "passages": 2},
                         "zh", question, evidence=self.evidence, sentences=sentences, quoted=self.quoted,
                         cells=self.cells)
        return PreparedAnswer(Retrieved(question, Language.ZH, Script.SIMPLIFIED, question), lambda stop: stream())


def page_test(render_path: str) -> AppTest:
    """An AppTest that runs one page's render() (e.g. "app.ui.chat_page")."""
    module = render_path
    script = f"from importlib import import_module\nimport_module({module!r}).render()\n"
    return AppTest.from_string(script, default_timeout=TIMEOUT)


def home_test() -> AppTest:
    return AppTest.from_file(str(HOME), default_timeout=TIMEOUT)


def go(at: AppTest, page: str) -> AppTest:
    """Switch the whole app (home_test) to one of its pages, as a click in the navigation does."""
    return at.switch_page(PAGES[page]).run()
