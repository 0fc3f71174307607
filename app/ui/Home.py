"""Streamlit entry point: `streamlit run app/ui/Home.py` (see `make run`).

The project is installed into the virtual environment (pyproject.toml), so `app` imports
from here without touching sys.path.
"""
from app.ui.main import run

run()
