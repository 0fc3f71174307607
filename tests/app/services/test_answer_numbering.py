"""Through the service (real search over a real knowledge base, the recording LLM): a model
that cites only the second passage it was given is shown citing [1], the stream agrees with
the final answer, and the API's `sources[n-1]` is that [n] (issue 24)."""
from __future__ import annotations

from app.answering.evidence.support import cited_numbers
from app.answering.types import Answer
from app.services import build_services
from tests.app.conftest import RecordingGenerator, write_docs

DOCS = {"茶馆.md": "望月茶馆位于青石镇东街，望月茶馆的招牌是桂花乌龙。",
        "周末.md": "望月茶馆周末游客很多，周末要提前订座。"}


def test_a_model_citing_its_second_passage_is_shown_citing_one(settings, fake_embedder, tmp_path):
    fake = RecordingGenerator()
    service = build_services(settings.with_overrides({"score_threshold": 0.0}), embedder=fake_embedder,
                             generator=fake)
    try:
        service.knowledge.ingest("tea", write_docs(tmp_path / "docs", DOCS))
        question = "望月茶馆周末怎么样？"
        results = service.answers.search(question, ["tea"])
        assert len(results) >= 2
        second = results[1].chunk
        fake.reply = second.text + "[2]"  # streamed three characters at a time: the mark is cut
        items = list(service.answers.ask_stream(question, ["tea"]))
        answer = items[-1]
        assert isinstance(answer, Answer) and not answer.refused, answer
        assert len(fake.calls) == 1 and "[2]" in fake.calls[0].prompt  # the model read two passages
        # the quotation of the best evidence comes first, as [1]; the model's sentence, which
        # cited the second passage it read as [2], follows with the number that passage is listed under
        assert list(cited_numbers(answer.text)) == list(range(1, len(cited_numbers(answer.text)) + 1))
        assert answer.text.endswith(second.text + f"[{cited_numbers(answer.text)[-1]}]")
        assert "".join(i for i in items if isinstance(i, str)) == answer.text
        by_index = {c.index: c.text for c in answer.citations}
        assert by_index[cited_numbers(answer.text)[-1]] == second.text
        assert [c.index for c in answer.citations] == list(range(1, len(answer.citations) + 1))
        assert answer.to_dict()["sources"][cited_numbers(answer.text)[-1] - 1]["text"] == second.text
        assert all(s.passage in by_index for s in answer.sentences if s.supported)
    finally:
        service.close()
