"""Escaping and highlighting of document text and model output."""
from __future__ import annotations

import re

from app.ui.textmark import (
    cited_numbers,
    clip_spans,
    context_html,
    evidence_html,
    file_name,
    floor_text,
    format_ms,
    highlight_html,
    md_escape,
    passage_html,
    trim_overlap,
    useful_terms,
)


def test_md_escape_leaves_no_markup_active():
    text = "**粗体** [链接](http://evil.example) <b>x</b> $E=mc^2$ # 标题\n- 列表 :red[红]"
    escaped = md_escape(text)
    active = re.findall(r"(?<!\\)[*\[\]()<>$#:\-]", escaped)
    assert active == []  # every Markdown/HTML/LaTeX/directive character is backslash-escaped
    assert "\\*\\*粗体\\*\\*" in escaped and "\\[链接\\]\\(http\\://evil\\.example\\)" in escaped
    assert "  \n" in escaped  # line breaks survive as hard breaks


def test_md_escape_works_piece_by_piece():
    pieces = ["**a", "*b", "[c](", "d)"]
    assert "".join(md_escape(p) for p in pieces) == md_escape("".join(pieces))


def test_highlight_html_escapes_everything_and_marks_terms():
    html = highlight_html("<script>alert('茶馆')</script> 茶馆 & TEA tea", ["茶馆", "tea"])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert html.count("<mark") == 4  # case-insensitive, every occurrence
    assert ">TEA</mark>" in html and ">tea</mark>" in html


def test_highlight_html_prefers_longer_terms_and_regex_safe():
    html = highlight_html("青石镇东街 a+b (x)", ["青石", "青石镇", "a+b", "(x)"])
    assert ">青石镇</mark>" in html and ">a+b</mark>" in html and ">(x)</mark>" in html


def test_useful_terms_drop_single_characters_unless_alone():
    assert useful_terms(["的", "茶馆", "茶馆", " ", "开门"]) == ["茶馆", "开门"]
    assert useful_terms(["茶"]) == ["茶"]
    assert highlight_html("abc", []) == "abc"


def test_trim_overlap_and_context():
    previous = "第一句话。第二句话很长很长。"
    current = "第二句话很长很长。第三句。"
    assert trim_overlap(previous, current) == "第三句。"
    assert trim_overlap("完全不同的内容", current) == current
    html = context_html(["前文<b>。"], "正文茶馆", ["后文"], ["茶馆"])
    assert "前文&lt;b&gt;。" in html and "<strong>正文<mark" in html and "后文" in html
    assert passage_html("<i>x</i>", []).count("<i>") == 0


def test_english_terms_match_whole_words_and_plurals_only():
    html = highlight_html("The knowledge base is based on bases; a database.", ["base"])
    assert html.count("<mark") == 2 and ">base</mark>" in html and ">bases</mark>" in html
    assert "based" in html and ">based<" not in html and "data<mark" not in html
    assert highlight_html("Knowledge bases and a base", ["bases"]).count("<mark") == 2
    assert highlight_html("已知支持的文件格式", ["文件"]).count("<mark") == 1  # Chinese terms inside words


def test_evidence_spans_are_marked_strongly_and_terms_elsewhere():
    text = "茶馆七点开门。招牌是桂花乌龙。茶馆在东街。"
    html = evidence_html(text, [(7, 15)], ["茶馆"])
    assert 'class="yz-evidence"' in html and ">招牌是桂花乌龙。</mark>" in html
    assert html.count(">茶馆</mark>") == 2  # the terms outside the evidence
    assert evidence_html("<b>x</b>", [(0, 3)], []).count("<b>") == 0
    assert clip_spans([(5, 9), (0, 3), (2, 4), (8, 20)], 12) == [(0, 4), (5, 12)]
    assert clip_spans([(5, 9)], 12, shift=6) == [(0, 3)]


def test_context_keeps_the_evidence_where_the_overlap_was_trimmed():
    before = ["第一句话。第二句话很长很长。"]
    text = "第二句话很长很长。第三句是证据。"
    html = context_html(before, text, [], [], [(9, 16)])
    assert ">第三句是证据。</mark>" in html and html.count("第二句话很长很长") == 1
    assert 'class="yz-evidence"' in passage_html(text, [], [(9, 16)])


def test_labels():
    assert file_name("/data/kb/default/files/茶馆.md") == "茶馆.md"
    assert cited_numbers("甲[1]乙[2, 3]丙【1】") == [1, 2, 3]
    assert (format_ms(None), format_ms(12.4), format_ms(2100)) == ("—", "12 ms", "2.1 s")


def test_floor_text_cuts_instead_of_rounding():
    assert floor_text(0.5496) == "0.549" and floor_text(0.5496, 2) == "0.54"
    assert floor_text(0.57) == "0.570" and floor_text(0.71, 2) == "0.71"  # exact values stay
    assert floor_text(1.0) == "1.000" and floor_text(0.0) == "0.000"
