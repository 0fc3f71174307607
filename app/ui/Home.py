"""Streamlit entry point: `streamlit run app/ui/Home.py` (see `make run`)."""
import sys
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the project root.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from app.ui.main import run  # noqa: E402

run()
