"""Photo checks: safe decoding of every upload, face and document photo checks.

The flow calls `analyse_upload` and stores ``analysis.image`` with ``analysis.check_results()``
when ``analysis.accepted``; every result renders in ky or ru from the `photos` catalog.
"""

from flows.photos.decode import ACCEPTED_NAMES, DecodedImage, decode_upload
from flows.photos.document import check_document_photo
from flows.photos.face import check_face_photo
from flows.photos.results import (
    BLOCKING,
    WARNING,
    CheckResult,
    Code,
    photo_messages,
    render,
    results_to_json,
    stored_warnings,
)
from flows.photos.upload import FACE_KIND, UploadAnalysis, analyse_upload, analyse_upload_sync

__all__ = [
    "ACCEPTED_NAMES",
    "BLOCKING",
    "FACE_KIND",
    "WARNING",
    "CheckResult",
    "Code",
    "DecodedImage",
    "UploadAnalysis",
    "analyse_upload",
    "analyse_upload_sync",
    "check_document_photo",
    "check_face_photo",
    "decode_upload",
    "photo_messages",
    "render",
    "results_to_json",
    "stored_warnings",
]
