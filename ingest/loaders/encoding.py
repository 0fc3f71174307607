"""Decoding text files whose encoding nobody wrote down, without producing mojibake.

Order: byte-order marks, strict UTF-8, then the Chinese legacy encodings (GB18030, which
covers GBK and GB2312, and Big5), scored by how many of their characters are common
Chinese characters, then charset-normalizer for everything else. GB18030 decodes almost
any bytes, so a decoding is only accepted when it reads like real text.
"""
from __future__ import annotations

import codecs
import logging
from functools import lru_cache

from core.errors import LoaderError

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Big5 as Windows writes it (cp950) first, then the Hong Kong superset.
_CJK_CANDIDATES = ("gb18030", "cp950", "big5hkscs")
_ACCEPT = 0.85  # mean weight of the non-ASCII characters a CJK decoding needs
_SAMPLE = 1 << 16


def _decode_range(encoding: str, leads: range, trails: range) -> set[str]:
    chars: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return chars


@lru_cache(maxsize=1)
def _char_weights() -> dict[str, float]:
    """Common characters weigh 1, less common ones 0.5; anything else (rare ideographs,
    private use, symbols a wrong decoding lands on) weighs 0.

    Common: GB2312 level 1 (3,755 hanzi covering about 99.7% of simplified text),
    Big5's frequently used hanzi (5,401), and the punctuation rows of both.
    """
    weights: dict[str, float] = {}
    trail_gb = range(0xA1, 0xFF)
    trail_big5 = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    for char in _decode_range("gb2312", range(0xD8, 0xF8), trail_gb):  # GB2312 level 2
        weights[char] = 0.5
    for char in _decode_range("cp950", range(0xC9, 0xFA), trail_big5):  # Big5 level 2
        weights[char] = 0.5
    common = _decode_range("gb2312", range(0xB0, 0xD8), trail_gb)  # GB2312 level 1
    common |= _decode_range("gb2312", range(0xA1, 0xA2), trail_gb)  # punctuation
    common |= _decode_range("gb2312", range(0xA3, 0xA4), trail_gb)  # fullwidth ASCII
    common |= _decode_range("cp950", range(0xA4, 0xC6), trail_big5)  # Big5 frequent hanzi
    common |= _decode_range("cp950", range(0xC6, 0xC7), range(0x40, 0x7F))
    common |= _decode_range("cp950", range(0xA1, 0xA3), trail_big5)  # punctuation
    for char in common:
        weights[char] = 1.0
    for char in "\u2014\u2026\u2018\u2019\u201c\u201d\u00b7\u3000\u00d7\u00b0":
        weights[char] = 1.0
    return weights


def cjk_score(text: str) -> float:
    """Mean weight of the non-ASCII characters of `text` (1.0 when there are none)."""
    weights = _char_weights()
    total = 0
    score = 0.0
    for char in text:
        if char < "\x80":
            continue
        total += 1
        score += weights.get(char, 0.0)
    return score / total if total else 1.0


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\x0c\x0b\x1b")
    return controls / len(sample) > 0.1


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: mostly Latin text has a NUL in every other byte."""
    sample = data[: _SAMPLE & ~1]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        encoding = "utf-16-le"
    elif even > 0.3 and odd < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _looks_binary(text.encode("utf-8", "replace")) else text


def _decode(data: bytes, encoding: str) -> str | None:
    """Strict decoding, forgiving only a character cut off at the end of a truncated file."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        truncated = exc.reason in ("unexpected end of data", "incomplete multibyte sequence")
        if not truncated or exc.end != len(data) or exc.start == 0:
            return None
        try:
            text = data[: exc.start].decode(encoding)
        except UnicodeDecodeError:
            return None
        log.info("a character cut off at the end was dropped (%s)", encoding)
        return text


def decode_bytes(data: bytes, name: str = "file") -> str:
    """Decode the bytes of a text file; raise LoaderError for binary or unknown data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoaderError(f"cannot be read: it starts like {encoding} but is not valid {encoding} ({exc.reason})") from exc
    if _looks_binary(data):
        text = _bomless_utf16(data)
        if text is not None:
            return text
        raise LoaderError(f"not a text file: {name} contains binary data")
    text = _decode(data, "utf-8")
    if text is not None:
        return text
    best: tuple[float, str, str] | None = None
    for encoding in _CJK_CANDIDATES:
        text = _decode(data, encoding)
        if text is None:
            continue
        score = cjk_score(text)
        log.debug("%s decodes as %s with score %.3f", name, encoding, score)
        if best is None or score > best[0]:
            best = (score, encoding, text)
    if best is not None and best[0] >= _ACCEPT:
        log.info("%s: decoded as %s (score %.2f)", name, best[1], best[0])
        return best[2]
    text = _charset_normalizer(data, name)
    if text is not None:
        return text
    mended = data.decode("utf-8", errors="replace")
    if mended.count("\ufffd") <= max(1, len(mended) // 1000):
        log.warning("%s: invalid UTF-8 bytes replaced", name)
        return mended
    raise LoaderError(f"cannot be read: unknown text encoding in {name}; save it as UTF-8")


def _charset_normalizer(data: bytes, name: str) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the CJK path above covers Chinese files
        log.debug("charset-normalizer is not installed")
        return None
    matches = from_bytes(data)
    match = matches.best()
    if match is None or match.encoding is None:
        return None
    # Single-byte code pages are easily confused (cp1257 for cp1252): among those about
    # as coherent as the best, prefer the common Western one.
    for other in matches:
        if other.encoding == "cp1252" and other.chaos <= match.chaos + 0.15:
            match = other
            break
    text = str(match)
    # A CJK encoding it proposes must pass the same test as ours; others are taken
    # when charset-normalizer itself finds the text coherent.
    if codecs.lookup(match.encoding).name in {"gb18030", "gbk", "gb2312", "big5", "cp950", "big5hkscs"}:
        if cjk_score(text) < _ACCEPT:
            return None
    elif match.chaos > 0.2:
        return None
    log.info("%s: decoded as %s by charset-normalizer", name, match.encoding)
    return text
