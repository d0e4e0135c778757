"""Fixtures of the photo-check tests; the images themselves are made in photo_samples.py."""

from __future__ import annotations

import pytest
from photo_samples import ASTRONAUT, face_on_white, jpeg


@pytest.fixture(scope="session")
def astronaut_jpeg() -> bytes:
    return ASTRONAUT.read_bytes()


@pytest.fixture(scope="session")
def good_face_jpeg() -> bytes:
    return jpeg(face_on_white())
