"""Content-addressed storage of uploads, hidden data, outputs and reports: a directory or S3, with a local cache."""

from arena.storage.backends import Backend, DirectoryBackend, free_bytes
from arena.storage.hashing import CHUNK, sha256_bytes, sha256_file, sha256_tree
from arena.storage.s3 import S3Backend
from arena.storage.store import BlobStore, StagedBlob, TooLarge, open_store

__all__ = [
    "CHUNK",
    "Backend",
    "BlobStore",
    "DirectoryBackend",
    "S3Backend",
    "StagedBlob",
    "TooLarge",
    "free_bytes",
    "open_store",
    "sha256_bytes",
    "sha256_file",
    "sha256_tree",
]
