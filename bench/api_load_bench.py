"""The HTTP API under a bounded load, with the real default model and embedder.

    python -m bench.api_load_bench [--rounds 3] [--chats 16] [--searches 16] [--json]

Starts `python -m app serve` on 127.0.0.1 (a free port, never another interface) over a
temporary data dir, indexes data/docs through the upload API, warms the models up, then
for each round sends `--chats` streaming chat requests and `--searches` searches all at
once. Prints requests/s, p50/p95 latency of the searches and of the first token of the
chats that were served, how many got 200/429/503 (a full generation queue answers 429 at
once), whether every 200 was complete, and the server's resident memory after each round
(it must not keep growing). Figures, not assertions: the test version with fake models is
tests/app/api/test_load.py.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["已知支持哪些文件格式？", "知识库里找不到相关内容时，已知会怎么回答？", "如何启动网页界面？",
             "What does Yizhi do when the knowledge base holds nothing relevant?"]
QUERIES = ["文件格式", "启动网页界面", "来源 页码", "refuse to answer", "知识库 删除文档", "OCR 扫描"]


@dataclass
class Outcome:
    kind: str  # chat | search
    status: int
    seconds: float
    first_token: float | None = None
    complete: bool = False  # a 200 that ended properly (chats: content, then [DONE])
    retry_after: bool = False  # a 429/503 that said when to come back
    refused: bool = False  # a chat answered with the refusal sentence (the LLM may not have run)
    error: str = ""


@dataclass
class RoundReport:
    wall: float
    outcomes: list[Outcome] = field(default_factory=list)
    rss_mb: float | None = None

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def summary(self) -> dict:
        def pct(values: list[float], q: float) -> float | None:
            if not values:
                return None
            values = sorted(values)
            return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)
        served = [o for o in self.outcomes if o.status == 200]
        searches = [o.seconds for o in self.of("search") if o.status == 200]
        firsts = [o.first_token for o in self.of("chat") if o.status == 200 and o.first_token is not None]
        return {"wall_s": round(self.wall, 2), "requests_per_s": round(len(served) / self.wall, 2),
                "chat_status": dict(Counter(o.status for o in self.of("chat"))),
                "search_status": dict(Counter(o.status for o in self.of("search"))),
                "chat_refused": sum(o.refused for o in self.of("chat")),
                "incomplete_200": sum(o.status == 200 and not o.complete for o in self.outcomes),
                "busy_without_retry_after": sum(o.status in (429, 503) and not o.retry_after for o in self.outcomes),
                "search_p50_ms": pct(searches, 0.5), "search_p95_ms": pct(searches, 0.95),
                "first_token_p50_ms": pct(firsts, 0.5), "first_token_p95_ms": pct(firsts, 0.95),
                "rss_mb": self.rss_mb}


async def chat_once(client: httpx.AsyncClient, kb: str, question: str, max_tokens: int | None) -> Outcome:
    body = {"model": kb, "stream": True, "messages": [{"role": "user", "content": question}]}
    if max_tokens:
        body["max_tokens"] = max_tokens
    t0 = time.perf_counter()
    try:
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code != 200:
                await response.aread()
                return Outcome("chat", response.status_code, time.perf_counter() - t0,
                               retry_after="retry-after" in response.headers, error=response.text[:200])
            first, text, done, error, refused = None, "", False, "", False
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                if line == "data: [DONE]":
                    done = True
                    break
                event = json.loads(line[6:])
                if "error" in event:
                    error = event["error"]["message"]
                    break
                refused = refused or bool(event.get("refused"))
                piece = event["choices"][0]["delta"].get("content") or ""
                if piece and first is None:
                    first = time.perf_counter() - t0
                text += piece
            return Outcome("chat", 200, time.perf_counter() - t0, first, done and bool(text.strip()), refused=refused,
                           error=error)
    except httpx.HTTPError as exc:
        return Outcome("chat", 0, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}")


async def search_once(client: httpx.AsyncClient, kb: str, query: str) -> Outcome:
    t0 = time.perf_counter()
    try:
        response = await client.post("/api/v1/search", json={"query": query, "knowledge_bases": [kb]})
    except httpx.HTTPError as exc:
        return Outcome("search", 0, time.perf_counter() - t0, error=f"{type(exc).__name__}: {exc}")
    ok = response.status_code == 200 and isinstance(response.json().get("results"), list)
    return Outcome("search", response.status_code, time.perf_counter() - t0, complete=ok,
                   retry_after="retry-after" in response.headers, error="" if ok else response.text[:200])


async def load_round(base_url: str, kb: str, chats: int = 16, searches: int = 16, *, headers: dict | None = None,
                     max_tokens: int | None = None, timeout: float = 600, questions: list[str] = QUESTIONS,
                     queries: list[str] = QUERIES) -> RoundReport:
    """All chats and searches at once; returns when every one has its answer."""
    limits = httpx.Limits(max_connections=chats + searches + 4, max_keepalive_connections=chats + searches + 4)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout, limits=limits) as client:
        jobs = [chat_once(client, kb, questions[i % len(questions)], max_tokens) for i in range(chats)]
        jobs += [search_once(client, kb, queries[i % len(queries)]) for i in range(searches)]
        t0 = time.perf_counter()
        outcomes = await asyncio.gather(*jobs)
        return RoundReport(time.perf_counter() - t0, list(outcomes))


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, port: int, settings: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m app serve` with the default model and embedder, or the given YIZHI_ settings."""
    from app.llm.generator import resolve_model_path  # the default GGUF, assembled once under ./data/models

    model = resolve_model_path("", ROOT / "data")
    (data_dir / "models").mkdir(parents=True, exist_ok=True)
    try:
        os.link(model, data_dir / "models" / model.name)
    except OSError:
        (data_dir / "models" / model.name).symlink_to(model)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIZHI_")}
    env["YIZHI_DATA_DIR"] = str(data_dir)
    env.update(settings or {})
    log = open(data_dir / "server.out", "w")  # the child writes here until it ends
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    server.kill()
    raise SystemExit(f"the server did not start: {(data_dir / 'server.out').read_text()[-2000:]}")


