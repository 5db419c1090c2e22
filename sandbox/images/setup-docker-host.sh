#!/bin/sh
# Prepare this host's Docker engine for Arena's sandbox. Installs nothing.
#  - registers gVisor (runsc) in /etc/docker/daemon.json when the binary exists, with
#    --network=none and --oci-seccomp (Docker's seccomp profile also applies inside gVisor),
#    adding either flag to an existing runsc entry that lacks it,
#  - reloads a running engine (SIGHUP) when that changed the file,
#  - starts dockerd in the background when `docker info` does not answer,
#  - waits until the engine answers (default 60 s, override with ARENA_DOCKER_WAIT).
# Safe to run again: daemon.json is only rewritten when its content would change, and the
# rest of an operator's configuration is kept.
set -eu

WAIT="${ARENA_DOCKER_WAIT:-60}"
LOG="${ARENA_DOCKERD_LOG:-/tmp/dockerd.log}"
CONF_DIR=/etc/docker
CONF="$CONF_DIR/daemon.json"

say() { printf 'setup-docker-host: %s\n' "$*" >&2; }

if ! command -v docker >/dev/null 2>&1; then
    say "the docker CLI is not installed (apt-get install docker.io)"; exit 1
fi

RUNSC="$(command -v runsc 2>/dev/null || true)"
for candidate in /usr/bin/runsc /usr/local/bin/runsc /usr/sbin/runsc; do
    if [ -z "$RUNSC" ] && [ -x "$candidate" ]; then RUNSC="$candidate"; fi
done

CHANGED=no
if [ -n "$RUNSC" ]; then
    mkdir -p "$CONF_DIR"
    # Prints "changed" when it rewrote the file. Never drops an operator's other settings.
    CHANGED="$(python3 - "$CONF" "$RUNSC" <<'PY'
import json, os, sys
path, runsc = sys.argv[1], sys.argv[2]
conf = {}
if os.path.exists(path):
    with open(path) as fh:
        text = fh.read()
    conf = json.loads(text) if text.strip() else {}
entry = conf.setdefault("runtimes", {}).setdefault("runsc", {"path": runsc})
entry.setdefault("path", runsc)
args = entry.setdefault("runtimeArgs", [])
missing = [flag for flag in ("--network=none", "--oci-seccomp") if flag not in args]
args.extend(missing)
if missing or not os.path.exists(path):
    with open(path, "w") as fh:
        json.dump(conf, fh, indent=2)
        fh.write("\n")
    print("changed")
PY
)"
    if [ "$CHANGED" = changed ]; then
        say "registered runsc ($RUNSC) with --network=none --oci-seccomp in $CONF"
    else
        say "$CONF already registers runsc with --network=none --oci-seccomp"
    fi
else
    say "runsc not found; the engine will offer runc only"
fi

if docker info >/dev/null 2>&1; then
    if [ "$CHANGED" = changed ]; then
        # dockerd re-reads its runtimes on SIGHUP; running containers are not touched.
        for pid in $(pgrep -x dockerd); do kill -HUP "$pid"; done
        say "engine already answers; asked it to reload $CONF"
        sleep 1
    else
        say "engine already answers"
    fi
    docker info --format 'runtimes: {{range $k, $v := .Runtimes}}{{$k}} {{end}}' >&2 || true
    exit 0
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
