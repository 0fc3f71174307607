"""The retrieval test page (命中测试): candidates, ranks, the threshold line, what would be refused."""
from __future__ import annotations

from app.services import build_services
from app.ui.retrieval_page import BELOW, MERGED, PASSED, TO_MODEL, verdicts
from tests.app.ui.helpers import FakeService, candidate, go, home_test, page_test

PAGE = "app.ui.retrieval_page"


def search(at, question: str):
    at.text_input[0].input(question)
    next(b for b in at.button if b.label == "检索").click().run()
    assert not at.exception, at.exception
    return at


def test_verdicts_follow_the_threshold_and_top_k():
    pool = [candidate("a", "/a", r, 1.0 - i / 10, i + 1, None, chunk_id=i) for i, r in enumerate((0.9, 0.3, 0.7, 0.6))]
    assert verdicts(pool, 0.55, top_k=2) == [TO_MODEL, BELOW, TO_MODEL, PASSED]
    assert verdicts(pool, 0.95, top_k=5) == [BELOW] * 4


def test_a_passage_search_would_merge_takes_no_slot():
    pool = [candidate(f"text {i}", f"/{i}", 0.9, 1.0 - i / 10, i + 1, None, chunk_id=i) for i in range(4)]
    # the second is the first's text from another file: merged, so the third still reaches the model
    assert verdicts(pool, 0.55, top_k=2, duplicate_of=[None, 0, None, None]) == [TO_MODEL, MERGED, TO_MODEL, PASSED]


def test_the_page_marks_the_same_text_from_two_files_as_merged(fake_service: FakeService):
    text = "望月茶馆位于青石镇东街，每天早上七点开门，晚上十点关门。招牌是桂花乌龙。"
    fake_service.pool = [candidate(text, "/docs/茶馆.md", 0.8, 0.5, 1, 1, chunk_id=1),
                         candidate(text, "/docs/茶馆.pdf", 0.8, 0.4, 2, 2, chunk_id=2),
                         candidate("青石镇汽车站在镇子南边。", "/docs/车站.md", 0.6, 0.3, 3, 3, chunk_id=3)]
    at = search(page_test(PAGE).run(), "望月茶馆几点开门？")
    rows = at.dataframe[0].value.to_dict("records")
    assert [r["结果"] for r in rows] == ["交给模型", "与前面的段落相同（合并）", "交给模型"]


def test_ranked_candidates_with_their_ranks_and_the_threshold(fake_service: FakeService):
    at = page_test(PAGE).run()
    assert "不调用模型" in at.caption[0].value and not at.get("vega_lite_chart")
    search(at, "望月茶馆几点开门？")
    assert fake_service.searched[0]["query"] == "望月茶馆几点开门？" and fake_service.searched[0]["kbs"] == ["default"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["排名", "文件", "页", "相关度", "向量排名", "BM25 排名", "融合分数", "结果"]
    rows = table.to_dict("records")
    assert [r["结果"] for r in rows] == ["交给模型", "低于阈值", "低于阈值"]
    assert (rows[0]["向量排名"], rows[0]["BM25 排名"], rows[2]["BM25 排名"]) == ("1", "2", "—")
    assert rows[1]["页"] == "3" and rows[0]["相关度"] == 0.71
    assert "20 个候选" not in at.success[0].value and "3 个候选中有 1 个达到阈值" in at.success[0].value
    assert len(at.get("vega_lite_chart")) == 1  # relevance bars with the threshold as a line
    assert "招牌是桂花乌龙" in at.get("html")[0].proto.body  # the first passage, to read


def test_moving_the_threshold_shows_what_would_be_refused(fake_service: FakeService):
    at = page_test(PAGE).run()
    search(at, "望月茶馆几点开门？")
    at.slider(key="rt_threshold").set_value(0.8).run()
    assert "没有段落达到阈值，问答会拒绝回答（最高相关度 0.710，低于阈值 0.80）" in at.warning[0].value
    at.slider(key="rt_threshold").set_value(0.4).run()
    assert [r["结果"] for r in at.dataframe[0].value.to_dict("records")] == ["交给模型", "交给模型", "低于阈值"]
    assert len(fake_service.searched) == 1  # trying thresholds searches nothing again


def test_a_relevance_just_below_the_threshold_is_not_shown_as_the_threshold(fake_service: FakeService):
    fake_service.pool = [candidate("营业时间：七点至二十二点。", "/docs/茶馆.md", 0.5496, 0.5, 1, 1)]
    at = search(page_test(PAGE).run(), "营业时间？")
    at.slider(key="rt_threshold").set_value(0.55).run()
    assert "（最高相关度 0.549，低于阈值 0.55）" in at.warning[0].value  # rounded, both would read 0.55
    assert at.dataframe[0].value.to_dict("records")[0]["相关度"] == 0.549


def test_the_passage_selector_follows_the_question(fake_service: FakeService):
    at = search(page_test(PAGE).run(), "望月茶馆几点开门？")
    at.selectbox[-1].set_value(3).run()
    assert "银杏树" in at.get("html")[0].proto.body
    fake_service.pool = fake_service.pool[1:]  # another question: other passages
    search(at, "营业时间？")
    assert at.selectbox[-1].value == 1 and "七点至二十二点" in at.get("html")[0].proto.body


def test_a_tried_threshold_can_be_used_in_the_chat(fake_service: FakeService):
    at = home_test().run()
    go(at, "retrieval")
    search(at, "营业时间？")
    at.slider(key="rt_threshold").set_value(0.4).run()
    at.button(key="rt-apply").click().run()
    assert "已设为 0.40" in at.success[0].value
    go(at, "chat")
    assert at.slider(key="opt_threshold").value == 0.4
    at.chat_input[0].set_value("营业时间？").run()
    assert fake_service.asked[0]["tuning"] == {"score_threshold": 0.4}
    go(at, "retrieval")
    assert at.dataframe and at.slider(key="rt_threshold").value == 0.4  # the results are still there


def test_the_real_service_gives_the_whole_pool_with_ranks(settings, fake_embedder, tmp_path):
    services = build_services(settings, embedder=fake_embedder)
    try:
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "tea.md").write_text("# 茶馆\n\n望月茶馆每天早上七点开门。\n\n招牌茶是桂花乌龙。", encoding="utf-8")
        (docs / "town.md").write_text("# 青石镇\n\n青石镇的银杏树有一百年了。", encoding="utf-8")
        services.knowledge.ingest("kb", [docs])
        pool = services.answers.candidates("望月茶馆几点开门？", ["kb"])
        strict = services.answers.search("望月茶馆几点开门？", ["kb"], overrides={"score_threshold": 0.99})
        assert pool and strict == []  # the pool ignores the threshold
        assert pool[0].chunk.source.endswith("tea.md") and pool[0].lexical_rank == 1 and pool[0].dense_rank
        assert [c.score for c in pool] == sorted((c.score for c in pool), reverse=True) or len(pool) > 1
    finally:
        services.close()
