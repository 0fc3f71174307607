"""Limits and hostile input: encodings, binary files, zip bombs, links, odd names, caps."""
from __future__ import annotations

import codecs
import io
import os
import zipfile
from pathlib import Path

import pytest

from app.cli.ingest_cli import print_summary
from core.enums import FileStatus
from core.errors import LoaderError
from ingest.discovery import display_path
from ingest.loaders import load_file
from ingest.pipeline import IngestPipeline
from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens

SIMPLIFIED = "知识库问答系统可以离线运行，它只根据已知信息回答问题。"
TRADITIONAL = "知識庫問答系統可以離線運行，它只根據已知資訊回答問題。"


def _run(settings, embedder, paths, name="hostile"):
    kb = open_knowledge_base(settings.kb_root, name, create=True)
    summary = IngestPipeline(kb, embedder, settings.ingest_config(), progress=False).run(paths)
    return kb, summary, {Path(o.path).name: o for o in summary.outcomes}


def test_legacy_encodings_are_indexed_and_searchable(tmp_path, settings, fake_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "gbk.txt").write_bytes(("GBK文件：" + SIMPLIFIED).encode("gbk"))
    (docs / "gb18030.txt").write_bytes(("GB18030文件：𠀾字与䶮字。" + SIMPLIFIED).encode("gb18030"))
    (docs / "big5.txt").write_bytes(("Big5檔案：" + TRADITIONAL).encode("big5"))
    (docs / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + ("UTF16文件：" + SIMPLIFIED).encode("utf-16-le"))
    (docs / "utf16be.md").write_bytes(codecs.BOM_UTF16_BE + ("# 标题\n\n" + SIMPLIFIED).encode("utf-16-be"))
    kb, summary, outcomes = _run(settings, fake_embedder, [docs])
    assert summary.count("added") == 5, summary.failures
    texts = {Path(c.source).name: c.text for c in kb.chunks(list(range(1, 50))).values()}
    assert texts["gbk.txt"].startswith("GBK文件：知识库")
    assert "𠀾字与䶮字" in texts["gb18030.txt"]
    assert texts["big5.txt"].startswith("Big5檔案：知識庫")
    assert texts["utf16.txt"].startswith("UTF16文件：")
    hits = {Path(kb.chunks([cid])[cid].source).name for cid, _ in kb.lexical_search(query_tokens("離線運行"), 10)}
    assert "big5.txt" in hits


