"""`python -m app.serving.ui_launcher [--listen-without-login] [streamlit options]`: the
Streamlit server of app/ui, warmed up, on loopback unless told otherwise (`make run`).

The app has no login: anyone who reaches its port can read, fill and empty the knowledge
bases. Streamlit listens on every interface by default, so the launcher listens on
127.0.0.1 unless an address is given (`--server.address`, or STREAMLIT_SERVER_ADDRESS), and
refuses any address but a loopback one unless `--listen-without-login` says the user knows
(as `python -m app serve` refuses one without YIZHI_API_KEY).

Streamlit imports a page's modules on the first visit, which made the first page take
about a second longer than later ones. Importing them here, before the server accepts
anyone, moves that cost to start-up. No model is loaded: models still load on first use.
"""
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from streamlit.web import cli

# The warm-up: what the pages import, except the pages themselves (their Streamlit
# caches must be created inside the running server).
import app.services  # noqa: F401
import app.ui
import app.ui.pdf_preview  # noqa: F401  (PyMuPDF alone takes about a second)
import app.ui.textmark  # noqa: F401
from app.cli.common_cli import error_line, show
from app.settings import Settings, load_settings
from core.errors import YizhiError
from core.hosts import is_loopback

HOME = Path(app.ui.__file__).with_name("Home.py")
NO_LOGIN_FLAG = "--listen-without-login"
ADDRESS_OPTION = "--server.address"


def streamlit_argv(settings: Settings, options: Sequence[str]) -> list[str]:
    """The `streamlit run` command line for the app.

    Streamlit refuses an upload above its own cap before the app sees it, so that cap
    follows the project's setting (`YIZHI_MAX_FILE_MB`, from the environment or `.env`)
    unless the caller sets `--server.maxUploadSize` itself.
    """
    argv = ["streamlit", "run", str(HOME), *options]
    if not any(option.startswith("--server.maxUploadSize") for option in options):
        argv += ["--server.maxUploadSize", str(settings.max_file_mb)]
    return argv


def listening_address(options: Sequence[str]) -> str | None:
    """The address Streamlit will listen on as the options and environment set it; None when
    nothing sets one (Streamlit's default: every interface)."""
    for i, option in enumerate(options):
        if option == ADDRESS_OPTION and i + 1 < len(options):
            return options[i + 1]
        if option.startswith(ADDRESS_OPTION + "="):
            return option.split("=", 1)[1]
    return os.environ.get("STREAMLIT_SERVER_ADDRESS") or None


def exposure_problem(address: str) -> str:
    """Why the app must not listen on `address` without the flag ("" when it may)."""
    if is_loopback(address):
        return ""
    return (f"refusing to listen on {address or 'every interface'}: Yizhi's app has no login, so anyone who can "
            "reach that address could read your knowledge bases through answers and sources, upload files to this "
            "disk and delete documents. Listen on 127.0.0.1 (the default), or, on a network you trust, add "
            f"{NO_LOGIN_FLAG} (make run HOST=0.0.0.0 LISTEN_WITHOUT_LOGIN=1) to say you know there is no login")


def main() -> int:
    try:
        settings = load_settings()
    except YizhiError as exc:  # a bad YIZHI_* value: say which, before Streamlit starts
        show(error_line(exc), file=sys.stderr)
        return 2
    options = [option for option in sys.argv[1:] if option != NO_LOGIN_FLAG]
    address = listening_address(options)
    if address is None:
        options = [ADDRESS_OPTION, "127.0.0.1", *options]
    elif NO_LOGIN_FLAG not in sys.argv[1:] and exposure_problem(address):
        show(f"error: {exposure_problem(address)}", file=sys.stderr)
        return 2
    sys.argv = streamlit_argv(settings, options)
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
