"""The face photo (step 5) checked against the instruction's requirements.

Face and eyes are found with the Haar cascades that ship with opencv-python-headless 4.x. The
thresholds were calibrated on the astronaut portrait and its variants in tests/photos (colour
faces measure a chroma spread of 4.6-5.3 and a face sharpness of 230-400; sepia and toned ones
1.3-2.8; a Gaussian blur of radius 2 brings sharpness to about 30): change them only with the
tests beside them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from flows.photos.decode import DecodedImage, analysis_rgb
from flows.photos.measure import background_measures, colour_measures, sharpness
from flows.photos.results import CheckResult, Code, blocking, warning

MIN_WIDTH = 400  # pixels of the stored photo
MIN_HEIGHT = 400
# Faces are looked for first on a 256-pixel copy (a portrait's face is found there at once, for
# a fraction of the cost), then, only when none is found, on a 400-pixel copy down to faces of
# 7% of the shorter side; smaller ones are not looked for at all.
QUICK_SIDE = 256
THOROUGH_SIDE = 400
SMALLEST_FACE = 0.07
MIN_WINDOW = 24  # the default cascade's training size (alt2's is 20)
FACE_TOO_SMALL = 0.12  # of the shorter side: the face box of the astronaut is 0.18
OTHER_FACE = 0.4  # a second face counts when at least this fraction of the main one's width
# The cascade's box spans brows to mouth; the whole face reaches this far beyond it, in box
# widths (left, top, right, bottom). Beyond the photo's edge, the face is cut off.
FACE_EXTENT = (0.1, 0.25, 0.1, 0.1)
CENTRE_OFFSET = 0.15  # of the width, between the face's centre and the photo's
CENTRE_BAND = (0.15, 0.65)  # where the face's centre may be, as fractions of the height
TILT_DEGREES = 8.0
EYE_FACE_WIDTH = 120  # pixels: eyes are then about 25 pixels, what the eye cascades expect
NOT_COLOUR_CHROMA = 4.0  # median chroma of the face below this: black and white
NOT_COLOUR_SPREAD = 3.0  # chroma spread of the face below this, and of the photo below
NOT_COLOUR_WHOLE_SPREAD = 5.5  # this: one tint everywhere, i.e. sepia or toned
BLUR_SHARPNESS = 50.0
WHITE_LIGHTNESS = 190.0  # OpenCV Lab lightness (0-255) of a white or near-white background
WHITE_CHROMA = 12.0
EVEN_DEVIATION = 12.0

_CASCADES = cv2.data.haarcascades
_SCALE_STEP = 1.2  # between detection scales; 1.1 finds nothing more on portraits, costs 2x
_local = threading.local()


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    def scaled(self, factor: float) -> _Box:
        return _Box(self.x * factor, self.y * factor, self.w * factor, self.h * factor)


def check_face_photo(decoded: DecodedImage) -> list[CheckResult]:
    """Check a decoded face photo; an empty list means it meets every checked requirement.

    Returns:
        Either the blocking results alone (too small, no face, not in colour, several faces,
        face too small or cut off: the photo must be replaced, so nothing else is said), or
        the warnings (background, blur, position, tilt, eyes), possibly none.

    """
    if decoded.width < MIN_WIDTH or decoded.height < MIN_HEIGHT:
        # Too few pixels to judge anything else reliably: this one reason is enough.
        return [
            blocking(
                Code.TOO_SMALL,
                min_width=MIN_WIDTH,
                min_height=MIN_HEIGHT,
                width=decoded.width,
                height=decoded.height,
            )
        ]
    rgb = analysis_rgb(decoded)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    faces = _find_faces(gray)
    if not faces:
        return [blocking(Code.NO_FACE)]
    face = faces[0]
    results: list[CheckResult] = []
    colour = _colour_result(rgb, face)
    if colour:
        results.append(colour)
    if len(faces) > 1:
        results.append(blocking(Code.SEVERAL_FACES, count=len(faces)))
    height, width = gray.shape
    results.extend(_size_and_position(face, width, height))
    if any(r.blocking for r in results):
        # Warnings about a photo that must be replaced anyway would only distract.
        return [r for r in results if r.blocking]
    results.extend(_background(rgb, face))
    face_sharpness = sharpness(_crop(gray, face))
    if face_sharpness < BLUR_SHARPNESS:
        results.append(warning(Code.BLURRED, sharpness=round(face_sharpness, 1)))
    results.extend(_eyes(gray, face))
    return results


def _find_faces(gray: np.ndarray) -> list[_Box]:
    """Faces in `gray` (analysis size), largest first, in `gray`'s coordinates."""
    cascades = _cascades()
    quick, factor = _shrink(gray, QUICK_SIDE)
    # Fewer neighbours suffice here: the largest face wins and others must be confirmed.
    found = cascades.alt2.detectMultiScale(quick, 1.2, 3, minSize=(MIN_WINDOW,) * 2)
    small = quick
    if len(found) == 0:
        small, factor = _shrink(gray, THOROUGH_SIDE)
        side = max(MIN_WINDOW, round(min(small.shape) * SMALLEST_FACE))
        # The default cascade finds some faces alt2 misses; equalizing the histogram rescues
        # dark or low-contrast faces but loses small faces on a white card, so it comes last.
        for cascade, pixels in (
            (cascades.alt2, small),
            (cascades.default, small),
            (cascades.alt2, cv2.equalizeHist(small)),
        ):
            found = cascade.detectMultiScale(pixels, _SCALE_STEP, 5, minSize=(side, side))
            if len(found):
                break
    boxes = sorted((_Box(*map(float, f)) for f in found), key=lambda b: -b.w)
    if not boxes:
        return []
    main = boxes[0]
    # Busy backgrounds make cascades see faces in patterns: a second face must be large and
    # confirmed by the other cascade before it can refuse the photo.
    others = [b for b in boxes[1:] if b.w >= OTHER_FACE * main.w and _confirmed(small, b)]
    return [b.scaled(1 / factor) for b in [main, *others]]


