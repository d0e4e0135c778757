"""A corpus of files nobody should be able to register as a passport photo."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import Image

from tests.sample_photos import document_photo_jpeg


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb() -> bytes:
    """A PNG of 60,000 × 60,000 pixels (3.6 gigapixels) in a few kilobytes."""
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * 60_000
    data = zlib.compress(row * 64, 9)  # the first rows; the decoder must refuse before this
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    photo = document_photo_jpeg()
    return photo[: len(photo) // 3]


def html_jpeg_polyglot() -> bytes:
    """An HTML page a browser would run, with a whole JPEG inside it."""
    return b"<html><script>alert(document.cookie)</script><!--" + document_photo_jpeg() + b"-->"


def svg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1200" '
        b'height="800"><script>alert(1)</script><rect width="1200" height="800"/></svg>'
    )


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
        b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def text_named_jpg() -> bytes:
    return "Паспорт: AN1234567\n".encode() * 100


def random_noise(size: int = 12 * 1024 * 1024) -> bytes:
    """Huge and meaningless (the channel's own size limit is tested by the channel)."""
    return os.urandom(size)


def tiff_of_one_pixel() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, "TIFF")
    return out.getvalue()


# name -> (bytes, the file name and type it claims)
CORPUS = {
    "bomb": (decompression_bomb, "scan.png", "image/png"),
    "truncated": (truncated_jpeg, "pasport.jpg", "image/jpeg"),
    "polyglot": (html_jpeg_polyglot, "pasport.jpg", "image/jpeg"),
    "zero bytes": (lambda: b"", "pasport.jpg", "image/jpeg"),
    "huge noise": (random_noise, "pasport.jpg", "image/jpeg"),
    "wrong extension": (text_named_jpg, "pasport.jpg", "image/jpeg"),
    "svg": (svg, "pasport.svg", "image/svg+xml"),
    "pdf": (pdf, "pasport.pdf", "application/pdf"),
    "one pixel tiff": (tiff_of_one_pixel, "pasport.tiff", "image/tiff"),
}
