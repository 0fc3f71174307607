"""The knowledge-base page (app.ui.kb_page)."""
from app.ui import kb_page

kb_page.render()
