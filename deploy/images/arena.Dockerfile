# Arena's web and worker image, built FROM the Debian base image (deploy/build-base-image.sh) so that no
# image registry is needed; Python packages come from PyPI through pip. Build from the repository root:
#   docker build -f deploy/images/arena.Dockerfile -t arena:latest .
# Participant code never runs in it: the worker starts separate runner containers through the host's engine.
ARG BASE_IMAGE=arena-debian:bookworm
FROM ${BASE_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/arena/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ARENA_DATA_DIR=/var/lib/arena
# passwd: useradd (a minbase root lacks it); postgresql-client: `arena backup` runs pg_dump and pg_restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends passwd python3 python3-venv postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 arena \
 && python3 -m venv /opt/arena \
 && mkdir -p /var/lib/arena && chown arena /var/lib/arena
WORKDIR /app
COPY pyproject.toml README.md ./
COPY arena arena
COPY scorers scorers
COPY sandbox sandbox
COPY web web
COPY challenges challenges
RUN pip install --no-cache-dir . && chown -R arena /app
USER arena
EXPOSE 8000
CMD ["arena", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
