"""The S3 backend: blobs and folder manifests in a bucket of any S3-compatible object store, through boto3.

Keys below the URL's prefix: ``blobs/ab/cdef…`` for each blob (as in a directory store) and
``trees/<tree hash>.json`` for each folder, a manifest listing its files, whose contents are blobs. A blob
up to ``multipart_threshold`` bytes is one PUT; a larger one is a multipart upload of ``part_size`` parts
(each checked by its MD5), aborted when any step fails. Either way S3 makes the object visible only once
complete, each upload is checked afterwards (size and recorded sha256), and a folder's manifest is written
last, so neither a partial blob nor a partial folder is ever seen. Credentials come from the usual AWS
environment variables (or any other source boto3 reads).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from arena.errors import StorageUnavailable
from arena.storage.hashing import CHUNK, check_digest, sha256_file, tree_files

log = logging.getLogger(__name__)

MISSING = {"404", "NoSuchKey", "NotFound"}
MIB = 1024 * 1024
MULTIPART_THRESHOLD = 64 * MIB
"""Blobs larger than this are uploaded in parts (a single PUT takes at most 5 GiB)."""
PART_SIZE = 64 * MIB
MIN_PART_SIZE = 5 * MIB  # S3's smallest part but the last
MAX_PARTS = 10_000  # S3's most parts in one upload


def _md5_base64(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def _bytes_option(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"the storage URL's {name} must be a positive number of bytes, got {raw!r}")
    return int(raw)


class S3Backend:
    """``s3://bucket/prefix?endpoint=http://host:port&region=…&timeout=seconds``.

    ``multipart_threshold`` and ``part_size`` (bytes; 64 MiB each by default, parts of at least 5 MiB) set
    when and how a blob is uploaded in parts.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"not an s3:// storage URL: {url!r}")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.url = url
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.multipart_threshold = _bytes_option(query, "multipart_threshold", MULTIPART_THRESHOLD)
        self.part_size = max(_bytes_option(query, "part_size", PART_SIZE), MIN_PART_SIZE)
        timeout = float(query.get("timeout", "10"))
        config = Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": int(query.get("attempts", "3")), "mode": "standard"},
            s3={"addressing_style": query.get("addressing", "path" if "endpoint" in query else "auto")},
        )
        self.client: Any = boto3.session.Session().client(
            "s3", endpoint_url=query.get("endpoint"), region_name=query.get("region"), config=config
        )

    def key(self, *parts: str) -> str:
        """Return the object key of ``parts`` below the prefix."""
        return "/".join(p for p in (self.prefix, *parts) if p)

    def blob_key(self, sha256: str) -> str:
        """Return the key of a blob."""
        check_digest(sha256)
        return self.key("blobs", sha256[:2], sha256[2:])

    def manifest_key(self, tree_sha: str) -> str:
        """Return the key of a folder's manifest."""
        return self.key("trees", check_digest(tree_sha) + ".json")

    def _call(self, name: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, name)(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if str(error.get("Code")) in MISSING:
                raise FileNotFoundError(kwargs.get("Key", "")) from None
            raise StorageUnavailable(detail=f"{name}: {error.get('Code')} {error.get('Message', '')}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(detail=f"{name}: {exc}") from exc

    def _exists(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self._call("head_object", Bucket=self.bucket, Key=key)
        except FileNotFoundError:
            return None
        return head

    def has_blob(self, sha256: str) -> bool:
        """Whether the blob's object exists."""
        return self._exists(self.blob_key(sha256)) is not None

    def put_blob(self, sha256: str, source: Path) -> None:
        """Upload ``source`` (unless the blob is there), then check the stored object's size and sha256."""
        key = self.blob_key(sha256)
        size = source.stat().st_size
        if self._verified(key, sha256, size):
            return
        if size > self.multipart_threshold:
            self._put_in_parts(key, sha256, source, size)
        else:
            self._put_whole(key, sha256, source, size)
        if not self._verified(key, sha256, size):
            raise StorageUnavailable(detail=f"the object {key} did not read back as uploaded")

    def _put_whole(self, key: str, sha256: str, source: Path, size: int) -> None:
        with source.open("rb") as body:
            self._call(
                "put_object",
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentLength=size,
                ContentMD5=_md5_base64(source),
                Metadata={"sha256": sha256},
            )

    def _put_in_parts(self, key: str, sha256: str, source: Path, size: int) -> None:
        """Upload ``source`` as a multipart upload; on any failure abort it, so no part outlives the attempt."""
        part_size = max(self.part_size, -(-size // MAX_PARTS))
        upload = self._call("create_multipart_upload", Bucket=self.bucket, Key=key, Metadata={"sha256": sha256})
        upload_id = upload["UploadId"]
        try:
            parts: list[dict[str, Any]] = []
            with source.open("rb") as handle:
                while chunk := handle.read(part_size):
                    number = len(parts) + 1
                    md5 = base64.b64encode(hashlib.md5(chunk, usedforsecurity=False).digest()).decode()
                    reply = self._call(
                        "upload_part",
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                        ContentLength=len(chunk),
                        ContentMD5=md5,
                    )
                    parts.append({"PartNumber": number, "ETag": reply["ETag"]})
            self._call(
                "complete_multipart_upload",
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            self._abort(key, upload_id)
            raise

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (ClientError, BotoCoreError) as exc:
            # The parts stay invisible; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them.
            log.warning("could not abort the multipart upload %s of %s: %s", upload_id, key, exc)

    def _verified(self, key: str, sha256: str, size: int) -> bool:
        head = self._exists(key)
        if head is None:
            return False
        return bool(head.get("ContentLength") == size and head.get("Metadata", {}).get("sha256") == sha256)

    def fetch_blob(self, sha256: str, target: Path) -> None:
        """Download the blob into ``target`` (the caller checks its hash)."""
        response = self._call("get_object", Bucket=self.bucket, Key=self.blob_key(sha256))
        try:
            with target.open("wb") as out:
                for chunk in response["Body"].iter_chunks(CHUNK):
                    out.write(chunk)
        except BotoCoreError as exc:
            raise StorageUnavailable(detail=f"get_object: {exc}") from exc

    def local_blob(self, sha256: str) -> Path | None:
        """Objects are never read in place."""
        return None

    def has_tree(self, tree_sha: str) -> bool:
        """Whether the folder's manifest exists."""
        return self._exists(self.manifest_key(tree_sha)) is not None

    def put_tree(self, tree_sha: str, source: Path) -> None:
        """Upload every file as a blob, then the manifest naming them."""
        if self.has_tree(tree_sha):
            return
        files = []
        for path in tree_files(source):
            sha = sha256_file(path)
            self.put_blob(sha, path)
            files.append({"path": path.relative_to(source).as_posix(), "sha256": sha, "size": path.stat().st_size})
        manifest = json.dumps({"tree": tree_sha, "files": files}, sort_keys=True).encode()
        self._call("put_object", Bucket=self.bucket, Key=self.manifest_key(tree_sha), Body=manifest)

    def fetch_tree(self, tree_sha: str, target: Path) -> None:
        """Download the manifest, then each file below ``target`` (the caller checks the tree hash)."""
        response = self._call("get_object", Bucket=self.bucket, Key=self.manifest_key(tree_sha))
        try:
            manifest = json.loads(response["Body"].read())
        except BotoCoreError as exc:
            raise StorageUnavailable(detail=f"get_object: {exc}") from exc
        for item in manifest["files"]:
            path = target / item["path"]
            if not path.resolve().is_relative_to(target.resolve()):
                raise ValueError(f"the manifest of {tree_sha} names a path outside its folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fetch_blob(item["sha256"], path)

    def local_tree(self, tree_sha: str) -> Path | None:
        """Objects are never read in place."""
        return None

    def _keys(self, folder: str) -> list[str]:
        keys: list[str] = []
        below = self.key(folder) + "/"
        token: dict[str, Any] = {}
        while True:
            page = self._call("list_objects_v2", Bucket=self.bucket, Prefix=below, **token)
            keys.extend(item["Key"][len(below) :] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return keys
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def stored(self) -> tuple[list[str], list[str]]:
        """Every stored blob's and folder's hash, sorted (for backups)."""
        blobs = sorted(k.replace("/", "") for k in self._keys("blobs") if len(k.replace("/", "")) == 64)
        trees = sorted(k.removesuffix(".json") for k in self._keys("trees") if k.endswith(".json"))
        return blobs, trees

    def scratch(self) -> Path | None:
        """An object store has no scratch folder: the store stages in its local cache."""
        return None

    def check_space(self, incoming: int) -> None:
        """An object store does not run out of space in a way that can be probed."""
