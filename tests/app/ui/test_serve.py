"""The `streamlit run` command line `make run` uses."""
from app.settings import Settings
from app.ui.launcher import HOME, streamlit_argv


def test_upload_cap_follows_the_setting_from_dot_env(tmp_path, monkeypatch):
    monkeypatch.delenv("YIZHI_MAX_FILE_MB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("YIZHI_MAX_FILE_MB=7\n", encoding="utf-8")
    argv = streamlit_argv(Settings(), ["--server.port", "9999"])
    assert argv == ["streamlit", "run", str(HOME), "--server.port", "9999", "--server.maxUploadSize", "7"]


def test_an_explicit_streamlit_cap_is_left_alone():
    argv = streamlit_argv(Settings(max_file_mb=7), ["--server.maxUploadSize=50"])
    assert argv == ["streamlit", "run", str(HOME), "--server.maxUploadSize=50"]
