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
