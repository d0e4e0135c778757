"""Document photos: legible ones pass, small or blurred ones get warnings, unreadable refused."""

from __future__ import annotations

import pytest
from photo_samples import astronaut, jpeg
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from flows.photos import CheckResult, Code, analyse_upload


def passport_page(size: tuple[int, int] = (1280, 900)) -> Image.Image:
    """A passport-like page: lines of small print and a portrait, as a phone photographs it."""
    page = Image.new("RGB", size, (236, 231, 216))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=22)
    for line in range(20):
        text = f"КЫРГЫЗ РЕСПУБЛИКАСЫ / ПАСПОРТ  AN12345{line:02d}  ФАМИЛИЯСЫ / АТЫ / АТАСЫНЫН АТЫ"
        draw.text((40, 30 + line * 40), text, fill=(30, 30, 60), font=font)
    page.paste(astronaut().resize((250, 250)), (size[0] - 300, size[1] - 300))
    return page


@pytest.mark.parametrize("kind", ["passport_front", "passport_back", "certificate", "benefit"])
async def test_legible_document_is_accepted_without_warnings(kind: str) -> None:
    analysis = await analyse_upload(jpeg(passport_page()), kind=kind)
    assert analysis.accepted
    assert analysis.results == ()
    assert analysis.check_results() == []


async def test_blurred_document_is_kept_with_a_warning() -> None:
    blurred = passport_page().filter(ImageFilter.GaussianBlur(3))
    analysis = await analyse_upload(jpeg(blurred), kind="passport_front")
    assert analysis.accepted
    assert [r.code for r in analysis.warnings] == [Code.DOCUMENT_BLURRED]
    assert analysis.warnings[0].params["kind"] == "passport_front"


async def test_small_document_is_kept_with_a_warning_stating_the_minimum() -> None:
    analysis = await analyse_upload(jpeg(passport_page((640, 450))), kind="certificate")
    assert analysis.accepted
    assert analysis.warnings[0] == CheckResult(
        Code.DOCUMENT_TOO_SMALL,
        "warning",
        {"kind": "certificate", "min_width": 800, "min_height": 600, "width": 640, "height": 450},
    )


async def test_document_too_small_to_read_anything_is_refused() -> None:
    analysis = await analyse_upload(jpeg(passport_page((320, 240))), kind="passport_front")
    assert not analysis.accepted
    assert analysis.results == (
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
    )


async def test_document_that_is_not_an_image_is_refused() -> None:
    analysis = await analyse_upload(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", kind="certificate")
    assert analysis.image is None
    assert [r.code for r in analysis.blocking] == [Code.NOT_AN_IMAGE]
