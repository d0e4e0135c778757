"""The file store the settings ask for: files under MEDIA_DIR, or a bucket named by MEDIA_URL."""

from __future__ import annotations

from config.exceptions import ConfigError
from config.settings import Settings
from storage.filestore.base import FileStore
from storage.filestore.disk import DiskFileStore


def filestore_from_settings(settings: Settings) -> FileStore:
    """Return the disk store (MEDIA_URL unset) or the S3 store of ``MEDIA_URL=s3://…``.

    Raises:
        ConfigError: MEDIA_URL is set to something else than ``s3://bucket[/prefix]``.

    """
    url = settings.media_url
    if not url:
        return DiskFileStore(settings.media_dir)
    if not url.startswith("s3://") or len(url) <= len("s3://"):
        raise ConfigError("MEDIA_URL must look like s3://bucket/prefix (unset: files in MEDIA_DIR)")
    from storage.filestore.s3 import S3FileStore  # the S3 client loads only when used

    secret = settings.aws_secret_access_key
    return S3FileStore.from_url(
        url,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.aws_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
    )
