"""The OpenAI-compatible API (/v1) with real clients: httpx for the wire format, the official
`openai` SDK and LangChain's ChatOpenAI (fake models here; the real default model in the
slow tests at the end)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openai
import pytest

from core.errors import ModelLoadError
from tests.app.api.conftest import GatedGenerator, LiveServer, upload_tiny_kb
from tests.app.conftest import RecordingGenerator, share_default_model

QUESTION = "RCEP是什么？"


def sse_events(response) -> list:
    lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines), lines
    assert lines[-1] == "data: [DONE]"
    return [json.loads(line[6:]) for line in lines[:-1]]


@pytest.fixture
def kb_server(serve) -> LiveServer:
    server = serve()
    with server.client() as client:
        upload_tiny_kb(client, "kb")
        upload_tiny_kb(client, "other")
    return server


def test_models_are_the_knowledge_bases_and_the_llm(kb_server):
    client = openai.OpenAI(base_url=kb_server.url + "/v1", api_key="unused")
    models = {m.id: m for m in client.models.list()}
    assert set(models) == {"kb", "other", "gemma3-270m"}
    assert models["kb"].model_extra["kind"] == "knowledge_base" and models["gemma3-270m"].model_extra["kind"] == "llm"
    assert client.models.retrieve("kb").id == "kb"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("nokb")


def test_chat_answers_from_the_knowledge_base_with_sources(kb_server, tuned):
    generator: RecordingGenerator = kb_server.services.resources.generator
    client = openai.OpenAI(base_url=kb_server.url + "/v1", api_key="unused", max_retries=0)
    completion = client.chat.completions.create(
        model="kb", messages=[{"role": "system", "content": "ignored"}, {"role": "user", "content": "你好"},
                              {"role": "assistant", "content": "你好！"}, {"role": "user", "content": QUESTION}])
    assert completion.object == "chat.completion" and completion.model == "kb"
    expected = kb_server.services.answers.ask(QUESTION, ["kb"], [{"role": "user", "content": "你好"},
                                                                  {"role": "assistant", "content": "你好！"}]).to_dict()
    assert completion.choices[0].message.content == expected["answer"] and "[1]" in expected["answer"]
    assert completion.choices[0].finish_reason == "stop"
    extra = completion.model_extra
    assert extra["refused"] is False and extra["sources"] == expected["sources"]
    assert set(extra["sources"][0]) >= {"source", "page", "score", "text"} and "total_ms" in extra["timings"]
    assert QUESTION in generator.calls[-1].prompt and not tuned

    client.chat.completions.create(model="kb", temperature=0.3, max_tokens=50,
                                   messages=[{"role": "user", "content": QUESTION}])
    client.chat.completions.create(model="kb", max_tokens=100_000, messages=[{"role": "user", "content": QUESTION}])
    assert [(t.temperature, t.max_tokens, len(t.calls)) for t in tuned] == [(0.3, 50, 1), (0.0, 1024, 1)]

    refusal = client.chat.completions.create(model="kb", messages=[{"role": "user", "content": "火星上有几座火山？"}])
    assert refusal.choices[0].message.content == "根据已知信息无法回答该问题" and refusal.model_extra["refused"]

    both = client.chat.completions.create(model="kb", messages=[{"role": "user", "content": "大熊猫吃什么？"}],
                                          extra_body={"knowledge_bases": ["kb", "other"]})
    # the same files in both: each passage is one source, and names its copy in the other (`also_in`)
    places = [p["source"] for s in both.model_extra["sources"] for p in (s, *s["also_in"])]
    assert {Path(p).parent.parent.name for p in places} == {"kb", "other"}

    plain = client.chat.completions.create(model="gemma3-270m", messages=[{"role": "user", "content": "你好"}])
    assert plain.choices[0].message.content == generator.reply and plain.model_extra["sources"] == []
    assert generator.calls[-1].prompt == "用户：你好" and "已知信息" not in generator.calls[-1].prompt


def test_streaming_sends_openai_chunks_then_done(kb_server):
    with kb_server.client() as http:
        with http.stream("POST", "/v1/chat/completions",
                         json={"model": "kb", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            events = sse_events(r)
    assert all(e["object"] == "chat.completion.chunk" and len({e["id"] for e in events}) == 1 for e in events)
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events)
    expected = kb_server.services.answers.ask(QUESTION, ["kb"])
    assert text.strip() == expected.text  # (a draft replaced by a quotation would differ: see "answer")
    last = events[-1]
    assert last["choices"][0]["finish_reason"] == "stop" and Path(last["sources"][0]["source"]).name == "rcep.txt"
    assert last["answer"] == expected.text and last["refused"] is False

    client = openai.OpenAI(base_url=kb_server.url + "/v1", api_key="unused", max_retries=0)
    chunks = list(client.chat.completions.create(model="kb", stream=True,
                                                 messages=[{"role": "user", "content": QUESTION}]))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == text
    assert chunks[-1].model_extra["sources"][0]["text"].startswith("《区域全面经济伙伴关系协定》")


def test_openai_errors_have_openais_shape_and_status(kb_server):
    client = openai.OpenAI(base_url=kb_server.url + "/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="nokb", messages=[{"role": "user", "content": QUESTION}])
    assert missing.value.code == "model_not_found" and "GET /v1/models" in missing.value.message
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="kb", messages=[{"role": "user", "content": QUESTION}],
                                       extra_body={"knowledge_bases": ["kb", "nokb"]})
    with pytest.raises(openai.BadRequestError) as hot:
        client.chat.completions.create(model="kb", temperature=3, messages=[{"role": "user", "content": QUESTION}])
    assert "YIZHI_LLM_TEMPERATURE" in hot.value.message
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="kb", messages=[{"role": "assistant", "content": "只有助手"}])
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="kb", messages=[])
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="text-embedding-3-small", input="你好")


def test_embeddings_use_the_knowledge_bases_model(kb_server):
    fake = kb_server.services.resources.embedder
    client = openai.OpenAI(base_url=kb_server.url + "/v1", api_key="unused", max_retries=0)
    texts = ["大熊猫吃竹子", "RCEP"]
    by_sdk = client.embeddings.create(model="use-multilingual", input=texts)  # the SDK asks for base64
    assert [d.index for d in by_sdk.data] == [0, 1]
    assert np.allclose([d.embedding for d in by_sdk.data], fake.embed_documents(texts), atol=1e-6)
    with kb_server.client() as http:
        floats = http.post("/v1/embeddings", json={"model": "kb", "input": "大熊猫吃竹子"}).json()
        assert np.allclose(floats["data"][0]["embedding"], fake.embed_query("大熊猫吃竹子"), atol=1e-6)
        assert http.post("/v1/embeddings", json={"model": "kb", "input": []}).status_code == 400
        assert http.post("/v1/embeddings", json={"model": "kb", "input": "x", "dimensions": 3}).status_code == 400


def test_langchain_chat_openai_streams_and_invokes(kb_server):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=kb_server.url + "/v1", api_key="unused", model="kb", max_retries=0)
    reply = llm.invoke(QUESTION)
    assert reply.content == kb_server.services.answers.ask(QUESTION, ["kb"]).text
    assert "".join(chunk.content for chunk in llm.stream(QUESTION)) == reply.content


def test_the_quotation_streams_before_the_model_writes_and_its_checked_sentences_follow(serve):
    generator = GatedGenerator("协定于2022年1月1日正式生效。[2]RCEP总部设在北京。RCEP由十五个国家签署。")
    server = serve(generator=generator)
    question = {"model": "kb", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with server.client() as http:
        upload_tiny_kb(http, "kb")
        with http.stream("POST", "/v1/chat/completions", json=question) as r:
            lines = (line for line in r.iter_lines() if line.startswith("data: {"))
            contents = (json.loads(line[6:])["choices"][0]["delta"].get("content") for line in lines)
            pieces = [next(contents), next(contents)]  # the role, then the first words
            assert not generator.calls and not generator.finished.is_set()  # the model has not written a word
            generator.release.set()
            pieces += [c for c in contents if c]
    assert pieces[1] == "“《区域全面经济伙伴关系协定》（RCEP）由东盟十国以及中国、日本、韩国、澳大利亚、新西兰共十五个国家签署。”[1]"
    # then the model's sentences as each ends: the new one with its [n] put right; the headquarters no
    # passage backs and the fifteen countries the quotation said already are dropped
    assert pieces[2:] == ["协定于2022年1月1日正式生效。[1]"]
    assert generator.finished.is_set()


# --- the real default model and the real embedder ---------------------------------------------

@pytest.fixture(scope="module")
def real_server(tmp_path_factory, assembled_default_model, use_embedder):
    from app.services import build_services
    from app.settings import Settings

    data = tmp_path_factory.mktemp("api-real") / "data"
    share_default_model(assembled_default_model, data)
    server = LiveServer(build_services(Settings(data_dir=data, _env_file=None), embedder=use_embedder)).start()
    with server.client(timeout=120) as client:
        upload_tiny_kb(client, "kb")
    yield server
    server.stop()


@pytest.mark.slow
def test_the_openai_sdk_against_the_real_default_model(real_server):
    client = openai.OpenAI(base_url=real_server.url + "/v1", api_key="unused", timeout=120)
    assert {m.id for m in client.models.list()} == {"kb", "gemma3-270m"}
    completion = client.chat.completions.create(model="kb", max_tokens=40,
                                                messages=[{"role": "user", "content": QUESTION}])
    text = completion.choices[0].message.content
    assert text.strip() and completion.model_extra["sources"], completion
    assert Path(completion.model_extra["sources"][0]["source"]).name == "rcep.txt"
    stream = client.chat.completions.create(model="kb", max_tokens=40, stream=True,
                                            messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks).strip() == text.strip()  # greedy: the same
    assert chunks[-1].choices[0].finish_reason in ("stop", "length") and chunks[-1].model_extra["sources"]
    plain = client.chat.completions.create(model="gemma3-270m", max_tokens=20,
                                           messages=[{"role": "user", "content": "你好"}])
    assert plain.choices[0].message.content is not None


@pytest.mark.slow
def test_langchain_against_the_real_default_model(real_server):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=real_server.url + "/v1", api_key="unused", model="kb", max_tokens=40, timeout=120)
    reply = llm.invoke([("user", QUESTION)])
    assert reply.content.strip()
    assert "".join(c.content for c in llm.stream([("user", QUESTION)])).strip() == reply.content.strip()


class BreakingGenerator(RecordingGenerator):
    """An instruction model whose stream fails after its first piece."""

    chat = True

    def stream(self, request):
        yield "RCEP包括"
        raise ModelLoadError("the model file is damaged")


def test_an_error_mid_stream_ends_the_stream_with_an_error_event(serve):
    server = serve(generator=BreakingGenerator())
    with server.client() as http:
        upload_tiny_kb(http, "kb")
        with http.stream("POST", "/v1/chat/completions",
                         json={"model": "kb", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}) as r:
            lines = [line for line in r.iter_lines() if line]
        assert r.status_code == 200 and "data: [DONE]" not in lines
        assert json.loads(lines[-1][6:])["error"]["message"] == "the model file is damaged"
        # the quotation came first and stays; the model's unfinished sentence never showed
        shown = [json.loads(line[6:])["choices"][0]["delta"].get("content") for line in lines[1:-1]]
        assert shown == [server.services.answers.prepare(QUESTION, ["kb"]).opening] and shown[0].startswith("“")
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.APIError, match="damaged"):
        list(client.chat.completions.create(model="kb", stream=True, messages=[{"role": "user", "content": QUESTION}]))
    assert client.models.list().data  # still serving
