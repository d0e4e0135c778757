"""Turning an uploaded file into a stored image: decoded by Pillow, never trusted by name.

Decoding is CPU work: callers run `prepare_image` through `asyncio.to_thread` (DESIGN.md
principle 7). The full automatic face checks are another issue; `check_face_photo` is their hook.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageChops, ImageOps, ImageStat, UnidentifiedImageError

from flows.validation import Rejected
from storage.enums import DocumentKind

MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding the pixels
MAX_SIDE = 2400  # stored copies are scaled down to this; enough to read any document
DOCUMENT_MIN = (600, 400)  # long side, short side
FACE_MIN = (400, 500)  # width, height
JPEG_QUALITY = 90
# Mean spread between the colour channels below which a picture is black-and-white.
GRAYSCALE_SPREAD = 6.0


@dataclass(frozen=True)
class CheckResult:
    """One finding about a photo; a blocking one refuses it, a warning is shown to the officer."""

    code: str
    blocking: bool
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "blocking": self.blocking, "params": self.params}


@dataclass(frozen=True)
class PreparedImage:
    jpeg: bytes
    width: int
    height: int
    checks: tuple[CheckResult, ...] = ()
    mime: str = "image/jpeg"


def check_face_photo(image: Image.Image) -> list[CheckResult]:
    """Check a face photo against the instruction's requirements.

    This version checks only that it is in colour; the face, background and blur checks
    plug in here (issue 6) and return more results.
    """
    small = image.convert("RGB")
    small.thumbnail((128, 128))
    r, g, b = small.split()
    spread = sum(
        ImageStat.Stat(ImageChops.difference(a, c)).mean[0] for a, c in ((r, g), (g, b), (r, b))
    )
    if spread / 3 < GRAYSCALE_SPREAD:
        return [CheckResult("face.not_colour", blocking=True)]
    return []


def prepare_image(data: bytes, kind: DocumentKind) -> PreparedImage | Rejected:
    """Decode an upload, apply its orientation, check its size and re-encode it as JPEG.

    Metadata (EXIF, GPS) is dropped by the re-encoding.
    """
    try:
        with Image.open(io.BytesIO(data)) as source:
            width, height = source.size
            if width * height > MAX_PIXELS:
                return Rejected("error.file.too_large")
            source.load()
            image = ImageOps.exif_transpose(source).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Rejected("error.file.too_large")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return Rejected("error.file.not_image")
    width, height = image.size
    if kind is DocumentKind.FACE:
        if width < FACE_MIN[0] or height < FACE_MIN[1]:
            return Rejected("error.file.face_too_small", {"w": FACE_MIN[0], "h": FACE_MIN[1]})
        checks = tuple(check_face_photo(image))
        blocking = [c for c in checks if c.blocking]
        if blocking:
            return Rejected(f"error.{blocking[0].code}", blocking[0].params)
    else:
        if max(width, height) < DOCUMENT_MIN[0] or min(width, height) < DOCUMENT_MIN[1]:
            return Rejected(
                "error.file.document_too_small", {"w": DOCUMENT_MIN[0], "h": DOCUMENT_MIN[1]}
            )
        checks = ()
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedImage(out.getvalue(), image.width, image.height, checks)
