# The S3-compatible server of the compose installation: moto's standalone server (moto[server], with boto3 to
# make the bucket) in a virtual environment on the Debian base image. Build from deploy/:
#   docker build -f deploy/images/s3.Dockerfile -t arena-s3:latest deploy
# Like Arena's image it installs from the wheels in deploy/wheels/ when there are any (deploy/fetch-wheels.sh),
# from the package index otherwise.
# moto keeps every object in memory: a restart starts empty. Use it to try a many-host setup; keep real data
# in a durable S3 service or a shared folder (see docs/operations.md).
ARG BASE_IMAGE=arena-debian:bookworm
FROM ${BASE_IMAGE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/s3/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*

FROM runtime AS build
COPY wheels /wheels
RUN python3 -m venv /opt/s3 \
 && if ls /wheels/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /wheels; else set --; fi \
 && pip install --no-cache-dir "$@" "moto[server]>=5.0" boto3

FROM runtime
COPY --from=build /opt/s3 /opt/s3
COPY images/s3server.py /usr/local/bin/arena-s3server
USER nobody
EXPOSE 5000
CMD ["python3", "/usr/local/bin/arena-s3server"]
