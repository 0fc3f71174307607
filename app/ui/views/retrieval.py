"""The retrieval test page, 命中测试 (app.ui.retrieval_page)."""
from app.ui import retrieval_page

retrieval_page.render()
