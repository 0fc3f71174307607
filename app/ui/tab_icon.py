"""The browser tab's icon, drawn here and served by this app.

`st.set_page_config(page_icon=":material/…")` made every page fetch the icon from
fonts.gstatic.com: an offline app must not ask the internet for anything. An image given
to Streamlit is served from its own media endpoint, so the icon is drawn once per process
(an open book, in the app's colours) instead of shipped as a binary file.
"""
from __future__ import annotations

import functools

from PIL import Image, ImageDraw

SIZE = 64
BACKGROUND = (31, 111, 235, 255)
PAGE = (255, 255, 255, 255)


@functools.lru_cache(maxsize=1)
def tab_icon() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=14, fill=BACKGROUND)
    draw.polygon([(10, 18), (30, 22), (30, 50), (10, 46)], fill=PAGE)  # the left page
    draw.polygon([(34, 22), (54, 18), (54, 46), (34, 50)], fill=PAGE)  # the right page
    return image
