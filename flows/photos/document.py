"""Document photos (passport front and back, certificate, benefit documents): legible or not.

A photo too small for any document to be read is refused; every other finding is a warning:
the applicant may keep the photo, and the officer who reviews the entry sees why it was doubted.
"""

from __future__ import annotations

import cv2

from flows.photos.decode import DecodedImage, analysis_rgb
from flows.photos.measure import sharpness
from flows.photos.results import CheckResult, Code, blocking, warning

# Below this nothing on a passport page can be read: refused outright.
UNREADABLE_LONG_SIDE = 600
UNREADABLE_SHORT_SIDE = 400
MIN_LONG_SIDE = 800  # pixels: a passport page at this size is still legible
MIN_SHORT_SIDE = 600
SHARPNESS_SIDE = 800  # text needs more pixels than a face to show its edges
BLUR_SHARPNESS = 150.0


def check_document_photo(decoded: DecodedImage, kind: str) -> list[CheckResult]:
    """Check that a document photo is large and sharp enough to read.

    Args:
        decoded: the decoded upload.
        kind: the document's kind (a `DocumentKind` value); kept in the results' params so the
            officer's review can say which document is doubted.

    Returns:
        A blocking result alone when the photo is far too small to read; otherwise warnings:
        small (with the recommended minimum), blurred.

    """
    results: list[CheckResult] = []
    long_side = max(decoded.width, decoded.height)
    short_side = min(decoded.width, decoded.height)
    if long_side < UNREADABLE_LONG_SIDE or short_side < UNREADABLE_SHORT_SIDE:
        return [
            blocking(
                Code.DOCUMENT_UNREADABLE,
                kind=kind,
                min_width=UNREADABLE_LONG_SIDE,
                min_height=UNREADABLE_SHORT_SIDE,
                width=decoded.width,
                height=decoded.height,
            )
        ]
    if long_side < MIN_LONG_SIDE or short_side < MIN_SHORT_SIDE:
        results.append(
            warning(
                Code.DOCUMENT_TOO_SMALL,
                kind=kind,
                min_width=MIN_LONG_SIDE,
                min_height=MIN_SHORT_SIDE,
                width=decoded.width,
                height=decoded.height,
            )
        )
    gray = cv2.cvtColor(analysis_rgb(decoded), cv2.COLOR_RGB2GRAY)
    # Measured at the analysis size, never enlarged: enlarging would blur a small photo further.
    document_sharpness = sharpness(gray, min(SHARPNESS_SIDE, max(gray.shape)))
    if document_sharpness < BLUR_SHARPNESS:
        results.append(
            warning(Code.DOCUMENT_BLURRED, kind=kind, sharpness=round(document_sharpness, 1))
        )
    return results
