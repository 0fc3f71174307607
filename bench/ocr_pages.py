"""Pages of known text for the OCR benchmark, "scanned", and the error rate of a reading.

Each page holds a passage of the shared corpora (Chinese Wikipedia from CMRC 2018,
English from SQuAD) set in one font at one size, rendered at 150 or 200 dpi, turned by
a slight angle (under 1.5 degrees), with grey noise and specks; the image is put on a
page of its own, with no text layer, as a scanner would. Fonts: Chinese in Droid Sans
Fallback (PyMuPDF's own), Noto Sans SC and Noto Serif SC (the package
pylopdf-fonts-zh-cn), English in Times, Helvetica and Courier (PDF's base fonts), set with
Pillow (FreeType).
Everything is deterministic: the same pages every run.
"""
from __future__ import annotations

import enum
import io
import itertools
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFont

_PAGE = pymupdf.paper_rect("a5")
_MARGIN = 40.0
_LINE_SPACING = 1.5


class Language(enum.Enum):
    ZH = "zh"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Typeface:
    name: str
    language: Language
    builtin: str = ""  # a PyMuPDF font name, or
    file: Path | None = None  # a font file

    def font(self, pixels: int) -> ImageFont.FreeTypeFont:
        """The face at a size in pixels (FreeType through Pillow: PyMuPDF writes the glyphs of
        CID-keyed OpenType fonts like Noto SC under the wrong codes)."""
        data = self.file.read_bytes() if self.file else pymupdf.Font(self.builtin).buffer
        return ImageFont.truetype(io.BytesIO(data), pixels)


@dataclass(frozen=True, slots=True)
class ScannedPage:
    """A scanned page of known text."""

    label: str  # "zh Noto Serif SC 10.5pt 150dpi -0.8°"
    language: Language
    text: str  # what the page says, line breaks left out
    pdf: bytes  # a one-page PDF: the scan as an image, no text layer


def typefaces() -> list[Typeface]:
    import pylopdf_fonts_zh_cn as noto

    return [Typeface("Droid Sans Fallback", Language.ZH, builtin="china-s"),
            Typeface("Noto Sans SC", Language.ZH, file=noto.sans_path()),
            Typeface("Noto Serif SC", Language.ZH, file=noto.serif_path()),
            Typeface("Times", Language.EN, builtin="tiro"),
            Typeface("Helvetica", Language.EN, builtin="helv"),
            Typeface("Courier", Language.EN, builtin="cour")]


def passages(evaldata: Path, language: Language, count: int, length: int) -> list[str]:
    """`count` passages of about `length` characters, from the start of the shared corpus."""
    corpus = evaldata / ("cmrc2018" if language is Language.ZH else "squad") / "corpus.jsonl"
    if not corpus.is_file():
        raise SystemExit(f"{corpus} is absent: the shared evaluation data sits beside the project (../shared)")
    texts = []
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            text = " ".join(json.loads(line)["text"].split())
            if len(text) >= length:
                cut = text[:length]
                texts.append(cut[: cut.rfind(" ")] if language is Language.EN else cut)
            if len(texts) == count:
                break
    return texts


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float, language: Language) -> list[str]:
    """Lines that fit `width` pixels: Chinese broken anywhere, English at spaces."""
    units = list(text) if language is Language.ZH else text.split(" ")
    joiner = "" if language is Language.ZH else " "
    lines, current = [], ""
    for unit in units:
        candidate = current + joiner + unit if current else unit
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = unit
        else:
            current = candidate
    return lines + [current] if current else lines


def _scan(lines: list[str], font: ImageFont.FreeTypeFont, line_pixels: float, margin: int, size: tuple[int, int],
          angle: float, seed: int) -> pymupdf.Pixmap:
    """The lines printed on white, turned by `angle` degrees, with noise: a grey scan."""
    sheet = Image.new("L", size, 255)
    draw = ImageDraw.Draw(sheet)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * line_pixels), line, font=font, fill=0)
    gray = np.asarray(sheet, dtype=np.float32)
    turn = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), angle, 1.0)
    gray = cv2.warpAffine(gray, turn, size, flags=cv2.INTER_LINEAR, borderValue=255.0)
    rng = np.random.default_rng(seed)
    gray += rng.normal(0.0, 14.0, gray.shape)  # sensor noise
    gray[rng.random(gray.shape) < 0.0008] = 0.0  # dust
    scan = np.clip(gray, 0, 255).astype(np.uint8)
    return pymupdf.Pixmap(pymupdf.csGRAY, size[0], size[1], scan.tobytes(), False)


def scanned_pages(evaldata: Path) -> list[ScannedPage]:
    """Every typeface at two sizes and two resolutions: 24 pages, each its own passage."""
    sizes = {Language.ZH: (10.5, 14.0), Language.EN: (9.0, 12.0)}
    lengths = {Language.ZH: 260, Language.EN: 700}
    faces = typefaces()
    texts = {lang: iter(passages(evaldata, lang, 4 * sum(f.language is lang for f in faces), lengths[lang]))
             for lang in Language}
    angles = itertools.cycle((-1.2, 0.6, -0.4, 1.0))
    pages = []
    for seed, (face, size_index, dpi) in enumerate(itertools.product(faces, (0, 1), (150, 200))):
        size = sizes[face.language][size_index]
        scale = dpi / 72  # pixels per point
        font = face.font(round(size * scale))
        lines = _wrap(next(texts[face.language]), font, (_PAGE.width - 2 * _MARGIN) * scale, face.language)
        lines = lines[: int((_PAGE.height - 2 * _MARGIN) / (size * _LINE_SPACING))]
        angle = next(angles)
        pix = _scan(lines, font, size * _LINE_SPACING * scale, round(_MARGIN * scale),
                    (round(_PAGE.width * scale), round(_PAGE.height * scale)), angle, seed)
        doc = pymupdf.open()
        doc.new_page(width=_PAGE.width, height=_PAGE.height).insert_image(_PAGE, pixmap=pix)
        joiner = "" if face.language is Language.ZH else " "
        pages.append(ScannedPage(f"{face.language.value} {face.name} {size:g}pt {dpi}dpi {angle:+.1f}°",
                              face.language, joiner.join(lines), doc.tobytes()))
    return pages


def comparable(text: str) -> str:
    """Text as compared: NFKC (full-width ASCII as half-width), no whitespace at all (line
    breaks and the spaces OCR puts between Chinese and Latin are not errors here)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


def character_error_rate(reference: str, read: str) -> float:
    """Edits (insertions, deletions, substitutions) per character of the reference."""
    reference, read = comparable(reference), comparable(read)
    return edit_distance(reference, read) / max(1, len(reference))
