"""The example questions stay reachable after the first question (issue 24): folded in a
small 「示例问题」 menu above the input; clicking one asks it; the ones asked are left out."""
from __future__ import annotations

from app.ui.chat_examples import not_asked
from tests.app.ui.helpers import FakeService, page_test

CHAT = "app.ui.chat_page"


def test_questions_asked_already_are_left_out():
    examples = ["茶馆几点开门？", "介绍一下「望月茶馆」", "Do scanned PDFs work?"]
    assert not_asked(examples, ["茶馆 几点开门？", "do scanned pdfs work?"]) == ["介绍一下「望月茶馆」"]
    assert not_asked(examples, []) == examples


def test_after_the_first_question_the_examples_are_one_click_away(fake_service: FakeService):
    at = page_test(CHAT).run()
    assert not [b for b in at.button if b.key and b.key.startswith("more-example-")]  # the first screen has its own
    at.button(key="example-0").click().run()
    assert fake_service.asked[-1]["question"] == "茶馆几点开门？"
    at.run()  # the next run, as after the answer
    folded = [b.label for b in at.button if b.key and b.key.startswith("more-example-")]
    assert folded == ["介绍一下「望月茶馆」", "介绍一下「营业时间」"]  # the one asked is left out
    at.button(key="more-example-1").click().run()
    assert fake_service.asked[-1]["question"] == "介绍一下「营业时间」" and len(at.chat_message) == 4
