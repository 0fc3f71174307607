"""Tables read as tables: the rows of a chunk's table text, and the cell a question names.

The loaders write a table as lines (ingest/loaders/table_text.py `table_to_text`): a caption
line ("表7-2：截至2023 年3 月末发行人授信及使用情况"), the column names once ("序号 | 金融机构名称 |
授信总额 | …"), then one line per row whose cells carry their column's name ("序号: 7 |
金融机构名称: 杭州银行 | 授信总额: 109,000.00 | …"; a row's first cell is its label and keeps
none: "营业收入（元） | 本报告期: 4,755,785.11 | …"). A row read alone still says what each
value is; `table_rows` reads them back with the caption and the unit above them.

`find_cells` picks the row the question names (by its label or any of its cells: a bank,
a year, a state, TA3G) and the columns it asks for (by their names: 已使用情况 for
"用掉多少", 评级机构 for "哪家机构"); a row is only chosen when a word of the question holds
it apart from the other rows of its table.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.text import fold
from retrieval.relevance import QueryTerm

_CELL = re.compile(r"^(?P<name>[^:：|]{1,40}?)\s*[:：]\s+(?P<value>.+)$")
_CAPTION = re.compile(r"^(?:表\s*[\dA-Za-z][\w.\-－]*|table\s+\d+|[一二三四五六七八九十]+、|\d+、)", re.IGNORECASE)
_UNIT = re.compile(r"单位\s*[:：]\s*(\S+)")
_CONTINUED = re.compile(r"(?:[（(]续[）)]|\s*\((?:continued|cont\.)\))\s*$", re.IGNORECASE)  # as the splitter marks it
CLEAR_COLUMN = 0.6  # a column named by the question (most of its character pairs asked)
LOOSE_COLUMN = 0.2
DISTINCT_PAIR = 0.3  # a column named by a word few other columns share
NAMED_ROW = 0.6  # a cell the question spells out for at least this share
_QUESTION_FILLER = re.compile(r"多少|是什么|是多少|有多大|几|哪|什么|的|了|吗|呢|是")


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row: `label` (its first, unnamed cell; "" when every cell is named) and its named
    cells, with the table's caption, column names and unit; `start`/`end` index the line."""

    caption: str
    columns: tuple[str, ...]
    label: str
    cells: tuple[tuple[str, str], ...]
    unit: str
    start: int
    end: int

    @property
    def text(self) -> str:
        return " | ".join(([self.label] if self.label else []) + [f"{n}: {v}" for n, v in self.cells])


@dataclass(frozen=True, slots=True)
class CellAnswer:
    """The cells a question asks for in one row."""

    row: TableRow
    cells: tuple[tuple[str, str], ...]  # (column, value)
    score: float


# A table's title: "表7-2…", "Table 3", "5、合并现金流量表（续）", "…情况表", "…统计".
_TITLE = re.compile(r"^(?:表|table)\s*[\dA-Za-z一二三四五六七八九十]|表\s*(?:[（(]续[）)])?\s*$|(?:表|情况|统计|明细)\s*[:：]?\s*$",
                    re.IGNORECASE)


def _is_header(cells: Sequence[str]) -> bool:
    return len(cells) >= 2 and not any(_CELL.match(c) for c in cells)


def table_rows(text: str) -> list[TableRow]:
    """The table rows written in a chunk's text, in order (none when it holds no table)."""
    rows: list[TableRow] = []
    caption, unit, columns = "", "", ()
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        cells = [c.strip() for c in stripped.strip("|").split(" | ")]
        if " | " not in stripped and not _CELL.match(stripped):
            if m := _UNIT.search(stripped):
                unit = m.group(1)
            elif len(stripped) <= 80 and (not columns or _TITLE.search(stripped)):
                caption, columns = _CONTINUED.sub("", stripped).strip(), ()
            # else: a section of rows inside the table ("流动资产：", "四、汇率变动对…的影响"), not its title
            continue
        if _is_header(cells):
            columns = tuple(cells)
            continue
        label = "" if _CELL.match(cells[0]) else cells[0]
        named = tuple((m.group("name").strip(), m.group("value").strip())
                      for c in cells if (m := _CELL.match(c)))
        if not columns and len(named) < 2:
            # Without column names above, only a row of named values is a row: a wide table's
            # chunk, whose names do not fit in it ("Texas | Permit: 21,550 | … | Totals: 146,982").
            continue
        if not named and len(cells) == len(columns):  # values without names: by position
            named = tuple(zip(columns[1:], cells[1:]))
        if named:
            rows.append(TableRow(caption, columns, label, named, unit, start, start + len(line)))
    return rows


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} | ({text} if len(text) == 1 else set())


# Column words of English tables a Chinese question names in its own words.
_ACROSS = (("total", re.compile(r"总数|总计|合计|总共|一共|总量|总额")), ("average", re.compile(r"平均")),
           ("change", re.compile(r"变化|增减|变动")), ("year", re.compile(r"年份|年度")))


