"""One way in: settings from the environment, validated overrides, typed pieces for lower layers."""
from __future__ import annotations

import logging

import pytest

from app.logs import LOG_NAME, setup_logging
from app.settings import Settings, load_settings
from core.enums import EmbedBackend
from core.errors import ConfigError


def test_a_bad_environment_value_is_a_config_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("YIZHI_TOP_K", "zero")
    with pytest.raises(ConfigError, match=r"top_k \(YIZHI_TOP_K\)"):
        load_settings()


def test_the_embedding_backend_is_checked_and_its_exports_live_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("YIZHI_EMBED_BACKEND", "gpu")
    with pytest.raises(ConfigError, match=r"embed_backend \(YIZHI_EMBED_BACKEND\): .*'torch', 'onnx' or 'onnx-int8'"):
        load_settings()
    monkeypatch.setenv("YIZHI_EMBED_BACKEND", "onnx-int8")
    config = load_settings(data_dir=tmp_path, embed_model="/模型/m3e-base").embed_config()
    assert (config.model, config.backend, config.onnx_cache) == ("/模型/m3e-base", EmbedBackend.ONNX_INT8,
                                                                 tmp_path / "cache" / "onnx")


def test_overrides_are_validated_unlike_model_copy(settings: Settings):
    assert settings.with_overrides({"score_threshold": 0.3}).score_threshold == 0.3
    assert settings.with_overrides(top_k=None) is settings  # unset request fields change nothing
    with pytest.raises(ConfigError, match="score_threshold"):
        settings.with_overrides({"score_threshold": 5})
    with pytest.raises(ConfigError, match="chunk_overlap"):
        settings.with_overrides(chunk_size=60, chunk_overlap=80)
    with pytest.raises(ConfigError, match="unknown setting"):
        settings.with_overrides(no_such_setting=1)


def test_overrides_do_not_read_the_environment_again(settings: Settings, monkeypatch):
    monkeypatch.setenv("YIZHI_TOP_K", "17")
    assert settings.with_overrides(score_threshold=0.3).top_k == settings.top_k


def test_lower_layers_get_typed_pieces(settings: Settings):
    tuned = settings.with_overrides(top_k=3, chunk_size=120, chunk_overlap=20)
    assert tuned.search_config().top_k == 3 and tuned.ingest_config().chunk_size == 120
    assert tuned.search_config().score_threshold == settings.score_threshold


def test_logging_is_set_up_once_with_a_log_file(tmp_path):
    log_file = setup_logging(tmp_path / "logs")
    setup_logging(tmp_path / "logs")  # again (the UI reruns): handlers replaced, not added
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_yizhi_handler", False)]
    assert len(ours) == 2 and log_file == tmp_path / "logs" / LOG_NAME
    logging.getLogger("yizhi.test").info("一条记录")
    for handler in ours:
        handler.flush()
    assert "一条记录" in log_file.read_text(encoding="utf-8")
    for handler in ours:
        logging.getLogger().removeHandler(handler)
        handler.close()