def _shrink(gray: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    factor = min(1.0, max_side / max(gray.shape))
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), factor


def _confirmed(gray: np.ndarray, box: _Box) -> bool:
    pad = box.w * 0.25
    x0, y0 = max(0, int(box.x - pad)), max(0, int(box.y - pad))
    region = gray[y0 : int(box.y + box.h + pad), x0 : int(box.x + box.w + pad)]
    side = int(box.w * 0.7)
    return len(_cascades().default.detectMultiScale(region, 1.1, 3, minSize=(side, side))) > 0


def _colour_result(rgb: np.ndarray, face: _Box) -> CheckResult | None:
    # Judged on the face: skin always has some colour, whatever the background and clothes.
    chroma, spread = colour_measures(_crop(rgb, face))
    if chroma < NOT_COLOUR_CHROMA:
        return blocking(Code.NOT_COLOUR, tone="black_and_white", chroma=round(chroma, 1))
    if spread < NOT_COLOUR_SPREAD:
        _, whole_spread = colour_measures(rgb)
        if whole_spread < NOT_COLOUR_WHOLE_SPREAD:
            return blocking(Code.NOT_COLOUR, tone="sepia", spread=round(spread, 2))
    return None


def _size_and_position(face: _Box, width: int, height: int) -> list[CheckResult]:
    share = face.w / min(width, height)
    if share < FACE_TOO_SMALL:
        return [blocking(Code.FACE_TOO_SMALL, share=round(share, 2))]
    left, top, right, bottom = FACE_EXTENT
    if (
        face.x - left * face.w < 0
        or face.y - top * face.h < 0
        or face.x + (1 + right) * face.w > width
        or face.y + (1 + bottom) * face.h > height
    ):
        return [blocking(Code.FACE_CUT_OFF)]
    offset = (face.x + face.w / 2) / width - 0.5
    centre_y = (face.y + face.h / 2) / height
    if abs(offset) > CENTRE_OFFSET or not CENTRE_BAND[0] <= centre_y <= CENTRE_BAND[1]:
        position = {"offset": round(offset, 2), "centre_y": round(centre_y, 2)}
        return [warning(Code.FACE_NOT_CENTRED, **position)]
    return []


