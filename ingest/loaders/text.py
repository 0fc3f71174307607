"""Plain text and Markdown files.

A text file is one Document. A Markdown file is one Document per ATX heading section
(`# 标题`), its `heading` the path of headings above it ("指南 > 安装 > 下载"); the heading
line itself is left out of the text. Headings inside fenced code blocks are code, not
headings. YAML front matter is dropped (its `title:` becomes the title). A nested list is
read as the outline it is: an item with items under it is a heading (ingest/loaders/outline.py).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from core.errors import LoaderError
from core.types import Document
from ingest.loaders._common import SectionBuilder, normalize_whitespace
from ingest.loaders.encoding import decode_bytes
from ingest.loaders.outline import OutlineReader

log = logging.getLogger(__name__)

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_FRONT_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"cannot be read: {exc.strerror or exc}") from exc
    return decode_bytes(data, path.name)


def load_text(path: Path, *, source: str, content_hash: str) -> list[Document]:
    text = normalize_whitespace(read_text(path))
    if not text:
        return []
    return [Document(text=text, source=source, title=path.stem, content_hash=content_hash)]


def _split_front_matter(text: str) -> tuple[str, str]:
    """(front matter, rest) when the file starts with a `---` YAML block, else ("", text)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return "", text
    for i, line in enumerate(lines[1:60], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
    return "", text


def _clean_markdown(text: str) -> str:
    """Markdown syntax that hurts search but carries no words: link targets, rules, emphasis."""
    text = _HTML_COMMENT.sub("", text)
    text = _LINK_DEF.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    lines = [line for line in text.split("\n") if not _TABLE_RULE.match(line)]
    return "\n".join(lines)


def parse_markdown(text: str, *, source: str, content_hash: str, fallback_title: str) -> list[Document]:
    """One Document per heading section of Markdown `text`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, text = _split_front_matter(text)
    title_match = _FRONT_TITLE.search(front)
    title = title_match.group(1).strip("'\"") if title_match else ""
    builder = SectionBuilder(source=source, content_hash=content_hash)
    first_h1 = ""
    fence: str | None = None
    body: list[str] = []
    code: list[str] = []
    lines = text.split("\n")
    outline = OutlineReader(0)

    def flush_body() -> None:
        if body:
            builder.add(_clean_markdown("\n".join(body)))
            body.clear()

    for i, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
                builder.add("\n".join(code))  # code is kept as written
                code.clear()
            else:
                code.append(line)
            continue
        if fence_match:
            flush_body()
            fence = fence_match.group(1)
            continue
        heading = _ATX.match(line)
        if heading:
            flush_body()
            level, label = len(heading.group(1)), _clean_markdown(heading.group(2) or "").strip()
            if level == 1 and not first_h1:
                first_h1 = label
            builder.heading(level, label)
            outline = OutlineReader(level)
            continue
        step = outline.step(lines, i)
        if step.close_to >= 0 or step.level:
            flush_body()
        if step.close_to >= 0:
            builder.close_to(step.close_to)
        if step.level:
            body.append(line)  # still an item of the list it belongs to ("Graph-based": HNSW, NSG, Vamana)
            flush_body()
            builder.heading(step.level, _clean_markdown(step.text).strip())
            continue
        body.append(line)
    flush_body()
    builder.add("\n".join(code))  # an unclosed fence runs to the end of the file
    builder.title = title or first_h1 or fallback_title
    return builder.documents()


def load_markdown(path: Path, *, source: str, content_hash: str) -> list[Document]:
    return parse_markdown(read_text(path), source=source, content_hash=content_hash,
                          fallback_title=path.stem)
