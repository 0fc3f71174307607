"""Running headers, footers and page numbers of a PDF: which margin lines to leave out.

Pure functions over the text of each page's rows, top to bottom (a row is the text on
one visual line of a page, its pieces joined by a space). Only the first and last
`MARGIN_ROWS` rows of a page are ever looked at, so body text is never dropped:

- a row that is only a page number in a common form ("3", "- 3 -", "— 3 —", "第3页",
  "第 3 页 共 10 页", "Page 3 of 10", "3 / 10", "iv") is dropped, whatever the length of
  the document;
- in a document of `MIN_PAGES` pages or more, a row that repeats on `SHARE` of its pages
  (at least `MIN_PAGES`) is a running header or footer and is dropped: the same text
  ("某某公司年度报告"), or the same text but for a number standing on its own (or at its
  start or end) that goes up with the page ("某某公司年度报告 第 3 页", "3 | 第一章 总则",
  not "第3节"). Rows compare
  after NFKC and without whitespace, numbers replaced by a placeholder. `SHARE` is under
  a half so that the headers of even and odd pages (the book's title, the chapter's)
  each count; rows made of numbers only (table cells) never count, and neither do
  numbers that do not follow the page (the dates of a register), which are content.
  A header or footer frames other content, text or tables: on a page that has nothing
  else, it stays.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

MARGIN_ROWS = 2  # rows at the top and at the bottom of a page that may be margins
MIN_PAGES = 3  # pages with text a document needs before rows repeating across them count
SHARE = 0.4  # share of those pages a running header or footer appears on

_DIGITS = re.compile(r"\d+")
_BREAKS = re.compile(r"\n{3,}")
# Decoration around a page number: dashes, dots, bars, brackets.
_DECORATION = "-‐‑‒–—―−_~·•・*|/()[]<>〈〉《》「」【】〔〕"
_TOKENS = re.compile(r"[\s|·•・]+")  # what sets a page number apart in a running title (not "-" or "/": dates)
# Lower-case i … xxxix: the pages of a preface (upper-case "IV" alone is more often a part's number).
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")
_CN_NUMBER = r"[\d〇零一二三四五六七八九十百千两]+"
_PAGE_NUMBER = re.compile(
    r"(?:"
    r"\d{1,4}"  # 3
    rf"|第{_CN_NUMBER}页(?:[,，/]?共\d+页)?"  # 第3页, 第3页共10页, 第三页
    r"|共\d+页[,，/]?第\d+页"  # 共10页第3页
    r"|\d+页"  # 3页
    r"|(?:page|p\.|pg\.?)\d+(?:(?:of|/)\d+)?"  # Page 3, Page 3 of 10, p. 3
    r"|\d+(?:/|of)\d+页?"  # 3 / 10, 3 of 10
    r")"
)


def _compact(text: str) -> str:
    """The row as compared: NFKC (full-width digits and slashes as ASCII), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_page_number(text: str) -> bool:
    """Whether a row is only a page number ("3", "— 3 —", "第 3 页 共 10 页", "Page 3")."""
    core = _compact(text).strip(_DECORATION)
    if not core:
        return False
    return _PAGE_NUMBER.fullmatch(core.lower()) is not None or _ROMAN.fullmatch(core) is not None


def _has_words(pattern: str) -> bool:
    return any(ch.isalpha() for ch in pattern.replace("#", ""))


def _free_number(row: str) -> bool:
    """Whether the row has a number standing on its own, as page numbers do: between spaces
    or separators ("某某公司年度报告 第 3 页", "Frm 00002"), or at its start or end
    ("47700 Federal Register", "12第一篇商品和货币" as OCR joins it); not one inside its
    words ("第3节经营情况", "共有5项")."""
    text = unicodedata.normalize("NFKC", row).strip()
    if text[:1].isdigit() or text[-1:].isdigit():
        return True
    return any(token.isdigit() or is_page_number(token) for token in _TOKENS.split(text) if token)


def _follows_pages(found: list[tuple[int, list[int]]]) -> bool:
    """Whether one of the numbers of a repeated row goes up with the page: between most
    consecutive pages it appears on, it grows by as much as the page does."""
    found = sorted(found)
    pairs = list(zip(found, found[1:]))
    if not pairs:
        return False
    for j in range(len(found[0][1])):
        steps = sum(1 for (p1, n1), (p2, n2) in pairs if n2[j] - n1[j] == p2 - p1)
        if steps * 2 > len(pairs):
            return True
    return False


def _candidates(rows: Sequence[str], margin: int) -> list[int]:
    """Indexes of the first and last `margin` rows of a page."""
    count = len(rows)
    return sorted(set(range(min(margin, count))) | set(range(max(0, count - margin), count)))


