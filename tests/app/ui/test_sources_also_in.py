"""A source whose text is in other files too says so under its heading, in both languages."""
from __future__ import annotations

from app.answering.types import Citation
from core.types import SourceRef
from tests.app.ui.helpers import TEA, FakeService, page_test

CHAT = "app.ui.chat_page"


def _with_copies(fake: FakeService) -> None:
    fake.citations = (Citation(1, "/docs/guide.md", None, 0.0328, TEA, 0.71, "茶馆",
                               also_in=(SourceRef("/docs/guide.pdf", 2), SourceRef("/docs/茶馆_旧.txt"))),
                      fake.citations[1])


def test_the_cited_source_names_the_other_files_with_their_pages(fake_service: FakeService):
    _with_copies(fake_service)
    at = page_test(CHAT).run()
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    assert not at.exception, at.exception
    captions = [c for c in at.caption if c.value.startswith("也见于")]
    assert [c.value for c in captions] == ["也见于 guide\\.pdf 第 2 页、茶馆\\_旧\\.txt"]
    assert "只列出一次" in captions[0].proto.help


def test_in_english(fake_service: FakeService):
    _with_copies(fake_service)
    at = page_test(CHAT).run()
    at.session_state["ui_lang"] = "en"
    at.run()  # the widgets' labels change with the language: draw them in English first
    at.chat_input[0].set_value("When does it open?").run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption if c.value.startswith("Also in")] == [
        "Also in guide\\.pdf, p. 2; 茶馆\\_旧\\.txt"]


def test_a_source_found_once_says_nothing_more(fake_service: FakeService):
    at = page_test(CHAT).run()
    at.chat_input[0].set_value("望月茶馆几点开门？").run()
    assert not [c for c in at.caption if c.value.startswith(("也见于", "Also in"))]
