"""Safe decoding of an uploaded image into a clean JPEG that is the only thing ever stored.

The type is decided by decoding with a closed list of Pillow formats, never by the file name or
the declared MIME type. Limits are checked per call (bytes first, then the pixel count read from
the header, before any pixel is decoded), so nothing here changes Pillow's global settings.
The result carries no metadata: EXIF orientation is applied to the pixels, then EXIF (GPS,
camera), XMP, ICC and comments are dropped by re-encoding.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from flows.photos.results import CheckResult, Code, blocking

try:  # HEIC (iPhone photos) only where the wheel's libheif is present.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - pillow-heif is a pinned dependency
    register_heif_opener = None
else:
    register_heif_opener()

Image.init()  # register WebP & co. now: Image.open(formats=...) does not load plugins itself

MAX_BYTES = 20 * 1024 * 1024
# What a phone camera makes at most, in JPEG or HEIC, in its full-resolution mode: 50-megapixel
# sensors write 8160x6144 (50.1 MP), 48-megapixel ones 8064x6048. The 108/200 MP modes and
# made-up headers are refused from the header. libjpeg decodes a JPEG at 1/4 scale here.
MAX_PIXELS = 52_000_000
# PNG and WebP are not what cameras write: screenshots (a phone's is 3-4 MP) and scans (an A4
# page at 400 dpi is 15.5 MP). They cannot be decoded at a reduced scale, so every declared
# pixel costs 3-4 bytes at once: 16 MP is 48-64 MB, more than the 2000 px we keep needs.
MAX_DRAWN_PIXELS = 16_000_000
CAMERA_FORMATS = frozenset({"JPEG", "HEIF"})
STORED_MAX_SIDE = 2000
# A face photo needs less: 1000 px is 750×1000 for a portrait, above a 3×4 cm print at 600 dpi,
# and lets libjpeg decode a 12-megapixel photo at 1/4 scale (the check then costs less than a
# full decode: see docs/performance.md).
FACE_STORED_MAX_SIDE = 1000
ANALYSIS_MAX_SIDE = 800
JPEG_QUALITY = 88
# Pillow format names tried, in this order; anything else (GIF, BMP, TIFF, EPS, PDF, SVG...) is
# refused as "not an image" without being handed to another decoder.
ACCEPTED_FORMATS: tuple[str, ...] = tuple(
    name for name in ("JPEG", "PNG", "WEBP", "HEIF") if name in Image.OPEN
)
ACCEPTED_NAMES = ", ".join({"WEBP": "WebP", "HEIF": "HEIC"}.get(n, n) for n in ACCEPTED_FORMATS)


@dataclass(frozen=True)
class DecodedImage:
    """A decoded upload, re-encoded as a metadata-free JPEG.

    Attributes:
        jpeg_bytes: what to store (the original bytes are not kept).
        width: pixel width of `jpeg_bytes`, after the EXIF orientation was applied.
        height: pixel height of `jpeg_bytes`.
        sha256: hex digest of `jpeg_bytes` (the file store's content address).
        mime: always "image/jpeg".

    """

    jpeg_bytes: bytes = field(repr=False)
    width: int
    height: int
    sha256: str
    mime: str = "image/jpeg"
    # A small RGB copy kept from decoding so the checks need not decode the JPEG again.
    preview: Image.Image | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.jpeg_bytes)

    @classmethod
    def from_jpeg(cls, jpeg_bytes: bytes) -> DecodedImage:
        """Wrap a JPEG produced earlier by `decode_upload` (e.g. read back from the file store)."""
        with Image.open(io.BytesIO(jpeg_bytes), formats=["JPEG"]) as im:
            width, height = im.size
        return cls(jpeg_bytes, width, height, hashlib.sha256(jpeg_bytes).hexdigest())


def decode_upload(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    stored_max_side: int = STORED_MAX_SIDE,
) -> DecodedImage | CheckResult:
    """Decode an upload safely, or say why it is refused.

    Args:
        data: the uploaded bytes, whatever the file was called.
        max_bytes: larger files are refused before anything is parsed.
        max_pixels: JPEG and HEIC images declaring more pixels are refused before their pixels
            are decoded; PNG and WebP ones past `MAX_DRAWN_PIXELS` too.
        stored_max_side: the longer side of the stored copy, at most.

    Returns:
        A `DecodedImage`, or a blocking `CheckResult` (file too large, not an image in an
        accepted format, damaged or incomplete, too many pixels).

    """
    if len(data) > max_bytes:
        return blocking(Code.FILE_TOO_LARGE, max_mb=max_bytes // (1024 * 1024))
    not_an_image = blocking(Code.NOT_AN_IMAGE, formats=ACCEPTED_NAMES)
    if not data:
        return not_an_image
    try:
        im = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own global guard fired first (far above ours); same answer.
        return _too_many_pixels(max_pixels)
    except UnidentifiedImageError:
        return not_an_image
    # A header that fools a format's check can still break its parser in any way.
    except Exception:  # noqa: BLE001
        return not_an_image
    with im:
        width, height = im.size
        limit = max_pixels if im.format in CAMERA_FORMATS else min(max_pixels, MAX_DRAWN_PIXELS)
        if width * height > limit or width < 1 or height < 1:
            return _too_many_pixels(limit)
        try:
            return _reencode(im, stored_max_side)
        # Untrusted bytes can make a decoder fail in many ways (OSError "truncated", zlib,
        # struct, EOF...). Every one of them means the same thing to the applicant.
        except Exception:  # noqa: BLE001
            return blocking(Code.DAMAGED)


def analysis_rgb(decoded: DecodedImage, max_side: int = ANALYSIS_MAX_SIDE) -> np.ndarray:
    """Return an RGB array of the stored image with its longer side at most `max_side` pixels."""
    preview = decoded.preview
    if preview is None:
        with Image.open(io.BytesIO(decoded.jpeg_bytes), formats=["JPEG"]) as im:
            im.draft("RGB", _draft_size(im.size, max_side))
            preview = im.convert("RGB")
    return np.asarray(_shrunk(preview, max_side))


def _shrunk(im: Image.Image, max_side: int) -> Image.Image:
    """Return `im` at most `max_side` pixels long, by a whole factor (a box filter: fast)."""
    factor = math.ceil(max(im.size) / max_side)
    return im.reduce(factor) if factor > 1 else im


def _reencode(im: Image.Image, stored_max_side: int) -> DecodedImage:
    # JPEG only: let libjpeg decode at 1/2, 1/4 or 1/8 scale, still >= the stored size.
    im.draft("RGB", _draft_size(im.size, stored_max_side))
    im.load()  # the first frame of an animated WebP/PNG
    ImageOps.exif_transpose(im, in_place=True)
    rgb = _to_rgb(im)
    if max(rgb.size) > stored_max_side:
        rgb.thumbnail(
            (stored_max_side, stored_max_side), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    rgb.info.clear()  # nothing of the original's metadata may travel into the saved file
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=JPEG_QUALITY, exif=b"")
    jpeg_bytes = buffer.getvalue()
    preview = _shrunk(rgb, ANALYSIS_MAX_SIDE)
    if preview is im:  # a small photo: keep its own pixels, not the file object being closed
        preview = preview.copy()
    return DecodedImage(
        jpeg_bytes=jpeg_bytes,
        width=rgb.width,
        height=rgb.height,
        sha256=hashlib.sha256(jpeg_bytes).hexdigest(),
        preview=preview,
    )


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB pixels; transparent areas become white (a passport photo's background)."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNG: scale to 8 bits rather than let convert() clip at 255.
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    # Already RGB: keep the same pixels, no copy (a 40-megapixel PNG is 120 MB of them).
    return im.convert("RGB") if im.mode != "RGB" else im


def _draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _too_many_pixels(max_pixels: int) -> CheckResult:
    return blocking(Code.TOO_MANY_PIXELS, max_megapixels=max_pixels // 1_000_000)