def _background(rgb: np.ndarray, face: _Box) -> list[CheckResult]:
    """Judge the border strips beside and above the head, where only background belongs."""
    height, width = rgb.shape[:2]
    mask = np.zeros((height, width), dtype=bool)
    side, top = max(1, int(width * 0.1)), max(1, int(height * 0.08))
    below = int(min(height, face.y + face.h))  # shoulders and clothes start under the face
    mask[:below, :side] = True
    mask[:below, width - side :] = True
    mask[:top, :] = True
    # The head (hair included) is wider and taller than the cascade's face box.
    hx0, hx1 = int(max(0, face.x - 0.35 * face.w)), int(face.x + 1.35 * face.w)
    hy0 = int(max(0, face.y - 0.6 * face.h))
    mask[hy0:, hx0:hx1] = False
    if mask.sum() < 0.02 * width * height:
        return []  # the head fills the photo: there is no background to judge
    lightness, chroma, deviation = background_measures(rgb, mask)
    results = []
    if lightness < WHITE_LIGHTNESS or chroma > WHITE_CHROMA:
        results.append(
            warning(
                Code.BACKGROUND_NOT_WHITE, lightness=round(lightness, 1), chroma=round(chroma, 1)
            )
        )
    if deviation > EVEN_DEVIATION:
        results.append(warning(Code.BACKGROUND_UNEVEN, deviation=round(deviation, 1)))
    return results


def _eyes(gray: np.ndarray, face: _Box) -> list[CheckResult]:
    upper = _crop(gray, _Box(face.x, face.y, face.w, face.h * 0.6))
    # Eyes are looked for on the face scaled to EYE_FACE_WIDTH: a close-up costs no more.
    scale = min(1.0, EYE_FACE_WIDTH / face.w)
    region = cv2.resize(upper, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    width = face.w * scale
    smallest, largest = max(8, int(width * 0.12)), int(width * 0.4)
    cascades = _cascades()
    for cascade in (cascades.eye, cascades.eyeglasses):
        found = cascade.detectMultiScale(
            region, 1.1, 5, minSize=(smallest, smallest), maxSize=(largest, largest)
        )
        left = [e for e in found if e[0] + e[2] / 2 < width / 2]
        right = [e for e in found if e[0] + e[2] / 2 >= width / 2]
        if left and right:
            (lx, ly, lw, lh), (rx, ry, rw, rh) = max(left, key=_area), max(right, key=_area)
            dx = (rx + rw / 2) - (lx + lw / 2)
            dy = (ry + rh / 2) - (ly + lh / 2)
            angle = math.degrees(math.atan2(dy, dx))
            if abs(angle) > TILT_DEGREES:
                return [warning(Code.FACE_TILTED, angle=round(angle, 1))]
            return []
    return [warning(Code.EYES_NOT_FOUND)]


def _area(found: np.ndarray) -> int:
    return int(found[2] * found[3])


def _crop(pixels: np.ndarray, box: _Box) -> np.ndarray:
    x0, y0 = max(0, int(box.x)), max(0, int(box.y))
    return pixels[y0 : int(box.y + box.h), x0 : int(box.x + box.w)]


@dataclass(frozen=True)
class _Cascades:
    default: cv2.CascadeClassifier
    alt2: cv2.CascadeClassifier
    eye: cv2.CascadeClassifier
    eyeglasses: cv2.CascadeClassifier


def _cascades() -> _Cascades:
    """Return this thread's classifiers (OpenCV does not promise one may be shared)."""
    cascades = getattr(_local, "cascades", None)
    if cascades is None:
        cascades = _Cascades(
            default=_load("haarcascade_frontalface_default.xml"),
            alt2=_load("haarcascade_frontalface_alt2.xml"),
            eye=_load("haarcascade_eye.xml"),
            eyeglasses=_load("haarcascade_eye_tree_eyeglasses.xml"),
        )
        _local.cascades = cascades
    return cascades


def _load(name: str) -> cv2.CascadeClassifier:
    classifier = cv2.CascadeClassifier(_CASCADES + name)
    if classifier.empty():
        raise RuntimeError(f"OpenCV Haar cascade {name} is missing (opencv 4.x ships it)")
    return classifier
