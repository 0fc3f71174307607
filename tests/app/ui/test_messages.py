"""One language at a time: the catalogue is complete in both, every string the app shows
comes from it, and errors and outcomes from the lower layers map to its messages."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from app.ui.messages import CATALOGUE, LANGS, SAID_IN_FULL, describe_error, error_kind, error_message, t
from core.enums import EmbedBackend
from core.errors import (
    EmbedBackendMismatch,
    EncryptedFile,
    KnowledgeBaseNotFound,
    LoaderError,
    ModelLoadError,
    OldExcelFile,
    OldWordFile,
    UnsupportedFile,
    VectorStoreUnavailable,
)
from tests.app.ui.helpers import FakeService, go, home_test

UI = Path(__file__).resolve().parents[3] / "app" / "ui"
_CJK = re.compile(r"[\u3400-\u9fff]")
# Strings with Chinese outside the catalogue that are not messages: the language names
# of the switch (each written in its own language), and text-analysis patterns.
ALLOWED = {"中文", "、"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_fields():
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGS), key
        assert entry["zh"].strip() and entry["en"].strip(), key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key


def test_no_label_is_doubled_and_english_has_no_chinese():
    for key, entry in CATALOGUE.items():
        if key.startswith("welcome.about_"):
            continue  # example-question templates follow the heading's language, not the page's
        assert not _CJK.search(entry["en"]) or "已知" in entry["en"] or "命中测试" in entry["en"], key
        assert " / " not in entry["zh"] and not re.search(r"[\u4e00-\u9fff] [A-Z][a-z]+ ?[A-Z]?[a-z]*$",
                                                          entry["zh"]), key


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings may be in any language: they are for the code's readers, not for users."""
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def test_every_string_with_chinese_in_the_ui_code_is_in_the_catalogue():
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if "messages" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree) | {id(e) for n in ast.walk(tree) if isinstance(n, ast.Set) for e in n.elts}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and _CJK.search(node.value)):
                continue
            if id(node) in docs or node.value in ALLOWED or re.search(r"\(\?|\||\[\^?\\", node.value):
                continue  # docstrings, word sets, the language names, regular expressions
            offenders.append(f"{path.relative_to(UI)}:{node.lineno}: {node.value[:40]}")
    assert offenders == []


@pytest.mark.parametrize(("exc", "zh", "en"), [
    (LoaderError("empty.txt is empty"), "文件是空的", "The file is empty"),
    (LoaderError("cannot be read: not a valid PDF, or damaged beyond repair"), "不是有效的 PDF，或已损坏", "Not a valid PDF"),
    (LoaderError("big.txt is 3 MB, larger than the 1 MB limit (setting YIZHI_MAX_FILE_MB)"), "文件超过大小上限",
     "over the size limit"),
    (UnsupportedFile("a.csv: unsupported file type '.csv': supported are .md"), "不支持这种文件类型", "not supported"),
    (EncryptedFile("file is encrypted: its password is needed"), "文件有密码保护", "password-protected"),
    (KnowledgeBaseNotFound("x"), "这个知识库不存在了", "no longer exists"),
    (EmbedBackendMismatch("kb", "all-MiniLM-L6-v2", EmbedBackend.TORCH, EmbedBackend.ONNX), "YIZHI_EMBED_BACKEND",
     "set YIZHI_EMBED_BACKEND back"),
    (ModelLoadError("LLM model file /x.gguf not found"), "模型无法加载", "cannot be loaded"),
    (LoaderError("something new nobody mapped"), "文件无法读取", "cannot be read"),
    (OldExcelFile("台账.et: this is an old WPS Spreadsheets .et file; save it as .xlsx"), "另存为 .xlsx",
     "save it as .xlsx"),
    (OldWordFile("this is an old Word .doc file; save it as .docx"), "另存为 .docx", "save it as .docx"),
    (LoaderError("refused: the .xlsx unpacks to 900 MB, more than the 500 MB allowed (a zip bomb?)"),
     "解压后过大", "unpacks to too much data"),
    (LoaderError("refused: the file has more than 200000 cells with values", setting="max_table_cells"),
     "YIZHI_MAX_TABLE_CELLS", "YIZHI_MAX_TABLE_CELLS"),
    (VectorStoreUnavailable("the Milvus server at http://10.0.0.5:19530 cannot be reached for a vector search (no "
                            "answer in time): is it running?", setting="milvus_uri"),
     "YIZHI_MILVUS_URI", "Milvus server that holds the vectors"),
])
def test_lower_layer_errors_become_catalogue_messages(exc, zh, en):
    message, detail = describe_error(exc, "zh")
    assert zh in message
    # in Chinese the English sentence only where the message cannot say it all (a path, the unforeseen)
    said_in_full = error_kind(getattr(exc, "code", "error"), str(exc), type(exc).__name__) in SAID_IN_FULL
    assert detail == ("" if said_in_full else f"详情（英文原文）：{exc}")
    assert en in describe_error(exc, "en")[0] and describe_error(exc, "en")[1] == f"Details: {exc}"


def test_a_damaged_pdf_is_told_in_chinese_only():
    message, detail = describe_error(LoaderError("cannot be read: not a valid PDF, or damaged beyond repair"), "zh")
    assert (message, detail) == ("不是有效的 PDF，或已损坏", "")
    assert describe_error(ModelLoadError("LLM model file /x.gguf not found"), "zh")[1].endswith("/x.gguf not found")


def test_failed_file_outcomes_map_by_code_and_words():
    assert error_kind("wrong_password", "file is encrypted and the password given is wrong") == "wrong_password"
    assert error_kind("unreadable", "no text layer: the pages are scanned images") == "no_text"
    assert error_kind("nonsense-code", "") == "error"
    # old Office files refused while a folder is walked: the outcome's code says which format
    assert error_kind("old_ppt", "this is an old WPS Presentation .dps file; save it as .pptx") == "old_ppt"
    assert "另存为 .pptx" in error_message("old_ppt", lang="zh")
    assert error_message("unsupported", "", lang="en").startswith("This file type is not supported")
    assert t("upload.ocr", "zh", n=3) == "3 页用 OCR 读出"


def test_chinese_by_default_english_by_the_switch(fake_service: FakeService):
    at = home_test().run()
    assert at.session_state["ui_lang"] == "zh" and at.button_group(key="lang_switch").value == "zh"
    at.button_group(key="lang_switch").set_value("en").run()
    labels = [b.label for b in at.button] + [s.label for s in at.slider] + [m.value for m in at.markdown]
    assert "New conversation" in labels and "Passages (top-k)" in labels
    assert not [x for x in labels if _CJK.search(x) and x not in ("茶馆几点开门？",)
                and not x.startswith("介绍一下")]  # only the documents' own words stay Chinese


def test_streamlits_own_english_is_swapped_for_the_catalogues_words(fake_service: FakeService):
    from app.ui import widget_texts

    at = home_test().run()
    script = next(h.proto.body for h in at.get("html") if "yizhiTexts" in h.proto.body)
    assert '"Help": "说明"' in script and '"Help for ": "{label} 的说明"' in script and "没有可选的项" in script
    assert script.count("</") == 1  # the texts cannot close the script
    assert {*widget_texts.ARIA_NAMES.values(), *widget_texts.ARIA_PREFIXES.values()} <= set(CATALOGUE)
    go(at, "kb")
    assert at.selectbox(key="kb_current").placeholder == "请选择…"  # not Streamlit's "Choose an option"
