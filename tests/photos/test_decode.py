"""Every upload is decoded safely: limits, refusals, orientation, metadata, formats."""

from __future__ import annotations

import hashlib
import io

import pytest
from photo_samples import astronaut, encode, jpeg, png_header_bomb
from PIL import ExifTags, Image, ImageCms

from flows.photos import CheckResult, Code, DecodedImage, analyse_upload, decode_upload


def _refusal(data: bytes, **limits: int) -> CheckResult:
    result = decode_upload(data, **limits)
    assert isinstance(result, CheckResult), f"expected a refusal, got {result!r}"
    assert result.severity == "blocking"
    return result


def _decoded(data: bytes) -> DecodedImage:
    result = decode_upload(data)
    assert isinstance(result, DecodedImage), f"expected an image, got {result!r}"
    return result


def _reopen(decoded: DecodedImage) -> Image.Image:
    im = Image.open(io.BytesIO(decoded.jpeg_bytes))
    im.load()
    return im


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_accepted_formats_become_a_clean_jpeg(fmt: str) -> None:
    decoded = _decoded(encode(astronaut(), fmt))
    im = _reopen(decoded)
    assert im.format == "JPEG"
    assert (decoded.width, decoded.height) == im.size == (512, 512)
    assert decoded.mime == "image/jpeg"
    assert decoded.sha256 == hashlib.sha256(decoded.jpeg_bytes).hexdigest()
    assert decoded.size == len(decoded.jpeg_bytes)


def test_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = png_header_bomb(30_000, 30_000)  # 900 megapixels declared in a few kilobytes
    assert len(bomb) < 100_000
    assert _refusal(bomb).code == Code.TOO_MANY_PIXELS


def test_pixel_limit_is_per_call_and_leaves_pillow_global_alone() -> None:
    before = Image.MAX_IMAGE_PIXELS
    fifty_three_megapixels = png_header_bomb(10_000, 5_300)
    refusal = _refusal(fifty_three_megapixels)
    assert refusal.code == Code.TOO_MANY_PIXELS
    assert refusal.params == {"max_megapixels": 16}  # a PNG: not a camera format
    # A caller with a stricter limit gets it without affecting anyone else.
    assert _refusal(jpeg(astronaut()), max_pixels=100_000).code == Code.TOO_MANY_PIXELS
    assert isinstance(decode_upload(jpeg(astronaut())), DecodedImage)
    assert Image.MAX_IMAGE_PIXELS == before


def test_truncated_jpeg_is_refused_as_damaged(astronaut_jpeg: bytes) -> None:
    assert Image.open(io.BytesIO(astronaut_jpeg[:20_000])).format == "JPEG"  # header is intact
    assert _refusal(astronaut_jpeg[:20_000]).code == Code.DAMAGED


def test_text_file_named_jpg_is_not_an_image(tmp_path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("Мен сүрөт эмесмин, мен текстмин.\n", encoding="utf-8")
    refusal = _refusal(path.read_bytes())
    assert refusal.code == Code.NOT_AN_IMAGE
    assert refusal.params == {"formats": "JPEG, PNG, WebP, HEIC"}


def test_thirty_megabyte_file_is_refused_before_parsing(tmp_path, astronaut_jpeg: bytes) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.write(astronaut_jpeg)
        handle.truncate(30 * 1024 * 1024)
    refusal = _refusal(path.read_bytes())
    assert refusal.code == Code.FILE_TOO_LARGE
    assert refusal.params == {"max_mb": 20}


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800"><rect/></svg>',
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"GIF89a" + b"\x00" * 64,
    ],
    ids=["empty", "svg", "pdf", "gif-header"],
)
def test_other_files_are_not_images(data: bytes) -> None:
    assert _refusal(data).code == Code.NOT_AN_IMAGE


def test_gif_and_bmp_decode_in_pillow_but_are_not_accepted() -> None:
    small = astronaut().resize((64, 64))
    assert _refusal(encode(small, "GIF")).code == Code.NOT_AN_IMAGE
    assert _refusal(encode(small, "BMP")).code == Code.NOT_AN_IMAGE


def test_polyglot_payload_is_not_carried_into_the_stored_file(astronaut_jpeg: bytes) -> None:
    payload = b"PK\x03\x04<script>alert('hidden')</script>%PDF-1.4"
    decoded = _decoded(astronaut_jpeg + payload)
    assert b"<script>" not in decoded.jpeg_bytes
    assert b"%PDF" not in decoded.jpeg_bytes


def test_exif_orientation_applied_and_gps_and_camera_stripped() -> None:
    # A phone photo stored sideways: red mark top-left, EXIF says "rotate 90 clockwise".
    im = Image.new("RGB", (300, 200), "white")
    im.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model X-1000"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (42.0, 52.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (74.0, 35.0, 10.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = jpeg(im, exif=exif, icc_profile=icc, comment="Owner: Aibek, +996 555 123 456")
    assert Image.open(io.BytesIO(upload)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it is there

    decoded = _decoded(upload)
    stored = _reopen(decoded)
    assert (decoded.width, decoded.height) == stored.size == (200, 300)
    red, green, _ = stored.getpixel((180, 20))  # the mark turned to the top-right corner
    assert red > 200 and green < 60
    assert dict(stored.getexif()) == {}
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "icc_profile", "xmp", "comment"} & stored.info.keys()
    for trace in (b"Exif", b"PhoneMaker", b"Model X-1000", b"Aibek", b"+996"):
        assert trace not in decoded.jpeg_bytes


def test_large_photo_is_stored_at_most_2000_pixels_wide() -> None:
    big = astronaut().resize((4000, 3000))
    decoded = _decoded(jpeg(big))
    assert (decoded.width, decoded.height) == (2000, 1500)
    assert _reopen(decoded).size == (2000, 1500)


def test_transparent_png_gets_a_white_background() -> None:
    im = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    decoded = _decoded(encode(im, "PNG"))
    assert _reopen(decoded).getpixel((50, 50)) == pytest.approx((255, 255, 255), abs=2)


@pytest.mark.parametrize("kind", ["face", "passport_front"])
async def test_refused_upload_leaves_nothing_to_store(kind: str, astronaut_jpeg: bytes) -> None:
    for data in (b"not an image", astronaut_jpeg[:20_000], png_header_bomb(30_000, 30_000)):
        analysis = await analyse_upload(data, kind=kind)
        assert analysis.image is None
        assert not analysis.accepted
        assert [r.severity for r in analysis.results] == ["blocking"]
