"""One call for the flow: decode an upload and run the checks of its kind, off the event loop."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from prometheus_client import Histogram

from flows.photos.decode import (
    FACE_STORED_MAX_SIDE,
    MAX_BYTES,
    MAX_PIXELS,
    STORED_MAX_SIDE,
    DecodedImage,
    decode_upload,
)
from flows.photos.document import check_document_photo
from flows.photos.face import check_face_photo
from flows.photos.results import CheckResult, results_to_json

FACE_KIND = "face"  # DocumentKind.FACE; every other kind is checked as a document
# Declared beside what it measures; `GET /metrics` exposes every metric of the process.
PHOTO_CHECK_SECONDS = Histogram(
    "ortbot_photo_check_seconds",
    "Time to decode and check one uploaded photo, by kind (face or document).",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0),
)
# A decode holds up to ~130 MB (a 16-megapixel PNG decoded in full, then resized): photos sent
# together, by one applicant or by many, queue for these workers instead of all decoding at
# once. Two threads of their own, not a semaphore over asyncio's shared pool: the memory each
# decode frees stays in its thread's malloc arena, so fewer threads also keep less of it.
DECODES_AT_ONCE = 2
_decoders = ThreadPoolExecutor(max_workers=DECODES_AT_ONCE, thread_name_prefix="photo-decode")


@dataclass(frozen=True)
class UploadAnalysis:
    """What became of one upload.

    Attributes:
        image: the clean JPEG to store, or None when the upload is not an acceptable image.
        results: every finding, blocking ones first.

    """

    image: DecodedImage | None
    results: tuple[CheckResult, ...]

    @property
    def accepted(self) -> bool:
        """True when the photo may be stored: it decoded and nothing blocks it."""
        return self.image is not None and not self.blocking

    @property
    def blocking(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.blocking)

    @property
    def warnings(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.blocking)

    def check_results(self) -> list[dict[str, Any]]:
        """JSON for ``Document.check_results`` (the warnings the applicant chose to keep)."""
        return results_to_json(self.results)


def analyse_upload_sync(
    data: bytes, *, kind: str, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> UploadAnalysis:
    """Decode `data` and check it as a `kind` photo, in the calling thread."""
    stored_max_side = FACE_STORED_MAX_SIDE if kind == FACE_KIND else STORED_MAX_SIDE
    decoded = decode_upload(
        data, max_bytes=max_bytes, max_pixels=max_pixels, stored_max_side=stored_max_side
    )
    if isinstance(decoded, CheckResult):
        return UploadAnalysis(image=None, results=(decoded,))
    if kind == FACE_KIND:
        results = check_face_photo(decoded)
    else:
        results = check_document_photo(decoded, kind)
    ordered = sorted(results, key=lambda r: not r.blocking)
    return UploadAnalysis(image=decoded, results=tuple(ordered))


async def analyse_upload(
    data: bytes, *, kind: str, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> UploadAnalysis:
    """Decode and check an upload in a decoding thread, so the event loop never waits for it.

    Args:
        data: the uploaded bytes (a Telegram photo or document, a WhatsApp media file).
        kind: a `DocumentKind` value: "face" runs the face photo checks, any other kind the
            document checks.
        max_bytes: refuse larger files before parsing them.
        max_pixels: refuse images declaring more pixels before decoding them.

    Returns:
        The analysis: store ``analysis.image`` when ``analysis.accepted``; otherwise tell the
        applicant ``analysis.blocking`` and ask for another photo.

    """
    work = functools.partial(
        analyse_upload_sync, data, kind=kind, max_bytes=max_bytes, max_pixels=max_pixels
    )
    with PHOTO_CHECK_SECONDS.labels("face" if kind == FACE_KIND else "document").time():
        return await asyncio.get_running_loop().run_in_executor(_decoders, work)
