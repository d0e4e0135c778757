"""Document photos (passport front and back, certificate, benefit documents): legible or not.

Every finding here is a warning: the applicant may keep the photo, and the officer who reviews
the entry sees why it was doubted. Only an upload that does not decode is refused (decode.py).
"""

from __future__ import annotations

import cv2

from flows.photos.decode import DecodedImage, analysis_rgb
from flows.photos.measure import sharpness
from flows.photos.results import CheckResult, Code, warning

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
        Warnings only: too small to read (with the minimum), blurred.

    """
    results: list[CheckResult] = []
    long_side = max(decoded.width, decoded.height)
    short_side = min(decoded.width, decoded.height)
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
