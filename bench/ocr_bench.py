"""OCR: the engine before (rapidocr-onnxruntime 1.4.4) and now (rapidocr 3.10), side by side.

    python -m bench.ocr_bench [--evaldata ../shared/evaldata] [--tune]

1. Pages of known text (bench/ocr_pages.py: 24 scans, Chinese and English, six fonts,
   two sizes, 150 and 200 dpi, slightly turned, noisy): character error rate and
   seconds per page of each engine and setting.
2. Pages of the shared scanned PDFs (the scanned book, the English scan, and pages 5-9
   of GB/T 3620.1, whose text layer is garbage): how many of the phrases written down
   from the page images (bench/data/ocr_phrases.json) each reading finds, and seconds.
3. The scanned book through the loader, as ingestion reads it: pages in this process
   (2 ONNX Runtime threads) and in the worker processes (one thread each).

Every page is read by every variant one after the other, so each figure has its
baseline in the same run, under the same load; "×" is the median of the per-page ratios
to the engine before. Seconds are wall-clock (medians), CPU seconds this process's.
`--tune` adds the settings that were tried and not kept (docs/TUNING.md, "OCR").
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from unittest.mock import patch

import pymupdf

from bench.ocr_pages import Language, character_error_rate, comparable, scanned_pages
from core.cpu import physical_cores
from ingest.loaders import load_file, ocr_pool
from ingest.loaders.ocr import Reader, recognise, render, text_of
from ingest.loaders.ocr_engine import Engine, EngineSettings, RawLine
from ingest.loaders.pdf import _MUPDF_ERRORS
from ingest.loaders.pdf_quality import plan_ocr
from ingest.loaders.pdf_text import extract_page

EVALDATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata"
PHRASES = Path(__file__).resolve().parent / "data" / "ocr_phrases.json"
BOOK = "zh/zh_scanned_book_small_ocr.pdf"


@dataclass
class Variant:
    name: str
    make: Callable[[], Reader]
    seconds: dict[str, float] = field(default_factory=dict)  # page label -> wall seconds
    cpu: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def read(self, reader: Reader, label: str, page: pymupdf.Page, rotation: int | None = None) -> None:
        """Read the page as the loader does (`rotation`: what turns it upright, when its text layer says)."""
        started, cpu = time.perf_counter(), time.process_time()
        lines = recognise(render(page, rotation=rotation or 0), upright=rotation is not None, read=reader)
        self.texts[label] = text_of(lines)
        self.seconds[label] = time.perf_counter() - started
        self.cpu[label] = time.process_time() - cpu


def before_reader(threads: int) -> Reader:
    """The engine Yizhi used before, as it was configured (PP-OCRv4, full-size detection)."""
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    logging.getLogger("RapidOCR").handlers.clear()

    def read(image, use_cls: bool) -> list[RawLine]:
        result, _ = ocr(image, use_cls=use_cls)
        return [RawLine(tuple((float(x), float(y)) for x, y in box), str(text).strip(), float(score))
                for box, text, score in result or ()]

    return read


def variants(tune: bool) -> list[Variant]:
    cores = physical_cores()
    kept = EngineSettings(threads=cores)

    def engine(**changes) -> Callable[[], Reader]:
        return lambda: Engine(replace(kept, **changes)).read

    chosen = [Variant("before: rapidocr-onnxruntime 1.4.4", lambda: before_reader(cores)),
              Variant("rapidocr 3.10, its defaults", engine(det_max_side=0, rec_min_width=320)),
              Variant(f"rapidocr 3.10, kept (det {kept.det_max_side}, rec width {kept.rec_min_width})", engine())]
    if tune:
        chosen += [Variant("kept, detection at 960", engine(det_max_side=960)),
                   Variant("kept, rec width 320", engine(rec_min_width=320)),
                   Variant("kept, rec batch 24", engine(rec_batch=24))]
    return chosen


def _ratio(variant: Variant, baseline: Variant, labels: list[str]) -> float:
    return statistics.median(variant.seconds[lb] / baseline.seconds[lb] for lb in labels)


def known_text(evaldata: Path, chosen: list[Variant], readers: list[Reader]) -> None:
    pages = scanned_pages(evaldata)
    print(f"\n1. Pages of known text: {len(pages)} scans (CER: edits per character; s: seconds a page)")
    for page in pages:
        with pymupdf.open("pdf", page.pdf) as doc:
            for variant, reader in zip(chosen, readers):
                variant.read(reader, page.label, doc[0])
    labels = [p.label for p in pages]
    print(f"{'engine / setting':52s} {'CER zh':>7s} {'CER en':>7s} {'CER':>6s} {'s':>6s} {'CPU s':>6s} {'×':>5s}")
    for variant in chosen:
        cer = {lang: statistics.mean(character_error_rate(p.text, variant.texts[p.label])
                                     for p in pages if p.language is lang) for lang in Language}
        print(f"{variant.name:52s} {cer[Language.ZH]:7.3f} {cer[Language.EN]:7.3f} "
              f"{statistics.mean(cer.values()):6.3f} {statistics.median(variant.seconds.values()):6.2f} "
              f"{statistics.median(variant.cpu.values()):6.2f} {_ratio(variant, chosen[0], labels):5.2f}")
    worst = max(pages, key=lambda p: character_error_rate(p.text, chosen[-1].texts[p.label]))
    print(f"  hardest page for the last setting: {worst.label} "
          f"(CER {character_error_rate(worst.text, chosen[-1].texts[worst.label]):.3f})")


def real_pages(evaldata: Path, chosen: list[Variant], readers: list[Reader]) -> None:
    phrases: dict[str, dict[str, list[str]]] = json.loads(PHRASES.read_text(encoding="utf-8"))
    total = sum(len(p) for pages in phrases.values() for p in pages.values())
    print(f"\n2. Pages of the shared scanned PDFs: {sum(len(p) for p in phrases.values())} pages, "
          f"{total} phrases written down from the page images")
    for variant in chosen:
        variant.seconds.clear(), variant.cpu.clear(), variant.texts.clear()
    for name, pages in phrases.items():
        with pymupdf.open(evaldata / "pdfs" / name) as doc:
            for number in pages:
                page = doc[int(number) - 1]
                layer = extract_page(page, _MUPDF_ERRORS)
                plan = plan_ocr(page, layer.raw, layer.line_boxes, layer.rotation)
                for variant, reader in zip(chosen, readers):
                    variant.read(reader, f"{name}:{number}", page, plan.rotation)
    labels = list(chosen[0].seconds)
    print(f"{'engine / setting':52s} {'hits':>9s} {'s':>6s} {'CPU s':>6s} {'×':>5s}")
    for variant in chosen:
        found = sum(comparable(phrase) in comparable(variant.texts[f"{name}:{number}"])
                    for name, pages in phrases.items() for number, listed in pages.items() for phrase in listed)
        print(f"{variant.name:52s} {found:4d}/{total:<4d} {statistics.median(variant.seconds.values()):6.2f} "
              f"{statistics.median(variant.cpu.values()):6.2f} {_ratio(variant, chosen[0], labels):5.2f}")
    book = [lb for lb in labels if lb.startswith(BOOK)]
    print("  the scanned book alone, s/page: " + ", ".join(
        f"{v.name.split(':')[0].split(',')[0]} {statistics.median(v.seconds[lb] for lb in book):.2f}" for v in chosen))


def through_the_loader(evaldata: Path) -> None:
    path = evaldata / "pdfs" / BOOK
    print(f"\n3. {path.name} through the loader (rendering, OCR, layout; the engine kept), wall s/page")
    runs = {}
    workers = ocr_pool.worker_count()
    for label, count in (("in this process", 1), (f"{workers} worker processes", workers)) * 2:
        with patch.object(ocr_pool, "worker_count", lambda count=count: count):
            started = time.perf_counter()
            documents = load_file(path, source=str(path), content_hash="bench")
        runs.setdefault(label, []).append((time.perf_counter() - started) / max(1, len({d.page for d in documents})))
    for label, seconds in runs.items():
        print(f"  {label:24s} {min(seconds):5.2f} s/page (the better of two runs; {', '.join(f'{s:.2f}' for s in seconds)})")
    first, second = runs.values()
    print(f"  × {min(second) / min(first):.2f} with workers")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--tune", action="store_true", help="also the settings tried and not kept")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    chosen = variants(args.tune)
    readers = [variant.make() for variant in chosen]
    load = os.getloadavg()[0]
    print(f"OCR benchmark: {physical_cores()} physical cores, load average {load:.1f} at the start")
    known_text(args.evaldata, chosen, readers)
    real_pages(args.evaldata, chosen, readers)
    through_the_loader(args.evaldata)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (figures above 2 mean other work shared the cores)")


if __name__ == "__main__":
    main()
