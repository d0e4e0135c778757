"""Every result has a Kyrgyz and a Russian text in the `photos` catalog that names its rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from photo_samples import astronaut, face_on_white, jpeg, png_header_bomb, tiled

from core.i18n import Translator
from flows.photos import CheckResult, Code, analyse_upload_sync, render

CATALOG = Translator.load(Path("core/locale"), "photos")

# One real result of every kind the checks produce, so the texts are rendered with the very
# parameters the code puts in them.
SAMPLES = [
    CheckResult(Code.FILE_TOO_LARGE, "blocking", {"max_mb": 20}),
    CheckResult(Code.NOT_AN_IMAGE, "blocking", {"formats": "JPEG, PNG, WebP, HEIC"}),
    CheckResult(Code.DAMAGED, "blocking", {}),
    CheckResult(Code.TOO_MANY_PIXELS, "blocking", {"max_megapixels": 16}),
    CheckResult(
        Code.TOO_SMALL,
        "blocking",
        {"min_width": 400, "min_height": 400, "width": 250, "height": 300},
    ),
    CheckResult(Code.NOT_COLOUR, "blocking", {"tone": "sepia", "spread": 2.2}),
    CheckResult(Code.NO_FACE, "blocking", {}),
    CheckResult(Code.SEVERAL_FACES, "blocking", {"count": 3}),
    CheckResult(Code.FACE_TOO_SMALL, "blocking", {"share": 0.1}),
    CheckResult(Code.FACE_CUT_OFF, "blocking", {}),
    CheckResult(Code.BACKGROUND_NOT_WHITE, "warning", {"lightness": 140.0, "chroma": 11.0}),
    CheckResult(Code.BACKGROUND_UNEVEN, "warning", {"deviation": 50.0}),
    CheckResult(Code.BLURRED, "warning", {"sharpness": 20.0}),
    CheckResult(Code.FACE_NOT_CENTRED, "warning", {"offset": -0.23, "centre_y": 0.38}),
    CheckResult(Code.FACE_TILTED, "warning", {"angle": 14.9}),
    CheckResult(Code.EYES_NOT_FOUND, "warning", {}),
    CheckResult(
        Code.DOCUMENT_UNREADABLE,
        "blocking",
        {
            "kind": "passport_front",
            "min_width": 600,
            "min_height": 400,
            "width": 320,
            "height": 240,
        },
    ),
    CheckResult(
        Code.DOCUMENT_TOO_SMALL,
        "warning",
        {"kind": "certificate", "min_width": 800, "min_height": 600, "width": 640, "height": 450},
    ),
    CheckResult(Code.DOCUMENT_BLURRED, "warning", {"kind": "passport_back", "sharpness": 12.0}),
]

# The instruction's words for the rule each text must cite (ky, ru).
RULE_WORDS = {
    Code.NOT_COLOUR: ("түстүү болушу керек (паспорттогудай)", "цветной (как в паспорте)"),
    Code.BACKGROUND_NOT_WHITE: ("ак же акка жакын", "белым или близким к белому"),
    Code.BACKGROUND_UNEVEN: ("ашыкча нерселер жана көлөкөлөр", "посторонних предметов и теней"),
    Code.EYES_NOT_FOUND: ("көз айнек", "очки запрещены"),
    Code.FACE_NOT_CENTRED: ("камераны түз карап", "прямо в камеру"),
    Code.DOCUMENT_BLURRED: ("так, жакшы көрүнүшү керек", "чёткими"),
}


def test_samples_cover_every_code() -> None:
    assert sorted(s.code for s in SAMPLES) == sorted(Code.all())


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("result", SAMPLES, ids=lambda r: r.code)
def test_every_code_has_a_text_in_both_languages(lang: str, result: CheckResult) -> None:
    assert CATALOG.has(lang, result.code)
    text = render(result, lang, CATALOG)
    assert "{" not in text and result.code not in text
    for value in ("min_width", "min_height", "max_mb", "max_megapixels", "count"):
        if value in result.params:
            assert str(result.params[value]) in text  # the limit is stated, not implied
    if result.code in RULE_WORDS:
        ky, ru = RULE_WORDS[result.code]
        assert (ky if lang == "ky" else ru) in text


def test_languages_differ_and_name_the_accepted_formats() -> None:
    result = SAMPLES[1]
    ky, ru = render(result, "ky", CATALOG), render(result, "ru", CATALOG)
    assert ky != ru
    assert "JPEG, PNG, WebP, HEIC" in ky and "JPEG, PNG, WebP, HEIC" in ru


@pytest.mark.parametrize(
    "data, kind",
    [
        (png_header_bomb(30_000, 30_000), "face"),
        (jpeg(tiled(face_on_white(), 2)), "face"),
        (jpeg(astronaut()), "face"),
        (jpeg(astronaut()), "certificate"),
    ],
    ids=["bomb", "group", "busy-background", "small-document"],
)
def test_real_results_render_in_both_languages(data: bytes, kind: str) -> None:
    results = analyse_upload_sync(data, kind=kind).results
    assert results
    for result in results:
        for lang in ("ky", "ru"):
            assert "{" not in render(result, lang)