def test_binary_file_named_txt_is_rejected(tmp_path, settings, fake_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    (docs / "ok.txt").write_text(SIMPLIFIED, encoding="utf-8")
    kb, summary, outcomes = _run(settings, fake_embedder, [docs])
    assert outcomes["photo.txt"].status == FileStatus.FAILED and "not a text file" in outcomes["photo.txt"].reason
    assert outcomes["ok.txt"].status == "added"
    assert kb.document(str((docs / "photo.txt").resolve())).status == "failed"


def _docx_bomb(path: Path, size: int) -> Path:
    """A .docx (or .xlsx, .pptx: the name says) whose main part unpacks to `size` bytes of one
    repeated character."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with package.open("word/document.xml", "w") as member:
            block = b"<" * (1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return path


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".pptx"])
def test_office_zip_bombs_are_refused(tmp_path, suffix):
    bomb = _docx_bomb(tmp_path / f"bomb{suffix}", 64 << 20)  # 64 MB from about 64 KB
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(LoaderError, match=f"the \\{suffix}.*zip bomb"):
        load_file(bomb, source="b", content_hash="h")
    # the total limit (a setting) holds for well-compressed parts too
    big = tmp_path / f"big{suffix}"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr("word/media/image.bin", os.urandom(3 << 20))
    with pytest.raises(LoaderError, match="more than the 2 MB allowed") as refused:
        load_file(big, source="b", content_hash="h", max_unzipped_mb=2)
    assert refused.value.setting == "max_unzipped_mb"


def test_bomb_in_a_batch_fails_alone(tmp_path, settings, fake_embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    _docx_bomb(docs / "bomb.docx", 32 << 20)
    (docs / "ok.txt").write_text(SIMPLIFIED, encoding="utf-8")
    kb, summary, outcomes = _run(settings, fake_embedder, [docs])
    assert outcomes["bomb.docx"].status == FileStatus.FAILED and "zip bomb" in outcomes["bomb.docx"].reason
    assert outcomes["ok.txt"].status == "added"


def test_links_out_of_the_folder_are_not_followed(tmp_path, settings, fake_embedder):
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.txt").write_text("机密：不应被索引的内容。", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "sub" / "inner.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (docs / "leak.txt").symlink_to(secret / "secret.txt")
    (docs / "leakdir").symlink_to(secret, target_is_directory=True)
    (docs / "alias.txt").symlink_to(docs / "sub" / "inner.txt")  # inside: read once, as its target
    (docs / "broken.txt").symlink_to(docs / "nowhere.txt")
    kb, summary, outcomes = _run(settings, fake_embedder, [docs])
    assert "not followed" in outcomes["leak.txt"].reason and "not followed" in outcomes["leakdir"].reason
    assert "broken link" in outcomes["broken.txt"].reason
    assert [Path(d.path).name for d in kb.documents()] == ["inner.txt"]
    assert not any("机密" in c.text for c in kb.chunks(list(range(1, 50))).values())


def test_odd_file_names_are_handled_safely(tmp_path, settings, fake_embedder, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    evil = "evil\x1b[2J\nname\u202e.txt"
    (docs / evil).write_text("控制字符文件名。", encoding="utf-8")
    (docs / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (docs / "fifo.txt").unlink(missing_ok=True)
    os.mkfifo(docs / "fifo.txt")  # reading it would block forever
    dotted = tmp_path / "docs" / ".." / "docs" / "a.txt"
    kb, summary, outcomes = _run(settings, fake_embedder, [docs, dotted])
    assert outcomes[evil].status == "added"
    assert "not a regular file" in outcomes["fifo.txt"].reason
    assert all(".." not in d.path for d in kb.documents())
    assert len(kb.documents()) == 2  # a.txt given twice is indexed once
    print_summary(summary, kb.name, kb.chunk_count())
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\u202e" not in printed
    assert "\\x1b" in display_path(evil) and "\\n" in display_path(evil)


def test_size_and_page_caps_are_settings(tmp_path, settings, fake_embedder):
    pymupdf = pytest.importorskip("pymupdf")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "huge.txt").write_bytes(("很大的文件。" * 120_000).encode("utf-8"))  # about 2 MB
    pdf = pymupdf.open()
    for _ in range(3):
        pdf.new_page().insert_text((72, 72), "page", fontsize=12)
    pdf.save(docs / "three.pdf")
    capped = settings.with_overrides({"max_file_mb": 1, "max_pages": 2})
    kb, summary, outcomes = _run(capped, fake_embedder, [docs])
    assert "1 MB limit" in outcomes["huge.txt"].reason and outcomes["huge.txt"].setting == "max_file_mb"
    assert "has 3 pages" in outcomes["three.pdf"].reason and outcomes["three.pdf"].setting == "max_pages"


def test_truncated_and_garbage_files_fail_alone(tmp_path, settings, fake_embedder):
    pymupdf = pytest.importorskip("pymupdf")
    docs = tmp_path / "docs"
    docs.mkdir()
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "half downloaded", fontsize=12)
    data = pdf.tobytes()
    (docs / "half.pdf").write_bytes(data[: len(data) // 2])
    (docs / "random.docx").write_bytes(os.urandom(5000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("not-word.txt", "hello")
    (docs / "zip.docx").write_bytes(buffer.getvalue())
    (docs / "ok.txt").write_text(SIMPLIFIED, encoding="utf-8")
    kb, summary, outcomes = _run(settings, fake_embedder, [docs])
    assert outcomes["ok.txt"].status == "added"
    for name in ("random.docx", "zip.docx"):
        assert outcomes[name].status == FileStatus.FAILED and outcomes[name].reason, name
    half = outcomes["half.pdf"]  # MuPDF opens what is left, but the page's text is gone
    assert half.status == FileStatus.FAILED and "no text found" in half.reason and "\n" not in half.reason
