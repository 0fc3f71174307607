"""DOCX and HTML loaders: sections by heading, tables in order, noise dropped."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import EncryptedFile, LoaderError
from ingest.loaders import load_file


def _load(path: Path):
    return load_file(path, source=path.name, content_hash="h")


# --- DOCX -------------------------------------------------------------------------------

docx = pytest.importorskip("docx")


def _make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("开头的说明文字。")
    document.add_heading("用户手册", level=1)
    document.add_paragraph("本手册介绍安装与使用。")
    document.add_heading("安装", level=2)
    document.add_heading("下载", level=3)
    document.add_paragraph("从内网下载安装包。")
    table = document.add_table(rows=3, cols=3)
    for i, row in enumerate([["参数", "默认值", "含义"], ["KB", "default", "知识库名称"], ["K", "5", "返回条数"]]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("表格之后的段落。")
    document.add_heading("使用", level=2)
    document.add_paragraph("提问即可。")
    document.save(path)
    return path


def test_docx_sections_heading_paths_and_table_order(tmp_path):
    docs = _load(_make_docx(tmp_path / "manual.docx"))
    by_heading = {d.heading: d.text for d in docs}
    assert list(by_heading) == ["", "用户手册", "用户手册 > 安装 > 下载", "用户手册 > 使用"]
    assert by_heading[""] == "开头的说明文字。"
    download = by_heading["用户手册 > 安装 > 下载"]
    # each value with its column name, so a row read alone still says what it is
    assert "参数 | 默认值 | 含义" in download and "KB | 默认值: default | 含义: 知识库名称" in download
    assert download.index("从内网下载") < download.index("KB | 默认值: default") < download.index("表格之后")
    assert {d.title for d in docs} == {"用户手册"}
    assert all(d.page is None and d.source == "manual.docx" for d in docs)


def test_docx_chinese_style_names_and_core_title(tmp_path):
    document = docx.Document()
    document.core_properties.title = "核心标题"
    styles = document.styles
    for level in (1, 2):
        style = styles.add_style(f"标题 {level}", 1)  # 1 = paragraph style
        style.base_style = styles["Normal"]
    document.add_paragraph("第一章", style="标题 1")
    document.add_paragraph("第一节", style="标题 2")
    document.add_paragraph("正文内容。")
    path = tmp_path / "zh.docx"
    document.save(path)
    docs = _load(path)
    assert [(d.heading, d.text, d.title) for d in docs] == [("第一章 > 第一节", "正文内容。", "核心标题")]


def test_docx_content_controls_are_read(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("正文段落。")
    cover = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>封面里的文字</w:t></w:r></w:p>"
                      "</w:sdtContent></w:sdt>")
    document.element.body.insert(0, cover)
    path = tmp_path / "cover.docx"
    document.save(path)
    assert _load(path)[0].text == "封面里的文字\n\n正文段落。"


def test_docx_merged_cells_written_once(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "合并标题"
    for j, value in enumerate(["甲", "乙", "丙"]):
        table.cell(1, j).text = value
    path = tmp_path / "merged.docx"
    document.save(path)
    assert _load(path)[0].text == "合并标题\n甲 | 乙 | 丙"


def test_docx_not_a_zip(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_text("plain text pretending", encoding="utf-8")
    with pytest.raises(LoaderError, match="not a .docx"):
        _load(path)


def test_docx_encrypted_or_old_doc(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    old = tmp_path / "old.docx"
    old.write_bytes(ole)
    with pytest.raises(LoaderError, match=r"old Word \.doc"):
        _load(old)
    encrypted = tmp_path / "locked.docx"
    encrypted.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64)
    with pytest.raises(EncryptedFile, match="encrypted"):
        _load(encrypted)


def test_docx_without_text(tmp_path):
    document = docx.Document()
    document.add_paragraph("   ")
    path = tmp_path / "blank.docx"
    document.save(path)
    assert _load(path) == []


# --- HTML -------------------------------------------------------------------------------

pytest.importorskip("bs4")

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>已知 帮助中心</title>
<style>body { color: red; }</style><script>var secret = "不应出现";</script></head>
<body>
<nav><a href="/">首页</a> | <a href="/about">关于</a></nav>
<p>欢迎使用
   本系统。</p>
<h1>指南</h1>
<h2>安装</h2>
<p>第一步：<b>下载</b>安装包。<br>第二步：运行。</p>
<script>console.log("也不应出现")</script>
<h3>下载</h3>
<ul><li>Windows 版</li><li>Linux 版</li></ul>
<table><tr><th>版本</th><th>大小</th></tr><tr><td>1.0</td><td>30 MB</td></tr></table>
<h2>常见问题</h2>
<div>如何提问？<span>直接输入。</span></div>
<!-- 注释不应出现 -->
</body></html>
"""


def test_html_sections_and_noise_dropped(tmp_path):
    path = tmp_path / "help.html"
    path.write_text(HTML, encoding="utf-8")
    docs = _load(path)
    by_heading = {d.heading: d.text for d in docs}
    assert list(by_heading) == ["", "指南 > 安装", "指南 > 安装 > 下载", "指南 > 常见问题"]
    assert by_heading[""] == "欢迎使用本系统。"
    assert by_heading["指南 > 安装"] == "第一步：下载安装包。\n第二步：运行。"
    assert "Windows 版\nLinux 版" in by_heading["指南 > 安装 > 下载"]
    assert "版本 | 大小\n版本: 1.0 | 大小: 30 MB" in by_heading["指南 > 安装 > 下载"]
    assert by_heading["指南 > 常见问题"] == "如何提问？直接输入。"
    everything = "\n".join(by_heading.values())
    for noise in ("不应出现", "color", "首页", "<", "注释"):
        assert noise not in everything
    assert {d.title for d in docs} == {"已知 帮助中心"}


def test_html_without_text(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>空</title><script>x()</script></head><body> </body></html>", encoding="utf-8")
    assert _load(path) == []


def test_html_declared_gbk_charset(tmp_path):
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">' \
           "</head><body><h1>标题</h1><p>简体中文网页，€ 不在 GB2312 里。</p></body></html>"
    path = tmp_path / "old.htm"
    path.write_bytes(html.encode("gb18030"))
    docs = _load(path)
    assert [(d.title, d.heading, d.text) for d in docs] == [("标题", "标题", "简体中文网页，€ 不在 GB2312 里。")]


def test_html_undeclared_big5(tmp_path):
    path = tmp_path / "tw.html"
    path.write_bytes("<p>知識庫問答系統可以離線運行，它只根據已知資訊回答問題。</p>".encode("big5"))
    docs = _load(path)
    assert docs[0].text == "知識庫問答系統可以離線運行，它只根據已知資訊回答問題。"
    assert docs[0].title == "tw"