def _column_score(question: str, column: str) -> float:
    """How well a column's name matches the question: shared character pairs, and for
    short names shared characters (用掉 / 已使用情况, 剩 / 剩余额度)."""
    name = fold(column)
    asked = _QUESTION_FILLER.sub(" ", question)
    if any(word in name and pattern.search(asked) for word, pattern in _ACROSS):
        return 1.0  # a Chinese question over an English table: 总数 names "Totals"
    pairs = _bigrams(name)
    if not pairs:
        return 0.0
    shared = sum(1 for p in pairs if p in asked) / len(pairs)
    chars = {ch for ch in name if not ch.isspace() and not ch.isdigit() and ch not in "（）()%/"}
    single = sum(1 for ch in chars if ch in asked) / max(1, len(chars))
    return max(shared, 0.5 * single)


def _holds(term: str, text: str) -> bool:
    return bool(term) and term in text


def longest_shared(a: str, b: str) -> int:
    """The length of the longest run of characters `a` and `b` share."""
    best, prev = 0, [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            if ch == other:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


_PARTS = re.compile(r"[？?；;]|[，,](?=[^，,]*(?:多少|几|什么|哪|如何|怎样|是否))")
_NUMERIC = re.compile(r"[-+]?[\d,，.]+%?")
_SERIAL = re.compile(r"^(?:序号|编号|no\.?|#)$", re.IGNORECASE)
_ORGANIZATION = re.compile(r"(?:公司|集团|银行|机构|大学|学院|研究院|研究所|中心|协会|委员会|局|部|厅|署|所|院|社)(?:[）)]|$)"
                           r"|\b(?:inc|corp|ltd|llc|university|institute|agency|company|bank)\b", re.IGNORECASE)
_DATE_LIKE = re.compile(r"(?:19|20)\d{2}|\d{1,2}\s*月|\d{1,2}[/-]\d{1,2}")


_REASON_COLUMN = re.compile(r"原因|理由|说明|解释|备注|reason|explanation", re.IGNORECASE)


def _blank_shared_pairs(asked: str, caption: str) -> str:
    """`asked` with every character pair it shares with the caption blanked out."""
    chars = list(asked)
    for i in range(len(asked) - 1):
        if asked[i:i + 2].strip() and asked[i:i + 2] in caption:
            chars[i] = chars[i + 1] = " "
    return "".join(chars)


def fits(value: str, wanted: str) -> bool:
    """Whether a cell's value is of the kind asked for ("" fits anything)."""
    if wanted == "number":
        digits = sum(ch.isdigit() for ch in value)
        return digits > 0 and digits >= 0.4 * len(value.replace(" ", ""))
    if wanted == "organization":
        return bool(_ORGANIZATION.search(value))
    if wanted == "date":
        return bool(_DATE_LIKE.search(value))
    if wanted == "code":
        return bool(re.search(r"[A-Za-z]", value) and re.search(r"\d", value))
    return True


_LABEL_NOISE = re.compile(r"^(?:(?:[加减]|其中)[：:]|[一二三四五六七八九十]+、|\d+[、.])|[（(][^）)]{0,8}[）)]\s*$|\s+")


def named_share(cell: str, asked: str) -> float:
    """How much of a cell the (folded) question names: its longest shared run over its length
    ("营业收入（元）" in "…一季度营业收入是多少": 1.0; "营业外收入": 0.4); a number counts only
    when the question writes all of it (2021, not the 20 of 3.20%)."""
    core = _LABEL_NOISE.sub("", fold(cell))
    if len(core) < 2:
        return 0.0
    if _NUMERIC.fullmatch(core):
        return 1.0 if re.search(rf"(?<![\d.]){re.escape(core)}(?![\d.])", asked) else 0.0
    return longest_shared(core, re.sub(r"\s+", "", asked)) / len(core)


def _condition_named(name: str, value: str, asked: str) -> bool:
    """A one-character cell the question writes beside its column's name ("六车道" for 车道数: 六;
    "车道数为四"): too short to be named by itself."""
    value, name = fold(value).strip(), re.sub(r"\s+", "", fold(name))
    if len(value) != 1 or len(name) < 2:
        return False
    return value + name[:2] in asked or re.search(re.escape(name[:2]) + r"\w{0,2}?[为是]?" + re.escape(value), asked) is not None


def _chars_asked(cell: str, asked: str) -> float:
    chars = [c for c in _LABEL_NOISE.sub("", fold(cell)) if c.isalnum()]  # "其中：", "一、" say nothing
    return sum(c in asked for c in chars) / len(chars) if chars else 0.0


def _columns(values: Sequence[tuple[str, str]], asked: str,
             without: str) -> tuple[tuple[tuple[str, str], ...], float]:
    """The cells a question asks for among a row's values, and how well the best is named.

    Every column the question clearly names (most of its character pairs asked) is given;
    a question in parts ("持股比例多少？质押了多少股？") gets its best column for each part;
    otherwise the best loosely named column, or, when none is, the first value (本期, 期末)."""
    def score(name: str, text: str, topic_free: str) -> float:
        rare = DISTINCT_PAIR if _rare_pair(topic_free, name, [n for n, _ in values]) else 0.0
        return max(_column_score(topic_free, name) + rare,
                   _column_score(text, name) if _pair_share(text, name) >= CLEAR_COLUMN else 0)

    scored = [(name, value, score(name, asked, without)) for name, value in values]
    top = max(s for _, _, s in scored)
    chosen = [(n, v) for n, v, s in scored if s >= CLEAR_COLUMN]
    parts = [p for p in _PARTS.split(without) if p.strip()]
    if len(parts) >= 2:
        for part in parts:
            name, value, best = max(((n, v, score(n, part, part)) for n, v in values), key=lambda c: c[2])
            if best >= LOOSE_COLUMN and (name, value) not in chosen:
                chosen.append((name, value))
    if not chosen:
        name, value, best = max(scored, key=lambda c: c[2])
        chosen = [(name, value)] if best >= LOOSE_COLUMN else [values[0]]
    order = {cell: i for i, cell in enumerate(values)}
    return tuple(sorted(chosen, key=order.__getitem__)), top


def _rare_pair(asked: str, name: str, names: Sequence[str]) -> bool:
    """Whether the column's name shares with the question a character pair that at most one
    other column's name has ("质押" of "质押了多少股" in "质押或冻结情况/数量")."""
    for pair in _bigrams(fold(name)):
        if len(pair) == 2 and pair.strip() == pair and pair in asked and sum(pair in fold(n) for n in names) <= 2:
            return True
    return False


def _pair_share(asked: str, name: str) -> float:
    pairs = _bigrams(fold(name))
    return sum(1 for p in pairs if p in asked) / len(pairs) if pairs else 0.0


def find_cells(question: str, terms: Sequence[QueryTerm], keys: Sequence[str],
               rows: Sequence[TableRow], wanted: str = "") -> CellAnswer | None:
    """The row the question names and the cells it asks for; None when no row is named.

    A row is named by a cell the question spells out for the most part (its label "营业收入",
    a bank, a year, a state, TA3G), or by a key word of the question that no other row of its
    table holds. Its table's caption breaks ties ("母公司利润表" asked: that table's row).
    `wanted` is the kind of value asked for (asks.py `ValueKind`: "number", "organization" …):
    the columns whose values are of that kind are preferred."""
    if not rows:
        return None
    asked = fold(question)
    best: CellAnswer | None = None
    for row in rows:
        siblings = [r for r in rows if r.caption == row.caption and r is not row]
        # a key the row's own cells hold (not its columns' names: "2018 年1-3 月" names every row's column)
        row_text = fold(" | ".join([row.label, *(v for _, v in row.cells)]))
        own_keys = [k for k in keys if _holds(k, row_text) and not any(_holds(k, fold(s.text)) for s in siblings)]
        # ties of the longest shared run are broken by the cell's other characters ("期末…余额" for
        # "一季度末的…余额", not "期初…余额")
        shares = [(named_share(cell, asked) + 0.01 * _chars_asked(cell, asked), cell)
                  for cell in [row.label, *(v for _, v in row.cells)] if cell]
        share, naming = max(shares, default=(0.0, ""))
        if share < NAMED_ROW and not own_keys:
            continue
        caption_terms = sum(t.weight for t in terms if _holds(t.text, fold(row.caption)))
        # every further cell the question names counts too: "六车道高速公路" is the 高速公路 row whose 车道数 is 六
        further = sum(1 for s, cell in shares if s >= NAMED_ROW and cell != naming) \
            + sum(1 for name, value in row.cells if _condition_named(name, value, asked))
        row_score = share + 0.5 * len(own_keys) + 0.5 * further \
            + 0.5 * caption_terms / max(1.0, sum(t.weight for t in terms))
        without = _blank_shared_pairs(asked, fold(row.caption))  # the table's own topic names no column
        values = [(name, value) for name, value in row.cells
                  if value != naming and named_share(value, asked) < NAMED_ROW and not _SERIAL.match(name)]
        fitting = [c for c in values if (_REASON_COLUMN.search(c[0]) if wanted == "reason" else fits(c[1], wanted))]
        if wanted == "reason" and not fitting:
            continue  # a reason is read from a column of reasons (变动原因), never from an amount
        values = fitting or values  # "哪家机构": the column of organisations, whatever it is called
        if not values:
            continue
        chosen, top = _columns(values, asked, without)
        score = row_score + top
        if best is None or score > best.score:
            best = CellAnswer(row, chosen, score)
    return best


__all__ = ["CellAnswer", "TableRow", "find_cells", "fits", "longest_shared", "named_share", "table_rows"]
