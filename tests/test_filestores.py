"""One contract for every file store: files on disk, and objects in an S3-compatible bucket.

The S3 store runs against a real S3 server started by the tests (`tests/s3_server.py`).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from config.exceptions import ConfigError
from config.settings import Settings
from storage.filestore import DiskFileStore, FileStore, filestore_from_settings
from storage.filestore.s3 import S3FileStore
from tests.s3_server import S3Server

PHOTO = b"\xff\xd8\xff passport photo bytes"
HOSTILE_KEYS = ["../../etc/passwd", "AB" * 32, "", "a" * 63, "a" * 64 + "/x"]


async def s3_store(server: S3Server, *, prefix: str = "media/2026") -> S3FileStore:
    """A store on a new, private bucket of `server`."""
    store = S3FileStore(
        bucket=server.new_bucket_name(),
        prefix=prefix,
        endpoint_url=server.endpoint_url,
        region=server.region,
        access_key_id=server.access_key_id,
        secret_access_key=server.secret_access_key,
    )
    s3 = await store._s3()  # noqa: SLF001 - the operator creates the bucket; here, the test
    await s3.create_bucket(Bucket=store.bucket)
    return store


@pytest.fixture(params=["disk", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    if request.param == "disk":
        yield DiskFileStore(tmp_path / "media")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    bucket_store = await s3_store(server)
    yield bucket_store
    await bucket_store.close()


class TestFileStoreContract:
    async def test_put_is_content_addressed_and_kept_once(self, store: FileStore) -> None:
        key = await store.put(PHOTO)
        assert key == hashlib.sha256(PHOTO).hexdigest()
        assert await store.put(PHOTO) == key
        assert await store.exists(key)
        assert await store.get(key) == PHOTO

    async def test_an_absent_key_is_not_found(self, store: FileStore) -> None:
        key = hashlib.sha256(b"never stored").hexdigest()
        assert not await store.exists(key)
        with pytest.raises(FileNotFoundError):
            await store.get(key)
        await store.delete(key)  # absent: nothing happens

    async def test_delete_removes_one_file_only(self, store: FileStore) -> None:
        first, second = await store.put(b"first"), await store.put(b"second")
        await store.delete(first)
        assert not await store.exists(first)
        with pytest.raises(FileNotFoundError):
            await store.get(first)
        assert await store.get(second) == b"second"

    async def test_keys_other_than_sha256_digests_are_refused(self, store: FileStore) -> None:
        for key in HOSTILE_KEYS:
            for call in (store.get, store.exists, store.delete):
                with pytest.raises(ValueError):
                    await call(key)
            with pytest.raises(ValueError):
                await store.put_bytes(key, b"x")

    async def test_many_files_at_once_and_a_large_one(self, store: FileStore) -> None:
        blobs = [f"photo {n}".encode() * 100 for n in range(20)]
        keys = await asyncio.gather(*(store.put(blob) for blob in blobs))
        assert await asyncio.gather(*(store.get(key) for key in keys)) == blobs
        large = os.urandom(6 * 1024 * 1024)  # a phone's full-size photo
        assert await store.get(await store.put(large)) == large


async def test_s3_objects_sit_under_the_prefix_and_are_private(s3_server: S3Server) -> None:
    store = await s3_store(s3_server, prefix="/media/2026/")
    try:
        key = await store.put(PHOTO)
        s3 = await store._s3()  # noqa: SLF001 - looking at the bucket itself
        listed = await s3.list_objects_v2(Bucket=store.bucket)
        assert [o["Key"] for o in listed["Contents"]] == [f"media/2026/{key[:2]}/{key[2:4]}/{key}"]
        acl = await s3.get_object_acl(Bucket=store.bucket, Key=listed["Contents"][0]["Key"])
        grantees = [g["Grantee"] for g in acl["Grants"]]
        assert all(g.get("Type") == "CanonicalUser" for g in grantees)  # no AllUsers grant
    finally:
        await store.close()


def test_media_url_chooses_the_store(tmp_path: Path) -> None:
    base = Settings(_env_file=None, media_dir=tmp_path / "media")
    assert isinstance(filestore_from_settings(base), DiskFileStore)
    s3 = filestore_from_settings(
        base.model_copy(
            update={"media_url": "s3://ort-media/photos", "s3_endpoint_url": "http://s3:9000"}
        )
    )
    assert isinstance(s3, S3FileStore) and (s3.bucket, s3.prefix) == ("ort-media", "photos")
    for wrong in ("/var/media", "s3://", "https://bucket/x"):
        with pytest.raises(ConfigError, match="MEDIA_URL"):
            filestore_from_settings(base.model_copy(update={"media_url": wrong}))
