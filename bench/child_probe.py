"""The probe that chose how child pieces are used (docs/TUNING.md, "Child pieces").

Eval-only prototype beside the product code: the evaluation knowledge base is built as
`python -m app eval` builds it without child pieces (the parents); a second knowledge
base holds each parent chunk's children (its path = the parent's chunk id), with their
own FAISS and BM25 indexes. Variants fuse ranked lists of parent ids:

    pd  parent dense      pl  parent BM25
    cd  child dense over all children → parents (best child first)
    cl  child BM25 over all children → parents
    rd  the candidates of pd and pl ordered by their best child's cosine (what
        retrieval/search.py does: no second index)

("cd0.5": that list with weight 0.5) and compute relevance on the parent (`/parent`, as
the product does), on the parent with its best child's cosine (`/maxcos`), or as the
best of the parent's and its children's relevance (`/maxrel`). `--parent-vector mean`
replaces each parent's vector by the mean of its children's (embedding only children).

    python -m bench.child_probe --corpus … --qa … [--child-size 120] [--variants cd+pl/parent rd+pl/parent]
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.settings import load_settings
from core.types import Chunk
from evaluation.corpus_kb import build_eval_kb, embed_questions, eval_root
from evaluation.loop import Retrieved, measure
from evaluation.metrics import RANK_DEPTH
from evaluation.qa import QAItem, load_qa
from evaluation.runs import yizhi_retriever
from ingest.splitter import retrieval_text, split_text
from retrieval.fusion import diversify, reciprocal_rank_fusion
from retrieval.kb.opening import open_knowledge_base
from retrieval.lexical import query_tokens
from retrieval.relevance import closeness_for, relevance_scores


def build_children(kb, settings, embedder, size: int, overlap: int):
    name = f"{kb.name}-children{size}-{overlap}"
    ckb = open_knowledge_base(eval_root(settings), name, settings.store_config(), create=True)
    t0 = time.perf_counter()
    if ckb.chunk_count() == 0:
        ids = [int(i) for i in kb.chunk_ids()]
        parents = kb.chunks(ids)
        todo: list[tuple[int, list[Chunk]]] = []
        for pid in sorted(parents):
            p = parents[pid]
            pieces = split_text(p.text, size, overlap)
            todo.append((pid, [Chunk(text=t, source=str(pid), position=i, heading=p.heading,
                                     retrieval_text=retrieval_text(t, "", p.heading, settings.title_enhance))
                               for i, t in enumerate(pieces)]))
        texts = [c.retrieval_text for _, cs in todo for c in cs]
        vecs = embedder.embed_documents(texts)
        at = 0
        for pid, cs in todo:
            ckb.replace_document(str(pid), str(pid), cs, vecs[at:at + len(cs)], model_name=embedder.name)
            at += len(cs)
        ckb.save()
    seconds = time.perf_counter() - t0
    cids = [int(i) for i in ckb.chunk_ids()]
    children = ckb.chunks(cids)
    emb = ckb.embeddings(cids)
    return ckb, children, emb, seconds


def first_parents(child_ids: Sequence[int], parent_of: dict[int, int], n: int) -> list[int]:
    out: list[int] = []
    seen: set[int] = set()
    for cid in child_ids:
        p = parent_of[cid]
        if p not in seen:
            seen.add(p)
            out.append(p)
            if len(out) >= n:
                break
    return out


def probe_retriever(variant: str, kb, ckb, children, cemb, settings, embedder):
    lists_spec, rel_mode = variant.split("/")
    parts = lists_spec.split("+")
    s = settings.search_config()
    parent_of = {cid: int(c.source) for cid, c in children.items()}
    kids: dict[int, list[int]] = {}
    for cid, p in parent_of.items():
        kids.setdefault(p, []).append(cid)
    scale = closeness_for(embedder)
    weights = {"rd": s.dense_weight, "pd": s.dense_weight, "pl": s.lexical_weight, "cd": s.dense_weight, "cl": s.lexical_weight}
    for part in parts:  # e.g. cd0.5 → weight 0.5
        name, w = part[:2], part[2:]
        if w:
            weights[name] = float(w)
    names = [p[:2] for p in parts]

    def retrieve(item: QAItem, qvec: np.ndarray) -> Retrieved:
        q = item.question
        lists: list[list[int]] = []
        dense: dict[int, float] = {}
        for name in names:
            if name == "pd":
                hits = kb.dense_search(qvec, s.dense_candidates)
                dense.update(hits)
                lists.append([c for c, _ in hits])
            elif name == "pl":
                lists.append([c for c, _ in kb.lexical_search(query_tokens(q, kb.vocabulary()), s.lexical_candidates)])
            elif name == "cd":
                hits = ckb.dense_search(qvec, s.dense_candidates * 4)
                lists.append(first_parents([c for c, _ in hits], parent_of, s.dense_candidates))
            elif name == "rd":  # child cosines of the candidates only (pd ∪ pl), best child per parent
                pdh = kb.dense_search(qvec, s.dense_candidates)
                dense.update(pdh)
                plh = kb.lexical_search(query_tokens(q, kb.vocabulary()), s.lexical_candidates)
                cand = list(dict.fromkeys([c for c, _ in pdh] + [c for c, _ in plh]))
                pe = kb.embeddings([c for c in cand if not kids.get(c)])
                best = {c: max(float(np.dot(qvec, cemb[k])) for k in kids[c]) if kids.get(c)
                        else float(np.dot(qvec, pe[c])) for c in cand}
                lists.append(sorted(cand, key=lambda c: -best[c]))
            elif name == "cl":
                hits = ckb.lexical_search(query_tokens(q, ckb.vocabulary()), s.lexical_candidates * 4)
                lists.append(first_parents([c for c, _ in hits], parent_of, s.lexical_candidates))
        fused = reciprocal_rank_fusion(lists, k=s.rrf_k, weights=[weights[n] for n in names])
        fused = fused[:max(s.candidate_pool, RANK_DEPTH)]
        chunks = kb.chunks([c for c, _ in fused])
        ids = [c for c, _ in fused if c in chunks]
        if s.doc_diversity:
            ids = diversify(ids, lambda c: chunks[c].source)
        pemb = kb.embeddings([c for c in ids if c not in dense])
        pcos = {c: dense[c] if c in dense else float(np.dot(qvec, pemb[c])) for c in ids}
        texts = [chunks[c].retrieval_text for c in ids]
        if rel_mode == "parent":
            rel = relevance_scores(q, texts, [pcos[c] for c in ids], scale, s.relevance_dense_weight)
        elif rel_mode == "maxcos":
            cos = [max([pcos[c]] + [float(np.dot(qvec, cemb[k])) for k in kids.get(c, [])]) for c in ids]
            rel = relevance_scores(q, texts, cos, scale, s.relevance_dense_weight)
        elif rel_mode == "maxrel":
            rel = relevance_scores(q, texts, [pcos[c] for c in ids], scale, s.relevance_dense_weight)
            for i, c in enumerate(ids):
                ks = kids.get(c, [])
                if ks:
                    r = relevance_scores(q, [children[k].retrieval_text for k in ks],
                                         [float(np.dot(qvec, cemb[k])) for k in ks], scale, s.relevance_dense_weight)
                    rel[i] = max(rel[i], max(r))
        else:
            raise SystemExit(f"unknown relevance mode {rel_mode}")
        refused = not any(r >= s.score_threshold for r in rel)  # the rule of retrieval.search.passing
        return Retrieved([chunks[c].source for c in ids], refused=refused, best_relevance=max(rel, default=0.0))

    return retrieve


class MeanParentKB:
    """The parent KB with each parent's vector replaced by the normalised mean of its children's."""

    def __init__(self, kb, children, cemb) -> None:
        self._kb = kb
        groups: dict[int, list[np.ndarray]] = {}
        for cid, c in children.items():
            groups.setdefault(int(c.source), []).append(cemb[cid])
        self.ids = np.array(sorted(groups), dtype=np.int64)
        m = np.stack([np.mean(groups[i], axis=0) for i in self.ids]).astype(np.float32)
        self.m = m / np.linalg.norm(m, axis=1, keepdims=True)
        self.row = {int(i): r for r, i in enumerate(self.ids)}

    def __getattr__(self, name):
        return getattr(self._kb, name)

    def dense_search(self, q, n):
        sims = self.m @ q
        top = np.argsort(-sims)[:n]
        return [(int(self.ids[i]), float(sims[i])) for i in top]

    def embeddings(self, ids):
        return {i: self.m[self.row[i]] for i in ids if i in self.row}


def main() -> None:
    settings = load_settings().with_overrides(child_chunk_size=0)  # the parents, as before child pieces
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--qa", type=Path, action="append", required=True)
    ap.add_argument("--child-size", type=int, default=120)
    ap.add_argument("--child-overlap", type=int, default=0)
    ap.add_argument("--parent-vector", choices=["own", "mean"], default="own")
    ap.add_argument("--variants", nargs="+", default=[
        "cd+cl/parent", "pd+pl+cd/parent", "cd+pl/parent", "pd+pl+cd+cl/parent", "rd+pl/parent",
        "cd+pl/maxcos", "cd+pl/maxrel"])
    args = ap.parse_args()
    from retrieval.embedders import make_embedder

    embedder = make_embedder(settings.embed_config())
    items = load_qa(args.qa)
    kb = build_eval_kb(args.corpus, settings, embedder, progress=False)
    ckb, children, cemb, secs = build_children(kb, settings, embedder, args.child_size, args.child_overlap)
    lens = [len(c.text) for c in children.values()]
    print(f"parents {kb.chunk_count()}, children {len(children)} (mean {np.mean(lens):.0f} chars, "
          f"max {max(lens)}), child index {secs:.1f} s", flush=True)
    qvecs = embed_questions(items, embedder)
    rows = [("baseline", measure("hybrid", items, qvecs, yizhi_retriever("hybrid", kb, settings, embedder),
                                 progress=False))]
    pkb = MeanParentKB(kb, children, cemb) if args.parent_vector == "mean" else kb
    for v in args.variants:
        rows.append((v, measure(v, items, qvecs, probe_retriever(v, pkb, ckb, children, cemb, settings, embedder),
                                progress=False)))
    print(f"{'variant':<26}{'hit@1':>7}{'hit@5':>7}{'mrr10':>7}{'FR':>7}{'R':>7}{'ms/q':>7}")
    for name, m in rows:
        print(f"{name:<26}{m['hit@1']:>7.3f}{m['hit@5']:>7.3f}{m['mrr@10']:>7.3f}{m['false_refusal_rate']:>7.3f}"
              f"{m.get('refusal_recall', float('nan')):>7.3f}{m['ms_per_query']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
