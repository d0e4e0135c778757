"""File stores for uploaded documents: local disk (the default) or an S3-compatible bucket."""

from storage.filestore.base import FileStore
from storage.filestore.disk import DiskFileStore
from storage.filestore.factory import filestore_from_settings

__all__ = ["DiskFileStore", "FileStore", "filestore_from_settings"]
