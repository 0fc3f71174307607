"""Sentence splitting with offsets: Chinese, English, tables, and the places not to split."""
from __future__ import annotations

import pytest

from app.answering.evidence.sentences import is_table_row, split_sentences


def texts(text: str, **kwargs) -> list[str]:
    sentences = split_sentences(text, **kwargs)
    for s in sentences:  # offsets index the original text exactly
        assert text[s.start:s.end] == s.text
    return [s.text for s in sentences]


def test_chinese_terminators_and_runs():
    assert texts("今天下雨。明天晴！后天呢？大后天；再说吧……好。") == [
        "今天下雨。", "明天晴！", "后天呢？", "大后天；", "再说吧……", "好。"]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    assert texts("他说：“我明天来。”她点了点头。（详见第三章。）下一句。") == [
        "他说：“我明天来。”", "她点了点头。", "（详见第三章。）", "下一句。"]
    assert texts("书名是《长城。》对吧？") == ["书名是《长城。》", "对吧？"]


def test_no_split_inside_numbers_and_section_numbers():
    assert texts("版本3.5已发布，售价12.99元。第5.3.2.1节。") == ["版本3.5已发布，售价12.99元。", "第5.3.2.1节。"]


def test_line_breaks_end_sentences_and_headings_stand_alone():
    text = "5.3.2.1 准备阶段\n核电厂PSR通常每10年左右开展一次。\r\n\n  最后一行  "
    assert texts(text) == ["5.3.2.1 准备阶段", "核电厂PSR通常每10年左右开展一次。", "最后一行"]


def test_english_sentences_and_abbreviations():
    text = "Dr. Smith moved to the U.S. in 1998. He studied rocks, e.g. basalt. Did it work? Yes! J. K. Rowling agreed."
    assert texts(text) == ["Dr. Smith moved to the U.S. in 1998.", "He studied rocks, e.g. basalt.", "Did it work?",
                           "Yes!", "J. K. Rowling agreed."]


def test_english_dot_needs_space_and_capital():
    assert texts("Visit www.example.org today. it is lower case. Price is 3.5 dollars.") == [
        "Visit www.example.org today. it is lower case.", "Price is 3.5 dollars."]


def test_a_quoted_question_inside_an_english_sentence_does_not_end_it():
    text = ('Follow-up questions such as "Which formats does it support?" are searched together. '
            "Did it work? Yes! Really? 真的吗? 是的。")
    assert texts(text) == ['Follow-up questions such as "Which formats does it support?" are searched together.',
                           "Did it work?", "Yes!", "Really?", "真的吗?", "是的。"]


def test_list_markers_and_ellipsis():
    assert texts("1. Install the app\n2. Run it. Then stop... Done") == [
        "1. Install the app", "2. Run it.", "Then stop...", "Done"]


def test_mixed_english_then_chinese():
    assert texts("It opened in 1937.随后扩建。") == ["It opened in 1937.", "随后扩建。"]


def test_table_rows_are_sentences_and_rules_are_dropped():
    text = "| 项目 | 周期 |\n|---|---|\n| PSR | 10 年。每次 3 个月 |\n名称 | 数值 | 单位"
    assert texts(text) == ["| 项目 | 周期 |", "| PSR | 10 年。每次 3 个月 |", "名称 | 数值 | 单位"]
    assert is_table_row("a | b | c") and is_table_row("| a | b |") and is_table_row("a\tb\tc")
    assert not is_table_row("a | b") and not is_table_row("普通的一句话。")


def test_pieces_without_words_are_dropped():
    assert texts("——\n。。。\n  \n有字。") == ["有字。"]
    assert split_sentences("") == []


def test_long_sentences_cut_after_commas():
    text = "第一部分很长很长，第二部分也很长很长，第三部分同样很长，最后结束。"
    pieces = texts(text, max_chars=12)
    assert "".join(pieces) == text
    assert all(len(p) <= 12 for p in pieces)


@pytest.mark.parametrize("text", ["没有标点的一句话", "No punctuation here"])
def test_a_sentence_without_terminator(text):
    assert texts(text) == [text]


def test_a_chinese_quotation_is_one_sentence_with_the_words_around_it():
    text = "他曾起草告示称「金钱鼠尾，乃新朝之雅政；峨冠博带，实亡国之陋规」，为人所讥。他说：“我来了。你走吧。”然后离开。"
    assert [s.text for s in split_sentences(text)] == [
        "他曾起草告示称「金钱鼠尾，乃新朝之雅政；峨冠博带，实亡国之陋规」，为人所讥。",
        "他说：“我来了。你走吧。”",
        "然后离开。",
    ]


def test_a_stray_opening_quote_does_not_swallow_the_rest_of_the_text():
    text = "“" + "很长的一段没有闭合引号的文字。" * 20 + "最后一句。"
    assert len(split_sentences(text)) > 5
