"""Time to the first words and to the whole answer through the streaming OpenAI API, per model.

    python -m bench.stream_bench [--models gemma3-270m,smollm2-135m] [--rounds 3] [--json]

For each model, starts `python -m app serve` on 127.0.0.1 over a temporary data dir with that
model (YIZHI_LLM_MODEL), indexes data/docs (the sample guide) and asks the questions of
bench/api_load_bench.py with a real HTTP client (httpx, server-sent events), each twice per
round in alternating order:

    now     `stream: true`: the first visible character (`first_text_ms`: the first chunk with
            content) and the complete answer (`total_ms`: `data: [DONE]`)
    before  `stream: false`, the old behaviour emulated: nothing is shown until the whole
            answer is there, so its first text is its total

Prints the medians and the ratio before/now of the time to the first words; with the server's
own `first_text_ms` and `model_first_token_ms` (from the answer's `timings`). Figures, not
assertions; the machine is shared, so both ways run interleaved in the same run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.api_load_bench import QUESTIONS, free_port, prepare, start_server

MODELS = ("gemma3-270m", "smollm2-135m")  # the default (the largest GGUF here) and the other one built in


def streamed(client: httpx.Client, question: str) -> dict[str, float]:
    """One streamed answer: when its first content came and when it ended (ms), and the server's timings."""
    body = {"model": "bench", "stream": True, "messages": [{"role": "user", "content": question}]}
    t0, first, timings = time.perf_counter(), None, {}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            event = json.loads(line[6:])
            if "error" in event:
                raise SystemExit(f"the answer failed: {event['error']['message']}")
            if first is None and event["choices"] and event["choices"][0]["delta"].get("content"):
                first = time.perf_counter() - t0
            timings = event.get("timings", timings)
    total = time.perf_counter() - t0
    return {"first_text_ms": 1000 * (first if first is not None else total), "total_ms": 1000 * total,
            "server_first_text_ms": timings.get("first_text_ms", 0.0),
            "server_model_first_token_ms": timings.get("model_first_token_ms", 0.0)}


def whole(client: httpx.Client, question: str) -> float:
    """One answer sent whole (ms): the old way, where nothing showed before the end."""
    body = {"model": "bench", "messages": [{"role": "user", "content": question}]}
    t0 = time.perf_counter()
    client.post("/v1/chat/completions", json=body).raise_for_status()
    return 1000 * (time.perf_counter() - t0)


def measure(model: str, rounds: int) -> dict[str, object]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="yizhi-stream-") as tmp:
        server = start_server(Path(tmp) / "data", port, {"YIZHI_LLM_MODEL": model})
        base_url = f"http://127.0.0.1:{port}"
        now: list[dict[str, float]] = []
        before: list[float] = []
        try:
            prepare(base_url, "bench")
            with httpx.Client(base_url=base_url, timeout=600) as client:
                for r in range(rounds):
                    for i, question in enumerate(QUESTIONS):
                        if (r + i) % 2:
                            before.append(whole(client, question))
                            now.append(streamed(client, question))
                        else:
                            now.append(streamed(client, question))
                            before.append(whole(client, question))
        finally:
            server.terminate()
            server.wait(timeout=30)

    def median(name: str) -> float:
        return round(statistics.median(n[name] for n in now), 1)

    first, before_ms = median("first_text_ms"), round(statistics.median(before), 1)
    models = [n["server_model_first_token_ms"] for n in now if n["server_model_first_token_ms"]]
    return {"model": model, "answers": len(now), "first_text_ms_median": first, "total_ms_median": median("total_ms"),
            "before_first_text_ms_median": before_ms, "first_text_speedup": round(before_ms / max(first, 0.1), 1),
            "server_first_text_ms_median": median("server_first_text_ms"),
            "server_model_first_token_ms_median": round(statistics.median(models), 1) if models else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stream_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated built-in names or GGUF paths")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    results = []
    for model in args.models.split(","):
        results.append(measure(model.strip(), args.rounds))
        if not args.json:
            print(json.dumps(results[-1], ensure_ascii=False))
    if args.json:
        print(json.dumps({"models": results}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
