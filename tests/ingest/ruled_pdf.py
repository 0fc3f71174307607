"""A ruled table drawn on a PyMuPDF page, for the table tests: horizontal and vertical
lines around three columns, each cell's text inside its box."""
from __future__ import annotations


def ruled_table(page, top: float, rows: list[list[str]], *, x0: float = 60, width: float = 150,
                height: float = 24, fontsize: float = 11, baseline: float = 16) -> None:
    """`baseline`: where a cell's text sits below its box's top edge."""
    for i in range(len(rows) + 1):
        page.draw_line((x0, top + i * height), (x0 + 3 * width, top + i * height))
    for j in range(4):
        page.draw_line((x0 + j * width, top), (x0 + j * width, top + len(rows) * height))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            page.insert_text((x0 + j * width + 6, top + i * height + baseline), cell, fontname="china-s",
                             fontsize=fontsize)


UP = "^"  # a cell covered by the cell above it (merged down); None: covered by the cell to its left


def grid_table(page, top: float, rows: list[list[str | None]], widths: list[float], *, x0: float = 60,
               height: float = 22, fontsize: float = 10) -> None:
    """A ruled table with merged cells: each cell's box is drawn around the columns (None to
    its right) and rows (`UP` below it) it spans, its text inside at the left."""
    xs = [x0]
    for width in widths:
        xs.append(xs[-1] + width)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is None or cell == UP:
                continue
            right = j + 1
            while right < len(row) and row[right] is None:
                right += 1
            bottom = i + 1
            while bottom < len(rows) and rows[bottom][j] == UP:
                bottom += 1
            box = (xs[j], top + i * height, xs[right], top + bottom * height)
            page.draw_rect(box, width=0.6)
            page.insert_text((box[0] + 4, (box[1] + box[3]) / 2 + 0.4 * fontsize), cell, fontname="china-s",
                             fontsize=fontsize)
