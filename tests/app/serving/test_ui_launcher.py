"""The `streamlit run` command line `make run` uses."""
from app.serving.ui_launcher import HOME, streamlit_argv
from app.settings import Settings


def test_upload_cap_follows_the_setting_from_dot_env(tmp_path, monkeypatch):
    monkeypatch.delenv("YIZHI_MAX_FILE_MB", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("YIZHI_MAX_FILE_MB=7\n", encoding="utf-8")
    argv = streamlit_argv(Settings(), ["--server.port", "9999"])
    assert argv == ["streamlit", "run", str(HOME), "--server.port", "9999", "--server.maxUploadSize", "7"]


def test_an_explicit_streamlit_cap_is_left_alone():
    argv = streamlit_argv(Settings(max_file_mb=7), ["--server.maxUploadSize=50"])
    assert argv == ["streamlit", "run", str(HOME), "--server.maxUploadSize=50"]


def _launch(monkeypatch, *argv: str) -> list[str] | int:
    """What `python -m app.serving.ui_launcher ARGV` hands to Streamlit (its argv), or its exit code."""
    import sys

    from app.serving import ui_launcher as launcher

    handed: list[list[str]] = []
    monkeypatch.setattr(launcher.cli, "main", lambda: handed.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["launcher", *argv])
    code = launcher.main()
    return handed[0] if handed else code


def test_the_ui_listens_on_loopback_unless_told_there_is_no_login(monkeypatch, capsys):
    """Started without `make run`, Streamlit listened on every interface with no login and no warning."""
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    argv = _launch(monkeypatch, "--server.port", "8599")
    assert argv[3:5] == ["--server.address", "127.0.0.1"]
    assert _launch(monkeypatch, "--server.address", "127.0.0.1")[3:5] == ["--server.address", "127.0.0.1"]
    for exposed in (["--server.address", "0.0.0.0"], ["--server.address=192.168.1.20"]):
        assert _launch(monkeypatch, *exposed) == 2
        error = capsys.readouterr().err
        assert "no login" in error and "--listen-without-login" in error
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "0.0.0.0")
    assert _launch(monkeypatch) == 2
    assert _launch(monkeypatch, "--listen-without-login") == ["streamlit", "run", str(HOME),
                                                              "--server.maxUploadSize", "200"]
    argv = _launch(monkeypatch, "--server.address", "0.0.0.0", "--listen-without-login")
    assert argv[3:5] == ["--server.address", "0.0.0.0"] and "--listen-without-login" not in argv


def test_the_launcher_refuses_an_open_address_before_streamlit_starts(tmp_path):
    import os
    import subprocess
    import sys

    from tests.app.ui.helpers import ROOT

    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("YIZHI_", "STREAMLIT_"))},
           "YIZHI_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "app.serving.ui_launcher", "--server.address", "0.0.0.0",
                           "--server.port", "8598", "--server.headless", "true"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "refusing to listen on 0.0.0.0" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