def prepare(base_url: str, kb: str) -> None:
    with httpx.Client(base_url=base_url, timeout=600) as client:
        client.post("/api/v1/knowledge_bases", json={"name": kb}).raise_for_status()
        docs = sorted((ROOT / "data" / "docs").iterdir())
        files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in docs if p.is_file()]
        job = client.post(f"/api/v1/knowledge_bases/{kb}/documents", files=files, params={"wait": "true"}).json()
        print(f"indexed {sum(f['status'] == 'indexed' for f in job['files'])} of {len(files)} files into '{kb}'")
        client.post("/api/v1/search", json={"query": QUERIES[0], "knowledge_bases": [kb]}).raise_for_status()
        client.post("/api/v1/ask", json={"question": QUESTIONS[0], "knowledge_bases": [kb]}).raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_load_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chats", type=int, default=16, help="concurrent streaming chat requests per round")
    parser.add_argument("--searches", type=int, default=16, help="concurrent searches per round")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="yizhi-load-") as tmp:
        server = start_server(Path(tmp) / "data", port)
        base_url = f"http://127.0.0.1:{port}"
        try:
            prepare(base_url, "bench")
            baseline = rss_mb(server.pid)
            print(f"server RSS after warm-up: {baseline} MB")
            reports = []
            for i in range(1, args.rounds + 1):
                report = asyncio.run(load_round(base_url, "bench", args.chats, args.searches))
                report.rss_mb = rss_mb(server.pid)
                reports.append(report.summary())
                if not args.json:
                    print(f"round {i}: " + json.dumps(reports[-1], ensure_ascii=False))
            with httpx.Client(base_url=base_url, timeout=120) as client:
                after = client.post("/api/v1/search", json={"query": QUERIES[0], "knowledge_bases": ["bench"]})
            result = {"rounds": reports, "rss_warm_mb": baseline, "answers_afterwards": after.status_code == 200}
        finally:
            server.terminate()
            server.wait(timeout=30)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        growth = [r["rss_mb"] for r in reports]
        print(f"RSS per round (MB): {growth}; the server answers afterwards: {result['answers_afterwards']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
