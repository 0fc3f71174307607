"""Make data/docs/yizhi_guide_zh.pdf from the Chinese user guide (Markdown).

    .venv/bin/python data/make_sample_pdf.py [--source data/docs/yizhi_guide_zh.md] [--out …pdf]

Uses PyMuPDF's built-in CJK font "china-s" (nothing to download), embedded and subset
so that Latin letters keep their own widths, and a small layout of its own: headings, paragraphs, bullet and numbered lists and code lines, wrapped by
measured glyph widths, with the second-level headings as the PDF's outline so the PDF
loader sees the same section headings as the Markdown loader. The output is committed;
run this again after editing the guide.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
FONT = "china-s"
PAGE = pymupdf.paper_rect("a4")
MARGIN = 64.0
BODY = 11.0
SIZES = {1: 20.0, 2: 15.0, 3: 12.5}
# Characters that may not start a line (kinsoku): they stay with the line before.
NO_LINE_START = set("，。、；：！？）」』】》〉”’,.;:!?)%")
_UNITS = re.compile(r"[A-Za-z0-9_./:@'\-]+\s*|\s+|.", re.S)


@dataclass
class Block:
    kind: str  # "h1".."h3", "p", "li", "code"
    text: str
    marker: str = ""


def parse_markdown(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    in_code = False

    def flush() -> None:
        if paragraph:
            blocks.append(Block("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            blocks.append(Block("code", line))
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        item = re.match(r"^\s*(-|\d+\.)\s+(.*)$", line)
        if heading:
            flush()
            blocks.append(Block(f"h{len(heading.group(1))}", heading.group(2)))
        elif item:
            flush()
            marker = "•" if item.group(1) == "-" else item.group(1)
            blocks.append(Block("li", item.group(2), marker))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    for block in blocks:
        block.text = re.sub(r"\*\*(.+?)\*\*", r"\1", block.text)
    return blocks


def wrap(text: str, font: pymupdf.Font, size: float, width: float) -> list[str]:
    """Greedy line breaking: CJK between any two characters, Latin words kept whole."""
    lines: list[str] = []
    line = ""
    for unit in _UNITS.findall(text):
        candidate = line + unit
        if not line or font.text_length(candidate.rstrip(), size) <= width or unit[0] in NO_LINE_START:
            line = candidate
            continue
        lines.append(line.rstrip())
        line = unit.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


class Writer:
    def __init__(self, title: str) -> None:
        self.doc = pymupdf.open()
        self.font = pymupdf.Font(FONT)
        self.toc: list[list] = []
        self.page: pymupdf.Page | None = None
        self.y = 0.0
        self.doc.set_metadata({"title": title, "author": "Yizhi", "creator": "data/make_sample_pdf.py",
                               "producer": "PyMuPDF", "creationDate": "", "modDate": ""})

    def _new_page(self) -> None:
        self.page = self.doc.new_page(width=PAGE.width, height=PAGE.height)
        self.y = MARGIN

    def _footers(self) -> None:
        """Page numbers, written last so text extraction meets them after the body."""
        for self.page in self.doc:
            number = f"— {self.page.number + 1} —"
            x = (PAGE.width - self.font.text_length(number, 9)) / 2
            self._write((x, PAGE.height - MARGIN / 2), number, 9, (0.4, 0.4, 0.4))

    def _write(self, point: tuple[float, float], text: str, size: float, color) -> None:
        writer = pymupdf.TextWriter(self.page.rect, color=color)
        writer.append(point, text, font=self.font, fontsize=size)
        writer.write_text(self.page)

    def _line(self, text: str, size: float, indent: float = 0.0, color=(0, 0, 0)) -> None:
        height = size * 1.65
        if self.page is None or self.y + height > PAGE.height - MARGIN:
            self._new_page()
        self.y += height
        self._write((MARGIN + indent, self.y - size * 0.45), text, size, color)

    def block(self, block: Block) -> None:
        width = PAGE.width - 2 * MARGIN
        if block.kind.startswith("h"):
            level = int(block.kind[1])
            size = SIZES[level]
            if self.page is not None and self.y + size * 4 > PAGE.height - MARGIN:
                self._new_page()  # keep a heading with the lines after it
            self.y += size * 0.6
            for text in wrap(block.text, self.font, size, width):
                self._line(text, size)
            self.toc.append([level, block.text, self.doc.page_count])
            self.y += size * 0.2
        elif block.kind == "code":
            self._line(block.text, BODY - 0.5, indent=18, color=(0.15, 0.25, 0.55))
        elif block.kind == "li":
            indent = self.font.text_length(block.marker + " ", BODY) + 10
            lines = wrap(block.text, self.font, BODY, width - indent)
            for i, text in enumerate(lines):
                if i == 0:
                    self._line(f"{block.marker} {text}", BODY, indent=10 if block.marker == "•" else 0)
                else:
                    self._line(text, BODY, indent=indent)
            self.y += BODY * 0.2
        else:
            for text in wrap(block.text, self.font, BODY, width):
                self._line(text, BODY)
            self.y += BODY * 0.6

    def save(self, out: Path) -> None:
        self._footers()
        self.doc.set_toc(self.toc)
        self.doc.subset_fonts()
        out.parent.mkdir(parents=True, exist_ok=True)
        self.doc.save(out, garbage=3, deflate=True, no_new_id=True)


def make_pdf(source: Path, out: Path) -> int:
    """Write the PDF; returns its page count."""
    blocks = parse_markdown(source.read_text(encoding="utf-8"))
    title = next((b.text for b in blocks if b.kind == "h1"), source.stem)
    writer = Writer(title)
    for block in blocks:
        writer.block(block)
    writer.save(out)
    return writer.doc.page_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE / "docs" / "yizhi_guide_zh.md")
    parser.add_argument("--out", type=Path, default=HERE / "docs" / "yizhi_guide_zh.pdf")
    args = parser.parse_args()
    pages = make_pdf(args.source, args.out)
    print(f"wrote {args.out} ({pages} pages)")


if __name__ == "__main__":
    main()
