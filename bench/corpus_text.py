"""Chinese text for benchmarks: sentences from the shared public corpora when present,
else sentences generated from a fixed vocabulary (so benchmarks run anywhere)."""
from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"
_SENTENCE_END = re.compile(r"(?<=[。！？])")
_WORDS = ("知识库 检索 模型 文档 问答 数据 系统 用户 中文 向量 索引 分词 段落 页面 答案 来源 离线 笔记本 处理器 "
          "速度 质量 评测 文件 表格 标题 章节 历史 城市 河流 山脉 科学 技术 经济 文化 教育").split()


def shared_sentences() -> list[str]:
    sentences: list[str] = []
    for corpus in ("cmrc2018/corpus.jsonl", "dureader/corpus.jsonl"):
        path = SHARED / corpus
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    text = json.loads(line).get("text", "")
                    sentences.extend(s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= 8)
    return sentences


def sentence_stream(seed: int = 7) -> Iterator[str]:
    """An endless, reproducible stream of Chinese sentences."""
    rng = random.Random(seed)
    pool = shared_sentences()
    while True:
        if pool:
            yield rng.choice(pool)
        else:
            yield "".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14))) + "。"


def paragraphs(chars: int, stream: Iterator[str], paragraph_chars: int = 220) -> list[str]:
    """Paragraphs totalling about `chars` characters."""
    out, current, total = [], "", 0
    while total < chars:
        sentence = next(stream)
        current += sentence
        total += len(sentence)
        if len(current) >= paragraph_chars:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out
