"""Text and Markdown loaders: encodings, binary files, heading paths."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from core.errors import LoaderError, UnsupportedFile
from ingest.loaders import SUPPORTED_SUFFIXES, load_file
from ingest.loaders.encoding import decode_bytes

SIMPLIFIED = "知识库问答系统可以离线运行，它只根据已知信息回答问题。我们测试了检索速度和准确率。"
TRADITIONAL = "知識庫問答系統可以離線運行，它只根據已知資訊回答問題。我們測試了檢索速度和準確率。"
# Characters outside GBK: a CJK Extension B ideograph and Extension A ones, plus the euro sign.
GB18030_ONLY = "这个字𠀾在GB18030里占四个字节，还有䶮字，价格是€5。" + SIMPLIFIED


def _load(path: Path, **kwargs):
    return load_file(path, source=str(path), content_hash="abc", **kwargs)


@pytest.mark.parametrize("text, encoding", [
    (SIMPLIFIED, "gbk"),
    (SIMPLIFIED, "gb2312"),
    (GB18030_ONLY, "gb18030"),
    (TRADITIONAL, "big5"),
    (TRADITIONAL, "cp950"),
    (TRADITIONAL, "gbk"),  # traditional characters written in GBK
    (SIMPLIFIED + "\nplain ASCII line", "utf-8"),
])
def test_legacy_and_utf8_encodings(tmp_path, text, encoding):
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    docs = _load(path)
    assert len(docs) == 1
    assert docs[0].text == text
    assert docs[0].title == "doc" and docs[0].content_hash == "abc" and docs[0].page is None


@pytest.mark.parametrize("bom, encoding", [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
])
def test_byte_order_marks(tmp_path, bom, encoding):
    path = tmp_path / "bom.txt"
    path.write_bytes(bom + SIMPLIFIED.encode(encoding))
    assert _load(path)[0].text == SIMPLIFIED


def test_utf16_without_bom_mostly_latin():
    text = "Yizhi answers questions offline.\n知识库"
    assert decode_bytes(text.encode("utf-16-le")) == text


def test_long_mixed_gbk_file_is_not_mojibake():
    text = ("第一章 总则\n" + SIMPLIFIED * 20 + "\nVersion 1.2 (2024)\n") * 3
    assert decode_bytes(text.encode("gbk")) == text
    assert decode_bytes(TRADITIONAL.encode("big5") * 5) == TRADITIONAL * 5


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "big5"])
def test_file_cut_inside_a_character(encoding):
    text = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    data = text.encode(encoding)[:-1]
    assert decode_bytes(data) == text[:-1]


def test_last_character_in_another_encoding_is_not_dropped():
    data = ("plain ascii text " * 10 + "中").encode("gbk")
    assert decode_bytes(data).endswith("中")


def test_western_code_page_via_charset_normalizer():
    text = "Café crème brûlée, déjà vu. Naïve façade — “quotes”.\n" * 3
    assert decode_bytes(text.encode("cp1252")) == text


def test_binary_file_named_txt_is_rejected(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(LoaderError, match="not a text file"):
        _load(path)


def test_empty_and_blank_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(LoaderError, match="file is empty"):
        _load(empty)
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\n\t\n", encoding="utf-8")
    assert _load(blank) == []


def test_whitespace_normalised_paragraphs_kept(tmp_path):
    path = tmp_path / "ws.txt"
    path.write_text("第一段   有   空格\r\n\r\n\r\n\r\n第二段\u3000\u3000缩进\n  English   words  here ", encoding="utf-8")
    assert _load(path)[0].text == "第一段有空格\n\n第二段缩进\nEnglish words here"


MARKDOWN = """---
title: 用户手册
author: 某人
---
前言：本手册介绍 Yizhi。

# 已知

## 安装

### 下载
从[官网](https://example.com/download)下载**安装包**。

```bash
# 这是注释，不是标题
pip install yizhi
```

### 配置
| 参数 | 含义 |
|------|------|
| KB   | 知识库 |

## 使用 ##
提问即可。
"""


def test_markdown_sections_and_heading_paths(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    docs = _load(path)
    by_heading = {d.heading: d.text for d in docs}
    assert list(by_heading) == ["", "已知 > 安装 > 下载", "已知 > 安装 > 配置", "已知 > 使用"]
    assert by_heading[""] == "前言：本手册介绍 Yizhi。"
    download = by_heading["已知 > 安装 > 下载"]
    assert "从官网下载安装包。" in download
    assert "# 这是注释，不是标题" in download and "pip install yizhi" in download
    assert "example.com" not in download and "###" not in download
    assert "| KB | 知识库 |" in by_heading["已知 > 安装 > 配置"]
    assert "---" not in by_heading["已知 > 安装 > 配置"]
    assert by_heading["已知 > 使用"] == "提问即可。"
    assert {d.title for d in docs} == {"用户手册"}


def test_markdown_title_from_first_h1_or_stem(tmp_path):
    path = tmp_path / "notes.markdown"
    path.write_text("# 笔记\n正文\n", encoding="utf-8")
    docs = _load(path)
    assert [(d.title, d.heading, d.text) for d in docs] == [("笔记", "笔记", "正文")]
    plain = tmp_path / "plain.md"
    plain.write_text("no headings here\n", encoding="utf-8")
    assert _load(plain)[0].title == "plain"


def test_markdown_in_gbk(tmp_path):
    path = tmp_path / "gbk.md"
    path.write_bytes("# 标题\n## 小节\n内容在这里。\n".encode("gbk"))
    docs = _load(path)
    assert [(d.heading, d.text) for d in docs] == [("标题 > 小节", "内容在这里。")]


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "sheet.xyz"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(UnsupportedFile, match=r"unsupported file type '\.xyz': supported are"):
        _load(path)


def test_suffix_case_insensitive(tmp_path):
    path = tmp_path / "UPPER.TXT"
    path.write_text("大写后缀", encoding="utf-8")
    assert _load(path)[0].text == "大写后缀"
    assert {".pdf", ".txt", ".md", ".markdown", ".docx", ".html", ".htm", ".pptx", ".xlsx", ".csv",
            ".tsv"} == set(SUPPORTED_SUFFIXES)


def test_missing_file(tmp_path):
    with pytest.raises(LoaderError, match="cannot be read"):
        _load(tmp_path / "gone.txt")
