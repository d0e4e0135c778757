"""What a photo check reports: a message id of the `photos` catalog, its severity, its values.

A result is data, never text: the flow renders it in the applicant's language with
``Translator.gettext(lang, result.code, **result.params)`` and the officer's review shows the
same message next to the photo. Results are stored as JSON in ``Document.check_results``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from core.i18n import Translator
from core.texts import LOCALE_DIR

Severity = Literal["blocking", "warning"]
BLOCKING: Severity = "blocking"
WARNING: Severity = "warning"

PHOTOS_DOMAIN = "photos"


class Code:
    """Every result code; each one is also a message id in the `photos` catalog."""

    # Any upload (blocking): the file itself.
    FILE_TOO_LARGE = "photo.file_too_large"
    NOT_AN_IMAGE = "photo.not_an_image"
    DAMAGED = "photo.damaged"
    TOO_MANY_PIXELS = "photo.too_many_pixels"
    # Face photo, blocking.
    TOO_SMALL = "photo.too_small"
    NOT_COLOUR = "photo.not_colour"
    NO_FACE = "photo.no_face"
    SEVERAL_FACES = "photo.several_faces"
    FACE_TOO_SMALL = "photo.face_too_small"
    FACE_CUT_OFF = "photo.face_cut_off"
    # Face photo, warnings.
    BACKGROUND_NOT_WHITE = "photo.background_not_white"
    BACKGROUND_UNEVEN = "photo.background_uneven"
    BLURRED = "photo.blurred"
    FACE_NOT_CENTRED = "photo.face_not_centred"
    FACE_TILTED = "photo.face_tilted"
    EYES_NOT_FOUND = "photo.eyes_not_found"
    # Document photos, warnings.
    DOCUMENT_UNREADABLE = "photo.document_unreadable"
    DOCUMENT_TOO_SMALL = "photo.document_too_small"
    DOCUMENT_BLURRED = "photo.document_blurred"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return tuple(v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str))


@dataclass(frozen=True)
class CheckResult:
    """One finding about one photo.

    Attributes:
        code: a `Code` value, also the message id in the `photos` catalog.
        severity: "blocking" (the photo is refused) or "warning" (the applicant may keep it;
            the officer sees the warning in review).
        params: JSON values for the message's placeholders and for the officer (measurements).

    """

    code: str
    severity: Severity
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(code=data["code"], severity=data["severity"], params=dict(data["params"]))


def blocking(code: str, **params: Any) -> CheckResult:
    return CheckResult(code, BLOCKING, params)


def warning(code: str, **params: Any) -> CheckResult:
    return CheckResult(code, WARNING, params)


def results_to_json(results: Iterable[CheckResult]) -> list[dict[str, Any]]:
    """Return the list stored in ``Document.check_results``."""
    return [result.to_json() for result in results]


@cache
def photo_messages() -> Translator:
    """Return the `photos` catalog (ky, ru), compiled once per process."""
    return Translator.load(LOCALE_DIR, PHOTOS_DOMAIN)


def render(result: CheckResult, lang: str, translator: Translator | None = None) -> str:
    """Return the result as a sentence in `lang`, naming the instruction's rule it breaks."""
    return (translator or photo_messages()).gettext(lang, result.code, **result.params)


def stored_warnings(check_results: Iterable[dict[str, Any]], lang: str) -> list[str]:
    """Return the warnings stored with a photo (``Document.check_results``) as sentences.

    What the officer reads on the review page, in the chat prompt and on the officer-filled
    form: the warning itself (blurred, background, tilt…), not merely that there is one.
    """
    out = []
    for data in check_results or ():
        result = CheckResult.from_json(data)
        if not result.blocking:
            out.append(render(result, lang))
    return out
