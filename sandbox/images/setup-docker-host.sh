#!/bin/sh
# Prepare this host's Docker engine for Arena's sandbox. Installs nothing.
#  - registers gVisor (runsc) in /etc/docker/daemon.json when the binary exists,
#  - starts dockerd in the background when `docker info` does not answer,
#  - waits until the engine answers (default 60 s, override with ARENA_DOCKER_WAIT).
# Safe to run again: an answering engine is left alone, daemon.json is only rewritten
# when its content would change (and never while that engine is running).
set -eu

WAIT="${ARENA_DOCKER_WAIT:-60}"
LOG="${ARENA_DOCKERD_LOG:-/tmp/dockerd.log}"
CONF_DIR=/etc/docker
CONF="$CONF_DIR/daemon.json"

say() { printf 'setup-docker-host: %s\n' "$*" >&2; }

if ! command -v docker >/dev/null 2>&1; then
    say "the docker CLI is not installed (apt-get install docker.io)"; exit 1
fi

if docker info >/dev/null 2>&1; then
    say "engine already answers; leaving it and $CONF alone"
    docker info --format 'runtimes: {{range $k, $v := .Runtimes}}{{$k}} {{end}}' >&2 || true
    exit 0
fi

RUNSC="$(command -v runsc 2>/dev/null || true)"
for candidate in /usr/bin/runsc /usr/local/bin/runsc /usr/sbin/runsc; do
    if [ -z "$RUNSC" ] && [ -x "$candidate" ]; then RUNSC="$candidate"; fi
done

if [ -n "$RUNSC" ]; then
    WANT="{\"runtimes\": {\"runsc\": {\"path\": \"$RUNSC\", \"runtimeArgs\": [\"--network=none\"]}}}"
    mkdir -p "$CONF_DIR"
    if [ ! -f "$CONF" ]; then
        printf '%s\n' "$WANT" > "$CONF"
        say "wrote $CONF registering runsc at $RUNSC"
    elif grep -q '"runsc"' "$CONF"; then
        say "$CONF already registers runsc"
    else
        # Never clobber an operator's configuration: merge our runtime into it.
        if command -v python3 >/dev/null 2>&1; then
            python3 - "$CONF" "$RUNSC" <<'PY'
import json, sys
path, runsc = sys.argv[1], sys.argv[2]
with open(path) as fh:
    conf = json.load(fh)
conf.setdefault("runtimes", {})["runsc"] = {"path": runsc, "runtimeArgs": ["--network=none"]}
with open(path, "w") as fh:
    json.dump(conf, fh, indent=2)
    fh.write("\n")
PY
            say "added runsc to existing $CONF"
        else
            say "$CONF exists without runsc and python3 is missing; not touching it"
        fi
    fi
else
    say "runsc not found; the engine will offer runc only"
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
    DOCKERD="$(command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd)"
    say "starting $DOCKERD in the background (log: $LOG)"
    nohup "$DOCKERD" >>"$LOG" 2>&1 &
    echo $! > /tmp/arena-dockerd.pid
else
    say "dockerd is running but not answering yet; waiting for it"
fi

i=0
while ! docker info >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge "$WAIT" ]; then
        say "engine did not answer within ${WAIT}s; last lines of $LOG:"
        tail -n 20 "$LOG" >&2 || true
        exit 1
    fi
    sleep 1
done
say "engine answers after ${i}s"
docker info --format 'runtimes: {{range $k, $v := .Runtimes}}{{$k}} {{end}}' >&2 || true
