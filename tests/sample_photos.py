"""Photos that pass the checks, for end-to-end tests of every channel.

The face is the public-domain astronaut portrait cut out onto a white card (see
tests/photos/photo_samples.py); the document is a page of printed lines, sharp enough to read.
"""

from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image, ImageDraw, ImageOps

from tests.photos.photo_samples import face_on_white

_GLYPHS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


@cache
def face_photo_jpeg() -> bytes:
    """A colour passport-style portrait on a white background: no warnings."""
    return _jpeg(face_on_white())


@cache
def grey_face_photo_jpeg() -> bytes:
    """The same portrait in black and white: refused (the photo must be in colour)."""
    return _jpeg(ImageOps.grayscale(face_on_white()).convert("RGB"))


@cache
def document_photo_jpeg(size: tuple[int, int] = (1200, 800)) -> bytes:
    """A document page with a frame and lines of print: legible, no warnings."""
    rnd = random.Random(size[0] * 7 + size[1])
    page = Image.new("RGB", size, (236, 230, 214))
    draw = ImageDraw.Draw(page)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline=(90, 60, 40), width=4)
    for y in range(60, size[1] - 60, 28):
        x = 60
        while x < size[0] - 200:
            width = rnd.randint(30, 140)
            start = rnd.randint(0, 30)
            draw.text((x, y), _GLYPHS[start : start + width // 10], fill=(30, 30, 60))
            x += width + 20
    return _jpeg(page)


def tiny_photo_jpeg() -> bytes:
    """A thumbnail far too small to read a document from."""
    return _jpeg(Image.new("RGB", (200, 150), (230, 220, 200)))
