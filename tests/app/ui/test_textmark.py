"""Escaping and highlighting of document text and model output."""
from __future__ import annotations

import re

from app.ui.textmark import (
    context_html,
    file_name,
    format_ms,
    highlight_html,
    md_escape,
    passage_html,
    source_heading,
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


def test_labels():
    assert file_name("/data/kb/default/files/茶馆.md") == "茶馆.md"
    heading = source_heading(2, "/x/[a](b).pdf", 3, 0.03251, 0.5)
    assert heading.startswith("**\\[2\\]** \\[a\\]\\(b\\)\\.pdf") and "第 3 页 p.3" in heading
    assert "score 0.0325" in heading and "相关度 relevance 0.50" in heading
    assert "页" not in source_heading(1, "/x/a.md", None, 0.1)
    assert (format_ms(None), format_ms(12.4), format_ms(2100)) == ("—", "12 ms", "2.1 s")
