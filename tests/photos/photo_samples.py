"""Photographs for the photo checks: one real portrait and the variants derived from it.

`tests/data/astronaut.jpg` is the only file checked in (see tests/data/README.md); every other
case is made here, in memory or in a temporary directory, so nothing large is committed.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ASTRONAUT = DATA_DIR / "astronaut.jpg"

# Where the astronaut's head (hair included) sits in the 512x512 original.
HEAD_ELLIPSE = (150, 10, 304, 196)


def astronaut() -> Image.Image:
    with Image.open(ASTRONAUT) as im:
        return im.convert("RGB")


def jpeg(im: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def encode(im: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **options)
    return buffer.getvalue()


def face_on_white() -> Image.Image:
    """The astronaut's head and shoulders cut out and pasted on a white passport-style card."""
    src = astronaut()
    mask = Image.new("L", src.size, 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse(HEAD_ELLIPSE, fill=255)
    # Neck and shoulders: the suit below the head, as in a passport photo.
    draw.polygon([(195, 170), (260, 170), (345, 300), (110, 300)], fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(2))
    card = Image.new("RGB", src.size, "white")
    card.paste(src, (0, 0), mask)
    card = card.crop((103, 0, 353, 300))  # head centred, shoulders reach the bottom edge
    return card.resize((500, 600), Image.Resampling.LANCZOS)


def grayscale(im: Image.Image) -> Image.Image:
    return ImageOps.grayscale(im).convert("RGB")


def sepia(im: Image.Image) -> Image.Image:
    """The classic sepia matrix: every pixel becomes one brown hue scaled by its brightness."""
    matrix = (0.393, 0.769, 0.189, 0, 0.349, 0.686, 0.168, 0, 0.272, 0.534, 0.131, 0)
    return im.convert("RGB", matrix)


def blurred(im: Image.Image, radius: float = 4) -> Image.Image:
    return im.filter(ImageFilter.GaussianBlur(radius))


def tiled(im: Image.Image, count: int) -> Image.Image:
    """A row of `count` copies: a group photo in which every face is as large as the first."""
    group = Image.new("RGB", (im.width * count, im.height), "white")
    for i in range(count):
        group.paste(im, (i * im.width, 0))
    return group


def background_only() -> Image.Image:
    """The shuttle model and studio backdrop to the right of the astronaut: no face."""
    return astronaut().crop((330, 0, 512, 260)).resize((546, 780), Image.Resampling.LANCZOS)


def png_header_bomb(width: int, height: int) -> bytes:
    """A PNG declaring `width` x `height` 1-bit pixels; its few all-zero rows compress to little."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    # Only the first rows are real data: Pillow must refuse on the header, before decoding.
    body = packer.compress(row * 64) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks
