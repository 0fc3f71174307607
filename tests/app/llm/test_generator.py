"""The llama-cpp-python generator: model resolution, prompt style, stops, the real model."""
from __future__ import annotations

import pytest

from app.llm.config import LlmConfig
from app.llm.generator import (
    DEFAULT_LLM,
    GenerationRequest,
    LlamaCppGenerator,
    resolve_model_path,
    until_stop,
    use_extra_buffers,
    wants_chat_template,
)
from core.errors import ModelLoadError
from prompts.templates import ANSWER_CUES, STOP_SEQUENCES


def test_missing_and_non_gguf_files_are_explained(tmp_path):
    with pytest.raises(ModelLoadError, match="not found: the model must be the path of a .gguf file") as missing:
        resolve_model_path(str(tmp_path / "nope.gguf"), tmp_path)
    assert missing.value.setting == "llm_model"  # the interfaces name it: YIZHI_LLM_MODEL, the model picker
    with pytest.raises(ModelLoadError, match="not found"):
        resolve_model_path(str(tmp_path), tmp_path)  # a folder is not a model file
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"\x00\x01\x02\x03 safetensors, not gguf")
    with pytest.raises(ModelLoadError, match="not a GGUF file"):
        resolve_model_path(str(fake), tmp_path)
    real_looking = tmp_path / "tiny.gguf"
    real_looking.write_bytes(b"GGUF" + b"\x00" * 16)
    assert resolve_model_path(str(real_looking), tmp_path) == real_looking


def test_constructor_is_cheap_and_errors_wait_for_first_use(tmp_path):
    gen = LlamaCppGenerator(LlmConfig(str(tmp_path / "missing.gguf"), data_dir=tmp_path))
    assert gen.name.endswith("missing.gguf") and gen.context_window == 2048  # nothing loaded yet
    with pytest.raises(ModelLoadError, match="not found"):
        gen.count_tokens("你好")


def test_a_broken_gguf_file_is_a_load_error(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="could not load"):
        LlamaCppGenerator(LlmConfig(str(broken), data_dir=tmp_path, n_ctx=256, max_tokens=100)).count_tokens("你好")


def test_smollm2_resolves_to_its_package_file(tmp_path):
    path = resolve_model_path("smollm2-135m", tmp_path)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert not (tmp_path / "models").exists()


def test_prompt_style_follows_the_model():
    chat = {"tokenizer.chat_template": "{% for m in messages %}…{% endfor %}", "general.name": "Qwen2.5 1.5B Instruct"}
    assert wants_chat_template(chat, "qwen2.5-1.5b-instruct-q4_k_m.gguf")
    assert not wants_chat_template({"general.name": "Gemma 3 270m"}, "gemma-3-270m-q4_k_m.gguf")
    assert not wants_chat_template({**chat, "general.name": "Qwen2.5 1.5B Base"}, "qwen2.5-1.5b.gguf")
    assert not wants_chat_template(chat, "x.gguf", "completion")
    assert wants_chat_template({}, "x.gguf", "chat")


def test_extra_buffer_modes(monkeypatch):
    import app.llm.gguf as models

    assert use_extra_buffers("on") and not use_extra_buffers("off")
    monkeypatch.setattr(models, "cpu_has_amx", lambda: True)
    assert use_extra_buffers("auto") is False  # AMX kernels crashed: off on AMX CPUs
    monkeypatch.setattr(models, "cpu_has_amx", lambda: False)
    assert use_extra_buffers("auto") is True


def test_amx_is_read_from_the_cpu_flags(tmp_path):
    from app.llm.gguf import cpu_has_amx

    amx, plain = tmp_path / "amx", tmp_path / "plain"
    amx.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile amx_int8\n")
    plain.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 amx_tile_hint\n")
    assert cpu_has_amx(str(amx)) is True
    assert cpu_has_amx(str(plain)) is False
    assert cpu_has_amx(str(tmp_path / "absent")) is False


@pytest.mark.parametrize("pieces, stops, expected", [
    (["\n", "\n", "竹子", "。\n", "问题是：x"], ("\n",), "竹子。"),
    (["答案是", "高句", "丽国。问题", "是：下一题"], ("问题是：",), "答案是高句丽国。"),
    (["问题", "是不是", "很难"], ("问题是：",), "问题是不是很难"),
    (["  ", " one", " two"], ("\n\n",), "one two"),
    (["a<doc", "ument>b"], ("<document",), "a"),
    ([], ("\n",), ""),
])
def test_until_stop(pieces, stops, expected):
    assert "".join(until_stop(pieces, stops)) == expected


def test_until_stop_streams_before_the_end():
    def endless():
        i = 0
        while True:
            i += 1
            yield f"字{i}"
    stream = until_stop(endless(), ("问题是：", "</document"))
    assert next(stream) == "字1"  # each piece flows on as soon as it is generated
    assert next(stream) == "字2"


def test_until_stop_holds_back_only_a_possible_stop():
    stream = until_stop(iter(["高句丽国", "。问", "题", "是：下一题"]), ("问题是：",))
    assert next(stream) == "高句丽国"
    assert next(stream) == "。"  # "问" might begin "问题是：": held back
    assert list(stream) == []


@pytest.mark.slow
def test_default_model_is_assembled_once_loaded_once_and_streams(assembled_default_model):
    assert DEFAULT_LLM == "gemma3-270m"
    path = assembled_default_model
    tmp_path = path.parent.parent
    assert path.parent == tmp_path / "models"
    with open(path, "rb") as fh:
        assert fh.read(4) == b"GGUF"
    mtime = path.stat().st_mtime_ns
    assert resolve_model_path("", tmp_path) == path and path.stat().st_mtime_ns == mtime

    a = LlamaCppGenerator(LlmConfig("", data_dir=tmp_path, n_ctx=1024, max_tokens=16))
    b = LlamaCppGenerator(LlmConfig(str(path), data_dir=tmp_path, n_ctx=1024, max_tokens=16))
    assert a.llama is b.llama  # one model per process
    assert not a.chat  # a base model: completion-style prompt with stops
    n = a.count_tokens("大熊猫主要吃竹子。" * 10)
    assert 10 <= n <= 120
    prompt = "已知信息：\n[1] 来源：panda.txt\n<document>\n大熊猫主要吃竹子。\n</document>\n问题是：大熊猫主要吃什么？"
    pieces = list(a.stream(GenerationRequest(prompt, ANSWER_CUES["zh"], STOP_SEQUENCES["zh"])))
    text = "".join(pieces)
    assert pieces and text.strip() and "\n" not in text


@pytest.mark.slow
def test_instruction_tuned_model_uses_its_chat_template(tmp_path):
    gen = LlamaCppGenerator(LlmConfig("smollm2-135m", data_dir=tmp_path, n_ctx=512, max_tokens=12))
    assert gen.chat
    text = "".join(gen.stream(GenerationRequest("Known information:\n[1] Paris is the capital of France.\n"
                                                "The question is: What is the capital of France?")))
    assert text.strip()
