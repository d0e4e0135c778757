"""Pixel measurements shared by the face and document checks: sharpness, colour, background.

Each function takes a NumPy array and returns plain floats, so the thresholds that turn them into
results live next to the rule they serve (face.py, document.py) and the figures can be stored
for the officer.
"""

from __future__ import annotations

import cv2
import numpy as np

SHARPNESS_SIDE = 128  # regions are resized to this before measuring, so any resolution compares
_L_BIN = 16  # lightness bands for the colour spread (8 bands over Lab's 0..255)


def sharpness(gray: np.ndarray, side: int = SHARPNESS_SIDE) -> float:
    """Variance of the Laplacian of `gray` resized to `side` pixels: low means blurred."""
    if gray.size == 0:
        return 0.0
    height, width = gray.shape[:2]
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    fixed = cv2.resize(gray, size, interpolation=interpolation)
    return float(cv2.Laplacian(fixed, cv2.CV_64F).var())


def colour_measures(rgb: np.ndarray) -> tuple[float, float]:
    """Median chroma and the chroma spread within lightness bands of `rgb` (CIE Lab units).

    A black-and-white photo has no chroma. A sepia (or any toned) photo has chroma, but every
    pixel of a given lightness has the same tint, so the spread within each lightness band is
    small; in a colour portrait lips, skin, eyes and hair of equal lightness differ in hue.
    Desaturating scales chroma but still keeps some spread.
    """
    if rgb.size == 0:
        return 0.0, 0.0
    lab = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2LAB).reshape(-1, 3)
    lightness = lab[:, 0] // _L_BIN
    a = lab[:, 1].astype(np.float32) - 128
    b = lab[:, 2].astype(np.float32) - 128
    median_chroma = float(np.median(np.hypot(a, b)))
    bands = 256 // _L_BIN
    counts = np.bincount(lightness, minlength=bands).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.zeros(bands)
        for channel in (a, b):
            mean = np.bincount(lightness, channel, bands) / counts
            mean_sq = np.bincount(lightness, channel.astype(np.float64) ** 2, bands) / counts
            variance += mean_sq - mean**2
    used = counts >= 50  # too few pixels in a band say nothing
    if not used.any():
        return median_chroma, 0.0
    spread = np.sqrt(np.clip(variance[used], 0, None))
    return median_chroma, float(np.average(spread, weights=counts[used]))


def background_measures(rgb: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
    """Mean lightness (0-255), mean chroma and lightness deviation of the pixels under `mask`.

    The deviation is the mean absolute difference from the median lightness: shadows and
    objects raise it, while a smooth studio gradient barely does.
    """
    pixels = rgb[mask]
    if pixels.size == 0:
        return 255.0, 0.0, 0.0
    lab = cv2.cvtColor(pixels.reshape(-1, 1, 3), cv2.COLOR_RGB2LAB).reshape(-1, 3)
    lightness = lab[:, 0].astype(np.float32)
    chroma = np.hypot(lab[:, 1].astype(np.float32) - 128, lab[:, 2].astype(np.float32) - 128)
    deviation = float(np.mean(np.abs(lightness - np.median(lightness))))
    return float(lightness.mean()), float(chroma.mean()), deviation
