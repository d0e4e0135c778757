"""File store in an S3-compatible bucket (AWS S3, MinIO, SeaweedFS, Ceph…), for several hosts.

Objects are named like the disk store's files, ``<prefix>/ab/cd/<sha256>``, and written without
any ACL: the bucket stays private, and the web streams a photo only after its scope check. No
presigned URL is ever made.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlsplit

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from storage.filestore.base import FileStore, sharded_name

_ABSENT = {"404", "NoSuchKey", "NotFound"}


class S3FileStore(FileStore):
    """Stores each file as one object of `bucket` under `prefix`.

    Build it with `from_url("s3://bucket/prefix", …)`; the client is opened on first use and
    closed by `close()`.
    """

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            # Path-style URLs work with every S3-compatible server; virtual hosts need DNS.
            "config": AioConfig(
                s3={"addressing_style": "path"},
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        }
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._opening = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> S3FileStore:
        """Build the store for ``s3://bucket/prefix``; `options` as for the constructor."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError("an S3 media URL looks like s3://bucket/prefix")
        return cls(bucket=parts.netloc, prefix=parts.path, **options)

    def _name(self, key: str) -> str:
        name = sharded_name(key)
        return f"{self.prefix}/{name}" if self.prefix else name

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._opening:
                if self._client is None:
                    creator = get_session().create_client("s3", **self._options)
                    self._client = await self._stack.enter_async_context(creator)
        return self._client

    async def put_bytes(self, key: str, data: bytes) -> None:
        s3 = await self._s3()
        await s3.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    async def get(self, key: str) -> bytes:
        s3 = await self._s3()
        try:
            response = await s3.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _ABSENT:
                raise FileNotFoundError(key) from None
            raise
        async with response["Body"] as body:
            return await body.read()

    async def exists(self, key: str) -> bool:
        s3 = await self._s3()
        try:
            await s3.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _ABSENT:
                return False
            raise
        return True

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=self._name(key))  # absent: no error

    async def close(self) -> None:
        self._client = None
        await self._stack.aclose()
