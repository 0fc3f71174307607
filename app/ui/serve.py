"""`python -m app.ui.serve [streamlit options]`: the Streamlit server, warmed up.

Streamlit imports a page's modules on the first visit, which made the first page take
about a second longer than later ones. Importing them here, before the server accepts
anyone, moves that cost to start-up. No model is loaded: models still load on first use.
"""
import sys
from pathlib import Path

from streamlit.web import cli

# The warm-up: what the pages import, except the pages themselves (their Streamlit
# caches must be created inside the running server).
import app.service  # noqa: F401
import app.ui.pdf_preview  # noqa: F401  (PyMuPDF alone takes about a second)
import app.ui.textmark  # noqa: F401

HOME = Path(__file__).with_name("Home.py")

if __name__ == "__main__":
    sys.argv = ["streamlit", "run", str(HOME), *sys.argv[1:]]
    sys.exit(cli.main())
