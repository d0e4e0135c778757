"""File stores for uploaded documents."""

from storage.filestore.base import FileStore
from storage.filestore.disk import DiskFileStore

__all__ = ["DiskFileStore", "FileStore"]
