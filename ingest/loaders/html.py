"""HTML files, read with BeautifulSoup (lxml when installed, else the stdlib parser).

Scripts, styles, navigation and other non-content elements are dropped; the text of the
rest is kept with its paragraph breaks. h1-h3 start sections (one Document each, with
the heading path); tables become rows "a | b | c". The title comes from <title>, else
the first <h1>, else the file name. The encoding is the one the page declares, if it
decodes, else it is detected like a text file's.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from core.errors import LoaderError
from core.types import Document
from ingest.loaders._common import SectionBuilder
from ingest.loaders.encoding import decode_bytes
from ingest.loaders.table_text import table_to_text

log = logging.getLogger(__name__)

_DROP = frozenset({
    "script", "style", "nav", "noscript", "template", "svg", "canvas", "iframe", "object",
    "head", "button", "select", "input", "textarea", "form", "dialog", "math",
})
_SECTION_HEADINGS = {"h1": 1, "h2": 2, "h3": 3}
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "ul", "caption", "center", "fieldset", "legend",
})
_LINE_BLOCKS = frozenset({"li", "dt", "dd", "tr", "summary", "figcaption", "caption", "legend"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950", "x-gbk": "gb18030"}
_SKIP_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)


def _parser() -> str:
    try:
        import lxml  # noqa: F401  (only whether it is there)
    except ImportError:
        return "html.parser"
    return "lxml"


def decode_html(data: bytes, name: str) -> str:
    """Decode with the charset the page declares (GB2312/GBK read as GB18030), else detect."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        encoding = declared.group(1).decode("ascii").lower()
        encoding = _ALIASES.get(encoding, encoding)
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            log.info("%s: declared charset %s does not decode (%s); detecting", name, encoding, exc)
    return decode_bytes(data, name)


class _Walker:
    """Walks the tree in order, feeding text and headings to a SectionBuilder."""

    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.buffer: list[str] = []
        self.first_h1 = ""

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        self.builder.add(text)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _SKIP_STRINGS):
                    self.buffer.append(str(child) if self._in_pre(child) else re.sub(r"\s+", " ", str(child)))
                continue
            if not isinstance(child, Tag) or child.name in _DROP:
                continue
            if child.get("hidden") is not None or child.get("aria-hidden") == "true":
                continue
            name = child.name
            if name in _SECTION_HEADINGS:
                label = child.get_text(" ", strip=True)
                if name == "h1" and not self.first_h1:
                    self.first_h1 = label
                self.flush()
                self.builder.heading(_SECTION_HEADINGS[name], label)
            elif name == "table":
                self.flush()
                rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all(("td", "th"), recursive=False)]
                        for tr in child.find_all("tr")]
                self.builder.add(table_to_text(rows))
            elif name == "br":
                self.buffer.append("\n")
            elif name in _BLOCK:
                breaks = 1 if name in _LINE_BLOCKS else 2
                self._break(breaks)
                self.walk(child)
                self._break(breaks)
            else:
                self.walk(child)

    def _break(self, count: int) -> None:
        """End the current line (1) or paragraph (2), not adding to breaks already there."""
        trailing: list[str] = []
        for piece in reversed(self.buffer):
            trailing.append(piece)
            if piece.strip():
                break
        tail = "".join(reversed(trailing))
        if not tail.strip():
            return  # nothing before it to separate from
        have = tail[len(tail.rstrip()):].count("\n")
        if have < count:
            self.buffer.append("\n" * (count - have))

    @staticmethod
    def _in_pre(node: NavigableString) -> bool:
        return any(parent.name == "pre" for parent in node.parents if isinstance(parent, Tag))


def parse_html(text: str, *, source: str, content_hash: str, fallback_title: str) -> list[Document]:
    soup = BeautifulSoup(text, _parser())
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else ""
    builder = SectionBuilder(source=source, content_hash=content_hash)
    walker = _Walker(builder)
    walker.walk(soup.body or soup)
    walker.flush()
    builder.title = title or walker.first_h1 or fallback_title
    return builder.documents()


def load_html(path: Path, *, source: str, content_hash: str) -> list[Document]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"cannot be read: {exc.strerror or exc}") from exc
    text = decode_html(data, path.name)
    return parse_html(text, source=source, content_hash=content_hash, fallback_title=path.stem)
