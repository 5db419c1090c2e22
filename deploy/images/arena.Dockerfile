# Arena's web and worker image, built FROM the Debian base image (deploy/build-base-image.sh) so that no
# image registry is needed. Build from the repository root:
#   deploy/fetch-wheels.sh                                          # optional: wheels for a build with no network
#   docker build -f deploy/images/arena.Dockerfile -t arena:latest .
# Python packages come from the wheels in deploy/wheels/ (`pip install --no-index`) when that folder holds
# any, and from the package index otherwise. The wheels stay in the build stage: the image holds only the
# virtual environment /opt/arena.
# Participant code never runs in it: the worker starts separate runner containers through the host's engine.
ARG BASE_IMAGE=arena-debian:bookworm
FROM ${BASE_IMAGE} AS runtime
ENV DEBIAN_FRONTEND=noninteractive PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/arena/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ARENA_DATA_DIR=/var/lib/arena
# passwd: useradd (a minbase root lacks it); postgresql-client: `arena backup` runs pg_dump and pg_restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends passwd python3 python3-venv postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 arena \
 && mkdir -p /var/lib/arena && chown arena /var/lib/arena

FROM runtime AS build
COPY deploy/wheels /wheels
COPY pyproject.toml README.md /app/
WORKDIR /app
# The dependencies first (a layer kept while only Arena's code changes), then Arena itself.
RUN python3 -m venv /opt/arena \
 && python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
    > /tmp/requirements.txt \
 && if ls /wheels/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /wheels; else set --; fi \
 && pip install --no-cache-dir "$@" -r /tmp/requirements.txt
COPY arena arena
COPY scorers scorers
COPY sandbox sandbox
COPY web web
RUN if ls /wheels/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /wheels; else set --; fi \
 && pip install --no-cache-dir --no-deps "$@" .

FROM runtime
COPY --from=build /opt/arena /opt/arena
# The demo bundles, for `arena challenges import challenges/digits`.
COPY challenges /app/challenges
WORKDIR /app
RUN chown -R arena /app
USER arena
EXPOSE 8000
CMD ["arena", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
