# The S3-compatible server of the compose installation: moto's standalone server (moto[server], from PyPI),
# FROM Arena's own image (which holds boto3 to make the bucket). Build after arena:latest:
#   docker build -f deploy/images/s3.Dockerfile -t arena-s3:latest deploy/images
# moto keeps every object in memory: a restart starts empty. Use it to try a many-host setup; keep real data
# in a durable S3 service or a shared folder (see docs/operations.md).
ARG ARENA_IMAGE=arena:latest
FROM ${ARENA_IMAGE}
USER root
RUN pip install --no-cache-dir "moto[server]>=5.0"
COPY s3server.py /usr/local/bin/arena-s3server
USER arena
EXPOSE 5000
CMD ["python3", "/usr/local/bin/arena-s3server"]
