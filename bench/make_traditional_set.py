"""A Traditional-Chinese twin of a Simplified QA set, converted with OpenCC.

    python -m bench.make_traditional_set [--source ../shared/evaldata/cmrc2018] \
        [--out data/eval/cmrc2018_tw] [--config s2twp]

Every corpus*.jsonl and qa*.jsonl of `--source` is written to `--out` with its text,
title, questions and answers converted (`s2twp`: Taiwan characters and Taiwan words,
软件 → 軟體); ids and gold documents are kept, so the same figures can be compared.
The default output folder is `<data dir>/eval/cmrc2018_tw`, which git ignores: the
evaluation data is third-party and must not enter the project's tracked files.

Evaluate it as the original (docs/TUNING.md, "Traditional Chinese"):

    python -m app eval --corpus data/eval/cmrc2018_tw/corpus.jsonl \
        --qa data/eval/cmrc2018_tw/qa_sample300.jsonl --qa data/eval/cmrc2018_tw/qa_unanswerable100.jsonl
    # across scripts: Traditional questions, Simplified documents (and the other way round)
    python -m app eval --corpus ../shared/evaldata/cmrc2018/corpus.jsonl \
        --qa data/eval/cmrc2018_tw/qa_sample300.jsonl --qa data/eval/cmrc2018_tw/qa_unanswerable100.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.settings import load_settings

DEFAULT_SOURCE = Path("../shared/evaldata/cmrc2018")
TEXT_FIELDS = ("text", "title", "question")


def convert_value(value, convert):
    """Strings converted, lists (answer alternatives) element by element, anything else kept."""
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, list):
        return [convert_value(v, convert) for v in value]
    return value


def convert_row(row: dict, convert) -> dict:
    """One corpus or QA line with its text, title, question and answers converted."""
    out = dict(row)
    for key in TEXT_FIELDS + ("answers",):
        if key in out:
            out[key] = convert_value(out[key], convert)
    return out


def convert_file(source: Path, target: Path, convert) -> int:
    count = 0
    with open(source, encoding="utf-8") as fin, open(target, "w", encoding="utf-8") as fout:
        for line in fin:
            if line.strip():
                fout.write(json.dumps(convert_row(json.loads(line), convert), ensure_ascii=False) + "\n")
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder of corpus*.jsonl and qa*.jsonl")
    parser.add_argument("--out", type=Path, help="output folder (default: <data dir>/eval/<source name>_tw)")
    parser.add_argument("--config", default="s2twp", help="OpenCC conversion (default s2twp; s2t, s2hk …)")
    args = parser.parse_args(argv)
    from opencc import OpenCC

    files = sorted(args.source.glob("corpus*.jsonl")) + sorted(args.source.glob("qa*.jsonl"))
    if not files:
        print(f"no corpus*.jsonl or qa*.jsonl in {args.source}", file=sys.stderr)
        return 2
    out = args.out or load_settings().data_dir / "eval" / f"{args.source.resolve().name}_tw"
    out.mkdir(parents=True, exist_ok=True)
    convert = OpenCC(args.config).convert
    for path in files:
        count = convert_file(path, out / path.name, convert)
        print(f"{out / path.name}: {count} lines ({args.config})")
    (out / "SOURCE.txt").write_text(
        f"Converted with OpenCC {args.config} by `python -m bench.make_traditional_set` from {args.source}.\n"
        "Third-party evaluation data under its own license (see that folder's README): not part of the project.\n",
        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
