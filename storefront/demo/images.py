"""Small generated product pictures, so every demo product has an image without shipping any.

A flat card in the brand's colours with a silhouette of the kind of product and its name: a few
kilobytes of PNG made by Pillow in about a millisecond.
"""

import io
import textwrap
from functools import cache

from PIL import Image, ImageDraw, ImageFont

SIZE = 320


@cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _silhouette(draw: ImageDraw.ImageDraw, kind: str, fill: str) -> None:
    """A rough outline of the product: phone, tablet, laptop, round device, or box."""
    middle = SIZE // 2
    if kind == "phone":
        draw.rounded_rectangle((middle - 45, 40, middle + 45, 210), radius=16, fill=fill)
    elif kind == "tablet":
        draw.rounded_rectangle((middle - 85, 50, middle + 85, 200), radius=12, fill=fill)
    elif kind == "laptop":
        draw.rounded_rectangle((middle - 90, 60, middle + 90, 180), radius=6, fill=fill)
        draw.rectangle((middle - 110, 182, middle + 110, 194), fill=fill)
    elif kind == "device":
        draw.ellipse((middle - 70, 55, middle + 70, 195), fill=fill)
    else:
        draw.rounded_rectangle((middle - 75, 60, middle + 75, 200), radius=28, fill=fill)


def product_image_png(*, name: str, kind: str, background: str, foreground: str) -> bytes:
    """A PNG picture of a product named `name`, drawn in the brand's colours (`#rrggbb`)."""
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    _silhouette(draw, kind, foreground)
    lines = textwrap.wrap(name, width=24)[:2]
    for row, line in enumerate(lines):
        draw.text((SIZE // 2, 240 + row * 28), line, fill=foreground, font=_font(22), anchor="mt")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
