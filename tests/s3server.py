"""A private S3-compatible server of a test's own (moto's standalone server), which the test stops and starts.

It listens on a free port of 127.0.0.1 and keeps everything in memory: a restart starts empty, and
``start`` makes the bucket again.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

from arena.localredis import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "arena-test",
    "AWS_SECRET_ACCESS_KEY": "arena-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class S3Server:
    """moto's server in a subprocess, with one bucket."""

    def __init__(self, bucket: str = "arena") -> None:
        self.port = free_port()
        self.bucket = bucket
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, prefix: str = "blobs-test") -> str:
        """Return the ARENA_STORAGE_URL of a prefix in the bucket (short timeouts: tests meet outages)."""
        return f"s3://{self.bucket}/{prefix}?endpoint={self.endpoint}&timeout=3&attempts=2"

    def client(self) -> object:
        """Return a boto3 client for this server."""
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
        return boto3.session.Session(
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        ).client("s3", endpoint_url=self.endpoint, config=config)

    def start(self) -> None:
        """Start the server, wait until it answers and make the bucket."""
        env = {**os.environ, **CREDENTIALS}
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the S3 test server did not start") from None
                time.sleep(0.2)
        self.client().create_bucket(Bucket=self.bucket)  # type: ignore[attr-defined]

    def stop(self) -> None:
        """Stop the server (everything it held is gone) and wait until it has exited."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        self.process = None

    def keys(self, prefix: str = "") -> list[str]:
        """Return every object key below ``prefix``."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)  # type: ignore[attr-defined]
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


@contextlib.contextmanager
def running_s3() -> Iterator[S3Server]:
    """Run a server for the block, with its credentials in the environment (where boto3 reads them)."""
    server = S3Server()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        server.start()
        try:
            yield server
        finally:
            server.stop()
