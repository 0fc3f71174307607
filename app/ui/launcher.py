"""`python -m app.ui.launcher [streamlit options]`: the Streamlit server, warmed up.

Streamlit imports a page's modules on the first visit, which made the first page take
about a second longer than later ones. Importing them here, before the server accepts
anyone, moves that cost to start-up. No model is loaded: models still load on first use.
"""
import sys
from collections.abc import Sequence
from pathlib import Path

from streamlit.web import cli

# The warm-up: what the pages import, except the pages themselves (their Streamlit
# caches must be created inside the running server).
import app.services  # noqa: F401
import app.ui.pdf_preview  # noqa: F401  (PyMuPDF alone takes about a second)
import app.ui.textmark  # noqa: F401
from app.settings import Settings, load_settings
from core.errors import YizhiError

HOME = Path(__file__).with_name("Home.py")


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


def main() -> int:
    try:
        settings = load_settings()
    except YizhiError as exc:  # a bad YIZHI_* value: say which, before Streamlit starts
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.argv = streamlit_argv(settings, sys.argv[1:])
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