def margin_rows(pages: Sequence[Sequence[str]], margin: int = MARGIN_ROWS, *,
                numbers: Sequence[int] | None = None, tables: Sequence[int] | None = None) -> list[set[int]]:
    """For each page (its rows, top to bottom), the indexes of the rows to leave out:
    page numbers, and running headers and footers (see the module doc). `numbers` are
    the pages' numbers in the file when some are missing (default: one after another);
    `tables` the number of tables on each page, content besides its rows (default: none)."""
    numbers = list(numbers) if numbers is not None else list(range(len(pages)))
    tables = list(tables) if tables is not None else [0] * len(pages)
    drops: list[set[int]] = [set() for _ in pages]
    same: dict[str, list[tuple[int, int]]] = defaultdict(list)  # compact text -> (page, row) it is at
    numbered: dict[str, list[tuple[int, list[int]]]] = defaultdict(list)  # pattern -> (page, its numbers)
    free: dict[str, bool] = {}  # pattern -> whether its rows have a number on its own
    at: dict[str, list[tuple[int, int]]] = defaultdict(list)  # pattern -> (page, row) it is at
    for p, rows in enumerate(pages):
        for i in _candidates(rows, margin):
            if is_page_number(rows[i]):
                drops[p].add(i)
                continue
            text = _compact(rows[i])
            if not text:
                continue
            same[text].append((p, i))
            values = [int(n) for n in _DIGITS.findall(text)]
            if values:
                pattern = _DIGITS.sub("#", text)
                if not numbered[pattern] or numbered[pattern][-1][0] != numbers[p]:
                    numbered[pattern].append((numbers[p], values))
                if pattern not in free:
                    free[pattern] = _free_number(rows[i])
                at[pattern].append((p, i))
    with_text = sum(1 for rows in pages if rows)
    if with_text < MIN_PAGES:
        return drops
    needed = max(MIN_PAGES, math.ceil(SHARE * with_text))
    places = [found for text, found in same.items() if len({p for p, _ in found}) >= needed and _has_words(text)]
    places += [at[pattern] for pattern, found in numbered.items()
               if len(found) >= needed and _has_words(pattern) and free[pattern] and _follows_pages(found)]
    running: list[set[int]] = [set() for _ in pages]
    for found in places:
        for p, i in found:
            running[p].add(i)
    for p, rows in enumerate(pages):
        # A header or footer frames other content: on a page with nothing else it is the text.
        if running[p] and (len(running[p] | drops[p]) < len(rows) or tables[p]):
            drops[p] |= running[p]
    return drops


def strip_margins(texts: Sequence[str], margin: int = MARGIN_ROWS, *,
                  numbers: Sequence[int] | None = None) -> list[str]:
    """Each page's text without its margin rows, a row being a non-empty line of the text
    (for text read by OCR, whose lines are already rows or paragraphs)."""
    drops = margin_rows([[line for line in text.split("\n") if line.strip()] for text in texts], margin,
                        numbers=numbers)
    stripped = []
    for text, dropped in zip(texts, drops):
        if dropped:
            lines, row = [], -1
            for line in text.split("\n"):
                if line.strip():
                    row += 1
                    if row in dropped:
                        continue
                lines.append(line)
            text = _BREAKS.sub("\n\n", "\n".join(lines)).strip()
        stripped.append(text)
    return stripped


_WORDS = re.compile(r"[^\W\d_]")
_SITE = re.compile(r"https?://|www\.|\.(?:com|org|net|cn|gov)\b", re.IGNORECASE)


def running_title(pages: Sequence[Sequence[str]], drops: Sequence[set[int]]) -> str:
    """The running header that names the document ("东北电气发展股份有限公司2018 年第一季度报告"
    atop every page): the same row, of words rather than a number, left out at the top of
    most of the pages that lost one; "" when there is none. Its pages lose it as a margin, so
    it is kept as the title their chunks are searched with (a table page says nothing else
    about whose figures it holds)."""
    counts: dict[str, int] = defaultdict(int)
    for rows, dropped in zip(pages, drops, strict=False):
        for i in sorted(dropped):
            text = " ".join(rows[i].split())
            if i < len(rows) / 2 and len(_WORDS.findall(text)) >= 4 and not is_page_number(text) \
                    and not _SITE.search(text):  # a site's watermark ("标准网 www.biaozhun.org") names no document
                counts[text] += 1
                break  # a page's topmost left-out row only
    if not counts:
        return ""
    text, count = max(counts.items(), key=lambda item: item[1])
    return text if count >= 2 and count * 2 >= sum(1 for d in drops if d) else ""
