"""Spreadsheet values written as a person reads them in Excel, not as Python prints them.

openpyxl gives numbers as floats (0.1 + 0.2 as 0.30000000000000004), dates as datetimes
("2023-01-01 00:00:00") and the cell's number format beside them. Here a value becomes the
text Excel would show, for the formats that change what a value says: percentages ("15.3%"),
fixed decimals and thousands separators ("1,234.50"), scientific notation, Chinese dates
("2023年1月5日"). Colours, currency symbols, padding and other decoration are left out; any
other number is written with up to 15 significant digits, as Excel's General format does.
"""
from __future__ import annotations

import datetime as dt
import re

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # literals, escapes, [Red]/[$¥-804], padding
_DECIMALS = re.compile(r"\.([0#?]+)")
_SIGNIFICANT = 15  # digits Excel shows of a number in the General format


def _section(number_format: str) -> str:
    """The first section of a format (the one for positive numbers), without its literal text."""
    return _QUOTED.sub("", (number_format or "General").split(";")[0])


def _general(value: float) -> str:
    if value.is_integer() and abs(value) < 10 ** _SIGNIFICANT:
        return str(int(value))
    return f"{value:.{_SIGNIFICANT}G}"


def _decimal_places(section: str) -> tuple[int, int]:
    """(digits always shown, digits shown when not zero) after the point."""
    match = _DECIMALS.search(section)
    if not match:
        return 0, 0
    digits = match.group(1)
    return digits.count("0"), len(digits)


def _fixed(value: float, section: str, scale: float = 1.0) -> str:
    shown, most = _decimal_places(section)
    grouping = "," if "," in section.split(".")[0] else ""
    text = f"{value * scale:{grouping}.{most}f}"
    if most > shown:  # "0.0#": the optional digits are dropped when they are zeros
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0").ljust(shown, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return text


def number_text(value: float, number_format: str = "General") -> str:
    """A number as its format shows it: "15.3%", "1,234.50", "1.23E+05", else General."""
    section = _section(number_format)
    if "%" in section:
        return _fixed(value, section, 100.0) + "%"
    if "E+" in section.upper():
        shown, _ = _decimal_places(section)
        return f"{value:.{shown}E}"
    if "0" in section or "#" in section:
        return _fixed(value, section)
    return _general(float(value))


def _clock(value: dt.time | dt.datetime) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def date_text(value: dt.datetime | dt.date, number_format: str = "") -> str:
    """A date as "2023-01-05" (with its time when it has one), or in the Chinese style
    ("2023年1月5日", "1月5日", "2023年1月") when its format is written so."""
    section = _section(number_format).lower() if number_format else ""
    marks = set(re.sub(r"[^年月日]", "", number_format or ""))
    has_time = isinstance(value, dt.datetime) and (value.hour or value.minute or value.second)
    text = ((f"{value.year}年" if "年" in marks and ("y" in section or "e" in section) else "")
            + (f"{value.month}月" if "月" in marks else "") + (f"{value.day}日" if "日" in marks else ""))
    if not text:
        text = value.strftime("%Y-%m-%d")
    return f"{text} {_clock(value)}" if has_time else text


def duration_text(value: dt.timedelta) -> str:
    """A duration ([h]:mm:ss formats) as "26:30" or "26:30:15"."""
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def cell_text(value: object, number_format: str = "General") -> str:
    """What a spreadsheet cell shows: "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before numbers: a bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return date_text(value, number_format)
    if isinstance(value, dt.time):
        return _clock(value)
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    if isinstance(value, int | float):
        return number_text(value, number_format)
    return str(value)
