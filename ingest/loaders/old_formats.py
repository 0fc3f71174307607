"""Old binary Office formats, refused with the newer format to save them in.

Word's .doc, Excel's .xls and PowerPoint's .ppt (and WPS Office's own .wps, .et, .dps) are
OLE compound files that no maintained pure-Python library reads well; both Office and WPS
save any of them in the newer zip formats in one step ("另存为"), which Yizhi reads.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import OldExcelFile, OldFormatFile, OldPowerPointFile, OldWordFile


@dataclass(frozen=True, slots=True)
class OldFormat:
    suffix: str
    program: str  # what made the file, as its user knows it
    newer: str  # the suffix to save it as
    error: type[OldFormatFile]

    def refusal(self, name: str = "") -> OldFormatFile:
        """The error, its message opening with the file's `name` when given."""
        reason = f"this is an old {self.program} {self.suffix} file; save it as {self.newer}"
        return self.error(f"{name}: {reason}" if name else reason)


OLD_FORMATS: dict[str, OldFormat] = {f.suffix: f for f in (
    OldFormat(".doc", "Word", ".docx", OldWordFile),
    OldFormat(".wps", "WPS Writer", ".docx", OldWordFile),
    OldFormat(".xls", "Excel", ".xlsx", OldExcelFile),
    OldFormat(".et", "WPS Spreadsheets", ".xlsx", OldExcelFile),
    OldFormat(".ppt", "PowerPoint", ".pptx", OldPowerPointFile),
    OldFormat(".dps", "WPS Presentation", ".pptx", OldPowerPointFile),
)}

# The old format a file of a newer suffix is, when it turns out to be an OLE file (renamed).
OLD_OF_NEWER: dict[str, OldFormat] = {".docx": OLD_FORMATS[".doc"], ".xlsx": OLD_FORMATS[".xls"],
                                      ".pptx": OLD_FORMATS[".ppt"]}


def old_format_refusal(suffix: str, name: str = "") -> OldFormatFile | None:
    """The error for a file of an old Office format (by its suffix), None for any other suffix."""
    found = OLD_FORMATS.get(suffix.lower())
    return None if found is None else found.refusal(name)
