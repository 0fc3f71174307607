"""Reading the shared real-world PDFs: outcome per file, pages/s with and without OCR.

    python -m bench.pdf_ingest_bench [--pdfs ../shared/evaldata/pdfs] [--password test] [--no-ocr]

Each PDF is read twice with the loader (no embedding): OCR off, then OCR on. A file that
needs a password is first tried without one (its reason is shown) and then read with
`--password` (the evaluation README gives it). Prints a table (pages in the file,
pages indexed, pages read by OCR, seconds, outcome or reason) and the totals:
pages/s without OCR, with OCR, and OCR'd pages/s on their own.
"""
from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from core.errors import LoaderError
from ingest.loaders import load_file

DEFAULT_PDFS = Path(__file__).resolve().parents[2] / "shared" / "evaldata" / "pdfs"


@dataclass
class Run:
    pages: int = 0  # pages with indexed text
    ocr_pages: int = 0
    chars: int = 0
    seconds: float = 0.0
    reason: str = ""
    notes: list[str] = field(default_factory=list)


def page_count(path: Path, password: str | None) -> int | None:
    try:
        with pymupdf.open(path) as doc:
            if doc.needs_pass and not doc.authenticate(password or ""):
                return None
            return doc.page_count
    except (RuntimeError, ValueError):
        return None


def read(path: Path, ocr: bool, password: str | None) -> Run:
    run = Run()
    started = time.perf_counter()
    try:
        docs = load_file(path, source=str(path), content_hash="bench", password=password, ocr=ocr, notes=run.notes)
    except LoaderError as exc:
        run.reason = str(exc)
    else:
        run.pages = len({d.page for d in docs})
        run.ocr_pages = len({d.page for d in docs if d.ocr})
        run.chars = sum(len(d.text) for d in docs)
    run.seconds = time.perf_counter() - started
    return run


def describe(run: Run) -> str:
    return run.reason or "; ".join(run.notes) or "ok"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=DEFAULT_PDFS)
    parser.add_argument("--password", default="test", help="password for encrypted PDFs (shared data: test)")
    parser.add_argument("--no-ocr", action="store_true", help="only the run without OCR")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    files = sorted(args.pdfs.rglob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs under {args.pdfs}: the shared evaluation data sits beside the project")
    pymupdf.open().close()  # import and warm-up outside the timings

    print(f"{'file':45s} {'pp':>3s} | {'off: pages':>10s} {'s':>6s} | {'OCR: pages':>10s} {'ocr':>4s} {'s':>6s} | outcome")
    totals = {"off": Run(), "on": Run()}
    for path in files:
        pages = page_count(path, args.password)
        runs = {"off": read(path, False, None), "on": None if args.no_ocr else read(path, True, None)}
        if args.password and runs["off"].reason and "encrypted" in runs["off"].reason:
            before = runs["off"].reason
            runs = {"off": read(path, False, args.password),
                    "on": None if args.no_ocr else read(path, True, args.password)}
            for run in runs.values():
                if run is not None:
                    run.notes.insert(0, f"without a password: {before}; read with --password")
        for key, run in runs.items():
            if run is not None:
                total = totals[key]
                total.pages += run.pages
                total.ocr_pages += run.ocr_pages
                total.seconds += run.seconds
        on = runs["on"]
        outcome = describe(runs["off"])
        if on is not None and describe(on) != outcome:
            outcome = f"{describe(on)} (without OCR: {outcome})"
        on_cols = f"{on.pages:10d} {on.ocr_pages:4d} {on.seconds:6.1f}" if on else f"{'-':>10s} {'-':>4s} {'-':>6s}"
        print(f"{path.name[:45]:45s} {pages if pages is not None else '-':>3} | "
              f"{runs['off'].pages:10d} {runs['off'].seconds:6.1f} | {on_cols} | {outcome}")

    off, on = totals["off"], totals["on"]
    print(f"\nwithout OCR: {off.pages} pages indexed in {off.seconds:.1f} s = {off.pages / off.seconds:.2f} pages/s")
    if not args.no_ocr and on.seconds:
        ocr_seconds = max(on.seconds - off.seconds, 1e-9)
        print(f"with OCR:    {on.pages} pages indexed in {on.seconds:.1f} s = {on.pages / on.seconds:.2f} pages/s; "
              f"{on.ocr_pages} pages read by OCR (about {ocr_seconds / max(on.ocr_pages, 1):.1f} s each)")


if __name__ == "__main__":
    main()
