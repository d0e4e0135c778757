"""With the photos in an S3-compatible bucket, the web still streams them after its scope check."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.filestore.s3 import S3FileStore
from tests.review import test_web_review
from tests.review.conftest import ReviewWorld
from tests.s3_server import S3Server
from tests.test_filestores import s3_store


@pytest.fixture
async def filestore(s3_server: S3Server) -> AsyncIterator[S3FileStore]:
    """The bucket replaces the disk for the web and for the entries the world stores."""
    store = await s3_store(s3_server)
    yield store
    await store.close()


async def test_photos_from_the_bucket_are_served_only_in_scope(
    make_client, database, review_world: ReviewWorld, filestore: S3FileStore
) -> None:
    document = await review_world.document_of(database, review_world.mzhb_entry)
    assert await filestore.exists(document.sha256)  # in the bucket, not on a disk
    # The web's own photo test, unchanged, on the bucket (imported so it is not collected).
    await test_web_review.test_detail_shows_answers_and_serves_photos_only_in_scope(
        make_client, database, review_world
    )
