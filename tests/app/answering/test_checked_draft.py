"""A model's draft checked sentence by sentence as it streams: when a sentence is over, what is
shown of it (with its [n]), what is dropped and why, and that what streams is the answer."""
from __future__ import annotations

from app.answering.checked_draft import DraftChecker, DraftContext, Verdict, finished, sentences
from app.answering.types import Evidence
from core.text import Script

PANDA = "大熊猫主要吃竹子，也吃一些水果和小动物。大熊猫每天要花十几个小时进食。"
HALL = "熊猫馆每天九点开放，周一闭馆。"
PASSAGES = (PANDA, HALL)
QUESTION = "大熊猫吃什么？"
BEST = Evidence(passage=1, source="panda.md", page=None, chunk_id=1, text="大熊猫主要吃竹子，也吃一些水果和小动物。",
                start=0, end=20, score=1.0)


def _fed(checker: DraftChecker, pieces: list[str]) -> list[str]:
    """What each piece made the checker show ("" when nothing yet), and at the end what closing showed."""
    return [checker.feed(piece) for piece in pieces] + [checker.close()]


def test_a_sentence_split_across_pieces_is_shown_once_the_next_one_begins_with_its_mark():
    checker = DraftChecker(DraftContext(QUESTION, PASSAGES, Script.SIMPLIFIED))
    shown = _fed(checker, ["大熊猫主要", "吃竹子。", "[1", "]", "它也吃一些", "水果。"])
    # nothing until a word of the next sentence: its [1] could still be coming, and did
    assert shown == ["", "", "", "", "大熊猫主要吃竹子。[1]", "", "它也吃一些水果。[1]"]
    assert "".join(shown) == checker.shown == "大熊猫主要吃竹子。[1]它也吃一些水果。[1]"
    assert [j.verdict for j in checker.judged] == [Verdict.SHOWN, Verdict.SHOWN]


def test_a_sentence_keeps_its_right_mark_and_a_wrong_or_missing_one_is_put_right():
    checker = DraftChecker(DraftContext(QUESTION, PASSAGES, Script.SIMPLIFIED))
    shown = _fed(checker, ["熊猫馆每天九点开放[2]。", "大熊猫主要吃竹子[2]。", "熊猫馆周一闭馆。"])
    assert "".join(shown) == "熊猫馆每天九点开放[2]。大熊猫主要吃竹子。[1]熊猫馆周一闭馆。[2]"
    assert [c.passage for j in checker.kept for c in j.checks] == [2, 1, 2]


def test_an_unsupported_sentence_is_dropped_and_the_rest_still_streams():
    checker = DraftChecker(DraftContext(QUESTION, PASSAGES, Script.SIMPLIFIED))
    shown = _fed(checker, ["大熊猫是一种鸟类，", "主要吃鱼。", "大熊猫主要吃竹子。"])
    assert "".join(shown) == checker.shown == "大熊猫主要吃竹子。[1]"
    assert [j.verdict for j in checker.judged] == [Verdict.UNSUPPORTED, Verdict.SHOWN]
    assert not checker.judged[0].checks[0].supported


def test_a_draft_ending_without_punctuation_is_checked_when_it_ends():
    checker = DraftChecker(DraftContext(QUESTION, PASSAGES, Script.SIMPLIFIED))
    assert checker.feed("大熊猫也吃一些水果") == ""
    assert checker.close() == "大熊猫也吃一些水果[1]"
    # a mark begun but never finished says nothing and is dropped
    cut = DraftChecker(DraftContext(QUESTION, PASSAGES, Script.SIMPLIFIED))
    assert "".join(_fed(cut, ["大熊猫主要吃竹子。", "[1"])) == "大熊猫主要吃竹子。[1]"
    assert [j.verdict for j in cut.judged] == [Verdict.SHOWN, Verdict.UNUSABLE]


def test_after_a_quotation_new_supported_sentences_about_the_question_are_added_in_its_script():
    quote = "“大熊猫主要吃竹子，也吃一些水果和小动物。”[1]"
    checker = DraftChecker(DraftContext("大熊貓吃什麼？", PASSAGES, Script.TRADITIONAL, (BEST,)), quote)
    shown = _fed(checker, ["大熊猫主要吃竹子，也吃一些水果和小动物。", "根据已知信息无法回答该问题。",
                           "熊猫馆每天九点开放。", "大熊猫每天要花十几个小时进食。"])
    # said already; a refusal; backed but about nothing asked; new and about the giant panda
    assert [j.verdict for j in checker.judged] == [Verdict.REPEATED, Verdict.UNUSABLE, Verdict.OFF_EVIDENCE,
                                                   Verdict.SHOWN]
    assert "".join(shown) == "大熊貓每天要花十幾個小時進食。[1]"
    assert checker.shown == quote + "".join(shown)


def test_without_a_quotation_the_model_must_first_say_what_the_evidence_says():
    checker = DraftChecker(DraftContext(QUESTION, PASSAGES, Script.SIMPLIFIED, (BEST,)))
    shown = _fed(checker, ["大熊猫每天要花十几个小时进食。", "大熊猫吃竹子，也吃水果。", "大熊猫每天要花十几个小时进食。",
                           "熊猫馆周一闭馆。"])
    assert [j.verdict for j in checker.judged] == [Verdict.OFF_EVIDENCE, Verdict.SHOWN, Verdict.SHOWN,
                                                   Verdict.OFF_EVIDENCE]
    assert "".join(shown) == "大熊猫吃竹子，也吃水果。[1]大熊猫每天要花十几个小时进食。[1]"


def test_a_model_that_repeats_itself_is_shown_once_and_english_sentences_are_spaced():
    bridge = "The bridge was opened to traffic in May 1937. It is painted orange."
    checker = DraftChecker(DraftContext("When was the bridge opened?", (bridge,), Script.LATIN))
    shown = _fed(checker, ["The bridge was opened in May 1937.[1] The bridge", " was opened in May 1937.",
                           " It is painted orange."])
    assert "".join(shown) == "The bridge was opened in May 1937.[1] It is painted orange.[1]"
    assert [j.verdict for j in checker.judged] == [Verdict.SHOWN, Verdict.REPEATED, Verdict.SHOWN]


def test_finished_text_keeps_its_marks_and_waits_for_decimals_and_open_quotations():
    assert finished("大熊猫主要吃竹子。[1]另") == ("大熊猫主要吃竹子。[1]", "另")
    assert finished("大熊猫主要吃竹子。[1") == ("", "大熊猫主要吃竹子。[1")
    assert finished("价格是3.") == ("", "价格是3.")
    assert finished("价格是3.5元。每") == ("价格是3.5元。", "每")
    assert finished("他说：“我来了。你") == ("", "他说：“我来了。你")
    assert finished("It opened in 1937.[1] The") == ("It opened in 1937.[1] ", "The")
    assert sentences("[1]第一句[2]。[3]第二句。[4]") == ["[1]第一句[2]。[3]", "第二句。[4]"]
