#!/bin/sh
# Fill deploy/wheels/ with a wheel of every Python package the images install (Arena's dependencies from
# pyproject.toml, moto's server for the S3 image), using this host's pip and its configuration (index, proxy,
# certificates). The images then install with `pip install --no-index --find-links`, so a `docker build`
# needs no network for Python packages. With deploy/wheels/ empty they install from the package index.
#   deploy/fetch-wheels.sh            # after deploy/build-base-image.sh; or PYTHON=/path/to/python3.11
# Dependencies carry markers on the exact Python version (e.g. redis needs async-timeout before 3.11.3), so
# the wheels are resolved by a host Python of the very version the images run: the script asks the image
# (the `runtime` stage of deploy/images/arena.Dockerfile, built from BASE_IMAGE) and looks for that version
# among python3.11, /usr/bin/python3 and python3 (a Debian bookworm host's own python3 is the one).
# The folder is ignored by git: never commit the wheels.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
OUT="$HERE/wheels"
BASE_IMAGE="${BASE_IMAGE:-arena-debian:bookworm}"
say() { printf 'fetch-wheels: %s\n' "$*" >&2; }
version_of() { "$1" -c 'import platform; print(platform.python_version())' 2>/dev/null || true; }

# The Python of the images: build their first stage (apt packages only, no context) and ask it.
RUNTIME="$(docker build -q --target runtime --build-arg "BASE_IMAGE=$BASE_IMAGE" - < "$HERE/images/arena.Dockerfile")"
WANTED="$(docker run --rm "$RUNTIME" python3 -c 'import platform; print(platform.python_version())')"
if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.11 /usr/bin/python3 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && [ "$(version_of "$candidate")" = "$WANTED" ]; then
            PYTHON="$candidate"; break
        fi
    done
fi
if [ -z "${PYTHON:-}" ] || [ "$(version_of "$PYTHON")" != "$WANTED" ]; then
    say "the images run Python $WANTED; no host Python of that version found (set PYTHON=/path/to/python$WANTED)"
    exit 1
fi
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
    say "$PYTHON has no pip (Debian: apt-get install python3-pip)"; exit 1
fi
REQUIREMENTS="$(mktemp)"
trap 'rm -f "$REQUIREMENTS"' EXIT
# Arena's build requirements and dependencies, read from pyproject.toml, then what the S3 image installs.
"$PYTHON" - "$REPO/pyproject.toml" > "$REQUIREMENTS" <<'PY'
import sys
import tomllib

with open(sys.argv[1], "rb") as file:
    project = tomllib.load(file)
for requirement in [*project["build-system"]["requires"], *project["project"]["dependencies"]]:
    print(requirement)
print("moto[server]>=5.0")
PY
mkdir -p "$OUT"
say "resolving with $PYTHON (Python $WANTED) into $OUT"
"$PYTHON" -m pip wheel --quiet --wheel-dir "$OUT" -r "$REQUIREMENTS"
say "$(ls "$OUT"/*.whl | wc -l) wheels in $OUT"
