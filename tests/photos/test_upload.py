"""The flow's one call: what it returns, what is stored, and that the event loop keeps running."""

from __future__ import annotations

import asyncio
import contextlib
import json

from photo_samples import astronaut, face_on_white, grayscale, jpeg

from flows.photos import CheckResult, Code, analyse_upload, analyse_upload_sync


async def test_good_face_photo_is_accepted_with_nothing_to_say(good_face_jpeg: bytes) -> None:
    analysis = await analyse_upload(good_face_jpeg, kind="face")
    assert analysis.accepted
    assert analysis.image is not None and analysis.image.mime == "image/jpeg"
    assert analysis.results == ()


async def test_warnings_are_kept_for_the_officer_as_json(astronaut_jpeg: bytes) -> None:
    analysis = await analyse_upload(astronaut_jpeg, kind="face")
    assert analysis.accepted  # warnings never refuse the photo
    stored = json.loads(json.dumps(analysis.check_results()))
    assert stored == [
        {"code": r.code, "severity": "warning", "params": r.params} for r in analysis.warnings
    ]
    assert [CheckResult.from_json(item) for item in stored] == list(analysis.results)
    assert {item["code"] for item in stored} == {
        Code.BACKGROUND_NOT_WHITE,
        Code.BACKGROUND_UNEVEN,
    }


async def test_blocking_result_refuses_the_photo_but_says_why() -> None:
    analysis = await analyse_upload(jpeg(grayscale(face_on_white())), kind="face")
    assert not analysis.accepted
    assert analysis.image is not None  # decoded, but must not be stored
    assert [r.code for r in analysis.blocking] == [Code.NOT_COLOUR]


async def test_check_runs_off_the_event_loop() -> None:
    """A ticker task keeps counting while a photo is checked: the loop was never blocked."""
    data = jpeg(astronaut().resize((1200, 1200)))
    ticks = 0
    running = True

    async def ticker() -> None:
        nonlocal ticks
        while running:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker starts
    started = ticks
    analysis = await analyse_upload(data, kind="face")
    during = ticks - started
    running = False
    await task
    assert analysis.accepted
    # Dozens of loop turns at the very least while the photo was decoded and checked;
    # run inline, the same work would let the ticker turn zero times.
    assert during > 20


async def test_the_same_work_inline_would_block_the_loop() -> None:
    """Guards the test above: it can fail, because a synchronous check starves the ticker."""
    data = jpeg(astronaut().resize((1200, 1200)))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = ticks
    analyse_upload_sync(data, kind="face")
    during = ticks - started
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert during == 0


async def test_at_most_two_photos_are_decoded_at_once(monkeypatch) -> None:
    """Six photos sent together wait for a decode slot instead of all decoding at once."""
    import threading
    import time

    from flows.photos import upload

    running, most = 0, 0
    lock = threading.Lock()

    def slow_analysis(data: bytes, **_: object) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "analysed"

    monkeypatch.setattr(upload, "analyse_upload_sync", slow_analysis)
    results = await asyncio.gather(*(analyse_upload(b"x", kind="passport") for _ in range(6)))
    assert results == ["analysed"] * 6
    assert most == upload.DECODES_AT_ONCE == 2


def test_a_phone_cameras_full_resolution_passes_and_a_huge_png_does_not() -> None:
    import io

    from photo_samples import png_header_bomb
    from PIL import Image

    # 8160x6144 JPEG: a 50-megapixel sensor's full-resolution mode is decoded and checked.
    out = io.BytesIO()
    with Image.new("RGB", (8160, 6144), (235, 235, 230)) as im:
        im.save(out, "JPEG", quality=60)
    fifty = analyse_upload_sync(out.getvalue(), kind="passport")
    assert fifty.image is not None
    assert Code.TOO_MANY_PIXELS not in [r.code for r in fifty.results]
    # 12000x9000: a 108-megapixel mode, refused from the header before decoding.
    huge = analyse_upload_sync(png_header_bomb(12_000, 9_000), kind="passport")
    assert [r.code for r in huge.blocking] == [Code.TOO_MANY_PIXELS]
    # A 36-megapixel PNG is no camera's photo: refused from its header too.
    drawn = analyse_upload_sync(png_header_bomb(6_000, 6_000), kind="passport")
    assert [(r.code, r.params) for r in drawn.blocking] == [
        (Code.TOO_MANY_PIXELS, {"max_megapixels": 16})
    ]
