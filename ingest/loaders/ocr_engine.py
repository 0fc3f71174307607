"""The OCR engine: rapidocr 3.x (PP-OCRv6 small, ONNX Runtime), with the models in its wheel.

One engine per process, loaded on the first image that needs it and shared by threads
under a lock. Its models are named by path (the three files inside the `rapidocr`
wheel), so rapidocr never reaches for its download code; a missing file is
`OcrUnavailable`, never a download.

ONNX Runtime's own telemetry (a device id under ~/.cache/Microsoft, a DNS lookup of
Microsoft's event collector) is off in every process of Yizhi: see `core.telemetry`.

The settings were chosen with `python -m bench.ocr_bench` (docs/TUNING.md, "OCR").
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.cpu import physical_cores
from core.errors import LoaderError

log = logging.getLogger(__name__)

PACKAGE = "rapidocr"  # the package (and module) the engine comes from
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


class OcrUnavailable(LoaderError):
    """The OCR engine cannot be loaded."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """How the engine reads an image (figures in docs/TUNING.md)."""

    threads: int = 0  # ONNX Runtime threads for one image; 0 = the physical cores
    det_max_side: int = 1280  # detection sees the image shrunk to this longer side (0: as rendered)
    rec_min_width: int = 160  # recognition pads a batch of lines to at least this width (pixels at height 48)
    rec_batch: int = 6  # lines recognised in one pass


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line as the engine read it: its box (four corners, pixels), text and confidence."""

    box: tuple[tuple[float, float], ...]
    text: str
    score: float


def model_folder() -> Path:
    """Where the rapidocr wheel keeps its models."""
    try:
        import rapidocr
    except ImportError as exc:
        raise OcrUnavailable(f"OCR is not installed (package {PACKAGE} of the requirements)", setting="ocr") from exc
    return Path(rapidocr.__file__).resolve().parent / "models"


def _parameters(settings: EngineSettings, threads: int) -> dict:
    folder = model_folder()
    paths = {part: folder / name for part, name in (("Det", DET_MODEL), ("Rec", REC_MODEL), ("Cls", CLS_MODEL))}
    missing = [path.name for path in paths.values() if not path.is_file()]
    if missing:
        raise OcrUnavailable(f"the OCR models {', '.join(missing)} are missing from the package {PACKAGE}: "
                             "it is damaged", setting="ocr")
    params: dict = {f"{part}.model_path": str(path) for part, path in paths.items()}
    params.update({
        "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        "Rec.rec_img_shape": [3, 48, settings.rec_min_width],
        "Rec.rec_batch_num": settings.rec_batch,
    })
    if settings.det_max_side:
        params.update({"Det.limit_type": "max", "Det.limit_side_len": settings.det_max_side})
    return params


class Engine:
    """rapidocr's reader, with its log sent through ours."""

    def __init__(self, settings: EngineSettings = EngineSettings()) -> None:
        threads = settings.threads or physical_cores()
        params = _parameters(settings, threads)
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise OcrUnavailable(f"OCR is not installed (package {PACKAGE} of the requirements)",
                                 setting="ocr") from exc
        try:
            self._ocr = RapidOCR(params=params)
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("cannot load the OCR models: %r", exc)
            raise OcrUnavailable(f"the OCR models cannot be loaded ({type(exc).__name__}): the package "
                                 f"{PACKAGE} is damaged", setting="ocr") from exc
        # rapidocr gives its logger a stream handler of its own; ours decide instead.
        rapid_log = logging.getLogger("RapidOCR")
        rapid_log.handlers.clear()
        rapid_log.propagate = True
        log.info("OCR engine loaded (%s, %d threads)", PACKAGE, threads)

    def read(self, image: np.ndarray, use_cls: bool) -> list[RawLine]:
        """The lines found in a BGR image (empty text and boxes left out)."""
        output = self._ocr(image, use_cls=use_cls)
        if output.txts is None or output.boxes is None:
            return []
        return [RawLine(tuple((float(x), float(y)) for x, y in box), str(text).strip(), float(score))
                for box, text, score in zip(output.boxes, output.txts, output.scores)]


_engine: Engine | None = None
_engine_settings = EngineSettings()
_engine_lock = threading.Lock()


def use_threads(threads: int) -> None:
    """Set the threads of this process's engine before it loads (a worker process uses fewer)."""
    global _engine_settings
    with _engine_lock:
        if _engine is not None:
            raise RuntimeError("the OCR engine is already loaded")
        _engine_settings = EngineSettings(threads=threads)


def read_image(image: np.ndarray, use_cls: bool) -> list[RawLine]:
    """The lines in a BGR image, read by this process's engine (loaded on first use)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine(_engine_settings)
        return _engine.read(image, use_cls)
