"""The chat page (app.ui.chat_page)."""
from app.ui import chat_page

chat_page.render()
