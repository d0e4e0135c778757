"""The face photo: each requirement of the instruction on a real portrait and its variants."""

from __future__ import annotations

import json

import pytest
from photo_samples import (
    astronaut,
    background_only,
    blurred,
    face_on_white,
    grayscale,
    jpeg,
    sepia,
    tiled,
)
from PIL import Image, ImageDraw

from flows.photos import CheckResult, Code, DecodedImage, check_face_photo, decode_upload


def check(im: Image.Image) -> list[CheckResult]:
    decoded = decode_upload(jpeg(im))
    assert isinstance(decoded, DecodedImage)
    return check_face_photo(decoded)


def codes(results: list[CheckResult]) -> dict[str, str]:
    return {r.code: r.severity for r in results}


def on_white(im: Image.Image, size: tuple[int, int], at: tuple[int, int]) -> Image.Image:
    canvas = Image.new("RGB", size, "white")
    canvas.paste(im, at)
    return canvas


def test_face_on_white_background_passes_clean() -> None:
    assert check(face_on_white()) == []


def test_colour_face_on_busy_background_is_only_warned() -> None:
    assert codes(check(astronaut())) == {
        Code.BACKGROUND_NOT_WHITE: "warning",
        Code.BACKGROUND_UNEVEN: "warning",
    }


@pytest.mark.parametrize("tone", [grayscale, sepia], ids=["grayscale", "sepia"])
@pytest.mark.parametrize("portrait", [face_on_white, astronaut], ids=["on-white", "astronaut"])
def test_black_and_white_or_sepia_is_refused(tone, portrait) -> None:
    results = check(tone(portrait()))
    assert codes(results) == {Code.NOT_COLOUR: "blocking"}
    expected = "black_and_white" if tone is grayscale else "sepia"
    assert results[0].params["tone"] == expected


def test_warm_colour_photo_is_not_taken_for_sepia() -> None:
    # Indoor light: more red, less blue, one tint over everything, yet a colour photo.
    r, g, b = face_on_white().split()
    warm = Image.merge(
        "RGB", (r.point(lambda v: min(255, v * 11 // 10)), g, b.point(lambda v: v * 85 // 100))
    )
    assert Code.NOT_COLOUR not in codes(check(warm))


def test_photo_without_a_face_is_refused() -> None:
    assert codes(check(background_only())) == {Code.NO_FACE: "blocking"}
    assert codes(check(Image.new("RGB", (600, 800), "white"))) == {Code.NO_FACE: "blocking"}


@pytest.mark.parametrize("count", [2, 3])
def test_several_faces_are_refused(count: int) -> None:
    results = check(tiled(face_on_white(), count))
    assert codes(results) == {Code.SEVERAL_FACES: "blocking"}
    assert results[0].params["count"] == count


def test_blurred_face_is_a_warning() -> None:
    results = check(blurred(face_on_white(), 3))
    assert codes(results) == {Code.BLURRED: "warning"}
    assert results[0].params["sharpness"] < 50
    assert codes(check(blurred(face_on_white(), 1))) == {}  # a slight softness is fine


def test_downscaled_photo_is_too_small_and_says_the_minimum() -> None:
    results = check(face_on_white().resize((250, 300)))
    assert results == [
        CheckResult(
            Code.TOO_SMALL,
            "blocking",
            {"min_width": 400, "min_height": 400, "width": 250, "height": 300},
        )
    ]


def test_face_far_from_the_camera_is_too_small() -> None:
    small_head = face_on_white().resize((250, 300))
    results = check(on_white(small_head, (1100, 1100), (425, 300)))
    assert codes(results) == {Code.FACE_TOO_SMALL: "blocking"}


def test_face_cut_off_by_the_edge_is_refused() -> None:
    large = face_on_white().resize((1000, 1200))
    results = check(large.crop((283, 0, 1000, 1200)))  # the left cheek touches the edge
    assert codes(results) == {Code.FACE_CUT_OFF: "blocking"}


def test_face_off_centre_is_a_warning() -> None:
    results = check(on_white(face_on_white(), (950, 600), (0, 0)))
    assert codes(results) == {Code.FACE_NOT_CENTRED: "warning"}


def test_tilted_head_is_a_warning() -> None:
    tilted = face_on_white().rotate(-12, Image.Resampling.BICUBIC, fillcolor="white")
    results = check(tilted)
    assert codes(results) == {Code.FACE_TILTED: "warning"}
    assert abs(results[0].params["angle"]) > 8


def test_dark_glasses_hide_the_eyes() -> None:
    portrait = face_on_white().convert("RGBA")
    lenses = Image.new("RGBA", portrait.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(lenses)
    # Two dark lenses over the eyes (about y=200 in the 500x600 card). The eyeglasses cascade
    # still sees eyes through lightly tinted ones; wider dark lenses hide the whole face from
    # the face cascades, and the photo is then refused as "no face".
    draw.ellipse((175, 185, 240, 222), fill=(15, 15, 20, 235))
    draw.ellipse((270, 185, 335, 222), fill=(15, 15, 20, 235))
    glasses = Image.alpha_composite(portrait, lenses).convert("RGB")
    assert codes(check(glasses)) == {Code.EYES_NOT_FOUND: "warning"}


def test_results_are_json() -> None:
    for im in (astronaut(), tiled(face_on_white(), 2), face_on_white().rotate(-12)):
        for result in check(im):
            assert CheckResult.from_json(json.loads(json.dumps(result.to_json()))) == result
