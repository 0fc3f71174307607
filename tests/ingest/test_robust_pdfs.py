"""Every shared PDF is indexed or refused with a reason; text quality of generated PDFs.

OCR is off here (it has its own tests): scanned files must then say how to read them.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pymupdf = pytest.importorskip("pymupdf")

from core.enums import FileStatus  # noqa: E402
from core.errors import LoaderError  # noqa: E402
from ingest.loaders import load_file  # noqa: E402
from ingest.loaders.pdf import _MUPDF_ERRORS  # noqa: E402
from ingest.loaders.pdf_quality import plan_ocr  # noqa: E402
from ingest.loaders.pdf_text import read_page  # noqa: E402
from ingest.pipeline import IngestPipeline  # noqa: E402
from retrieval.kb.opening import open_knowledge_base  # noqa: E402
from tests.conftest import require_shared  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# What each shared PDF must give with OCR off: pages indexed, or words of the reason.
EXPECTED = {
    "bad_empty_zero_bytes.pdf": "file is empty",
    "bad_fuzzed_unopenable.pdf": "cannot be read",
    "bad_page_tree_cycle.pdf": 1,
    "bad_xref_keyword_missing.pdf": 1,
    "enc_owner_password_copy_protected.pdf": 2,
    "enc_user_password_test.pdf": "password is needed",  # the CLI adds "--password", the UI its field
    "en_fbi_nics_table.pdf": 1,
    "en_paper_dpr_multicolumn.pdf": 13,
    "en_paper_tableformer.pdf": 10,
    "en_scanned_image_only.pdf": "OCR is off",
    "en_us_federal_register_2020.pdf": 15,
    "zh_GBT3620.1-2016_national_standard.pdf": 8,  # pages 5-9 are undecodable without OCR
    "zh_academic_paper_page.pdf": 1,
    "zh_bond_prospectus_tables.pdf": 1,
    "zh_cid_font_XiaoBiaoSong_toc.pdf": 1,
    "zh_quarterly_report_2018Q1.pdf": 22,
    "zh_scanned_book_small_ocr.pdf": "OCR is off",
    "zh_tiny_image_text_ocr_test.pdf": 1,
}


@pytest.fixture
def no_ocr(settings):
    return settings.with_overrides({"ocr": False})


@pytest.mark.slow
def test_every_shared_pdf_is_indexed_or_has_a_reason(no_ocr, fake_embedder):
    pdfs = require_shared("evaldata", "pdfs")
    with open_knowledge_base(no_ocr.kb_root, "pdfs", create=True) as kb:
        summary = IngestPipeline(kb, fake_embedder, no_ocr.ingest_config(), progress=False).run([pdfs])
        outcomes = {Path(o.path).name: o for o in summary.outcomes}
        assert set(EXPECTED) <= set(outcomes), "a shared PDF is missing from the batch"
        for name, expected in EXPECTED.items():
            outcome = outcomes[name]
            if isinstance(expected, int):
                assert outcome.status == "added" and outcome.pages == expected, (name, outcome)
            else:
                assert outcome.status == FileStatus.FAILED and expected in outcome.reason, (name, outcome)
                assert "\n" not in outcome.reason and "Traceback" not in outcome.reason
        assert "page 2 could not be read" in outcomes["bad_page_tree_cycle.pdf"].reason
        assert "pages 5, 6, 7, 8, 9" in outcomes["zh_GBT3620.1-2016_national_standard.pdf"].reason
        assert kb.check().ok


def test_password_opens_the_encrypted_pdf(no_ocr, fake_embedder):
    path = require_shared("evaldata", "pdfs", "broken", "enc_user_password_test.pdf")
    with open_knowledge_base(no_ocr.kb_root, "enc", create=True) as kb:
        pipeline = IngestPipeline(kb, fake_embedder, no_ocr.ingest_config(), progress=False)
        wrong = pipeline.run([path], password="nope")
        assert "password given is wrong" in wrong.failures[0].reason
        right = pipeline.run([path], password="test")
        assert right.count("added") == 1 and right.pages == 4


@pytest.mark.slow
def test_cli_lists_failures_exits_by_strict_and_never_shows_a_traceback(tmp_path):
    broken = require_shared("evaldata", "pdfs", "broken")
    env = {**os.environ, "YIZHI_DATA_DIR": str(tmp_path / "data"), "YIZHI_OCR": "false"}

    def ingest(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ingest", str(broken), "--kb", "cli", "-q", *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    ran = ingest()
    assert ran.returncode == 0, ran.stderr
    assert "failed   " in ran.stdout and "file is empty" in ran.stdout and "--password" in ran.stdout
    assert "note     " in ran.stdout and "cycle in page tree" in ran.stdout
    strict = ingest("--strict", "--password", "test")
    assert strict.returncode == 1
    assert "enc_user_password_test.pdf" not in strict.stdout  # opened with the password
    for result in (ran, strict):
        assert "Traceback" not in result.stdout + result.stderr
    assert (tmp_path / "data" / "logs" / "yizhi.log").exists()


@pytest.mark.slow
def test_garbage_text_layers_are_found_on_the_national_standard():
    path = require_shared("evaldata", "pdfs", "zh", "zh_GBT3620.1-2016_national_standard.pdf")
    with pymupdf.open(path) as doc:
        verdicts = {}
        for page in doc:
            layer = read_page(page, _MUPDF_ERRORS)
            verdicts[page.number + 1] = plan_ocr(page, layer.raw, layer.line_boxes, layer.rotation)
    assert sorted(n for n, plan in verdicts.items() if plan.full) == [5, 6, 7, 8, 9]
    assert all(not verdicts[n].keep_text and verdicts[n].rotation == 90 for n in range(5, 10))
    assert not any(plan.needed for n, plan in verdicts.items() if n not in range(5, 10))


def test_cid_font_chinese_extracts_readably():
    path = require_shared("evaldata", "pdfs", "zh", "zh_cid_font_XiaoBiaoSong_toc.pdf")
    text = load_file(path, source="toc", content_hash="h", ocr=False)[0].text
    assert "关于红军作战的原则" in text and "中日战争爆发后的形势与任务" in text


def _page_text(path: Path, number: int) -> str:
    with pymupdf.open(path) as doc:
        return read_page(doc[number - 1], _MUPDF_ERRORS).text


def test_continued_lines_are_joined_on_shared_chinese_pdfs():
    report = require_shared("evaldata", "pdfs", "zh", "zh_quarterly_report_2018Q1.pdf")
    assert "保证季度报告内容的真实、准确、完整，不存在虚假记载" in _page_text(report, 2)
    standard = require_shared("evaldata", "pdfs", "zh", "zh_GBT3620.1-2016_national_standard.pdf")
    assert "中国有色金属工业标准计量质量研究所。" in _page_text(standard, 2)
    assert "共计8个新注册α型和近α型合金牌号" in _page_text(standard, 2)
    assert "表B.1 本标准表2中工业纯钛" in _page_text(standard, 10)


# --- generated PDFs ----------------------------------------------------------------------
SENTENCE = "知识库问答系统可以离线运行，只根据已知信息回答问题。"


def _fake_bold_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    font = pymupdf.Font("china-s")
    writer = pymupdf.TextWriter(page.rect)
    for dx in (0, 0.4):  # the whole line drawn twice, slightly offset
        writer.append((72 + dx, 72), SENTENCE, font=font, fontsize=12)
    x = 72
    for char in "第二行文字每个字画两次以显粗体":  # each character drawn twice in a row
        writer.append((x, 120), char, font=font, fontsize=12)
        writer.append((x + 1.5, 120.3), char, font=font, fontsize=12)
        x += 12
    writer.write_text(page)
    doc.save(path)
    return path


def test_fake_bold_text_comes_out_single(tmp_path):
    text = load_file(_fake_bold_pdf(tmp_path / "bold.pdf"), source="b", content_hash="h", ocr=False)[0].text
    assert text.count("知识库") == 1 and SENTENCE in text
    assert "第二行文字每个字画两次以显粗体" in text


def test_hard_wrapped_and_hyphenated_lines_are_joined(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    # Each visual line its own block, 1.5 line spacing, as word processors export them.
    lines = ["知识库问答系统在笔记本电脑上离线运行，只根据检索到的已知信息来回答用户提出",
             "的问题，检索不到相关内容时拒绝回答，而不是编造一个看似合理的答案给用户。"]
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + i * 21), line, fontname="china-s", fontsize=12)
    page.insert_text((72, 200), "Offline question answering needs reliable infor-", fontsize=12)
    page.insert_text((72, 214), "mation retrieval from the documents of its users.", fontsize=12)
    doc.save(tmp_path / "wrap.pdf")
    text = load_file(tmp_path / "wrap.pdf", source="w", content_hash="h", ocr=False)[0].text
    assert lines[0] + lines[1] in text  # no newline inside the Chinese sentence
    assert "reliable information retrieval" in text


def test_page_cap_refuses_long_pdfs(tmp_path):
    doc = pymupdf.open()
    for _ in range(5):
        doc.new_page().insert_text((72, 72), "page", fontsize=12)
    doc.save(tmp_path / "long.pdf")
    with pytest.raises(LoaderError, match="more than the 3 allowed"):
        load_file(tmp_path / "long.pdf", source="l", content_hash="h", max_pages=3, ocr=False)
    assert len(load_file(tmp_path / "long.pdf", source="l", content_hash="h", max_pages=5, ocr=False)) == 5
