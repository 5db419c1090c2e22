"""Serve moto's S3-compatible server on 0.0.0.0:5000 and make the bucket S3_BUCKET (default ``arena``)."""

import os
import signal
import threading

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

port = int(os.environ.get("S3_PORT", "5000"))
server = ThreadedMotoServer(ip_address="0.0.0.0", port=port)  # noqa: S104 - served to the other containers
server.start()
client = boto3.client(
    "s3",
    endpoint_url=f"http://127.0.0.1:{port}",
    region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    config=Config(s3={"addressing_style": "path"}),
)
client.create_bucket(Bucket=os.environ.get("S3_BUCKET", "arena"))
print(f"S3 server on port {port} with bucket {os.environ.get('S3_BUCKET', 'arena')}", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
signal.signal(signal.SIGINT, lambda *_: stop.set())
stop.wait()
server.stop()
