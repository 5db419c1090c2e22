#!/bin/sh
# Bring up the compose installation of docker-compose.yml with two workers under a project of its own, send
# one trivial code submission through the API and wait until a worker container has run it in the sandbox
# (through the host's engine) and scored it from the S3 store; check the web's /healthz, a worker's
# `arena worker-health` and /metrics; then take the project down with its volumes.
#   deploy/smoke-compose.sh          # after the images are built (docs/operations.md, "Installing with
#                                    # Docker Compose"); needs docker-compose or `docker compose`, curl
# It publishes PostgreSQL, Redis and the store on 127.0.0.2 (so a PostgreSQL of the host on 127.0.0.1 does not
# clash) and the web on WEB_PORT (default 8000). Exit 0 when the submission is scored.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
PROJECT="${PROJECT:-arenasmoke}"
WEB="http://127.0.0.1:${WEB_PORT:-8000}"
say() { printf 'smoke: %s\n' "$*" >&2; }
if command -v docker-compose >/dev/null 2>&1; then COMPOSE=docker-compose; else COMPOSE="docker compose"; fi
ENV_FILE="$(mktemp)"
WORK="$(mktemp -d)"
random() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
cat > "$ENV_FILE" <<EOF
ARENA_SECRET_KEY=$(random)$(random)
PG_PASSWORD=$(random)
REDIS_PASSWORD=$(random)
S3_ACCESS_KEY=smoke$(random)
S3_SECRET_KEY=$(random)
PRIVATE_ADDRESS=127.0.0.2
EOF
compose() { $COMPOSE -p "$PROJECT" -f "$REPO/docker-compose.yml" --env-file "$ENV_FILE" "$@"; }
cleanup() {
    compose down -v >/dev/null 2>&1 || true
    rm -rf "$ENV_FILE" "$WORK"
}
trap cleanup EXIT
field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

compose up -d --scale worker=2
say "waiting for $WEB/healthz"
tries=0
until curl -fsS -m 5 "$WEB/healthz" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { say "the web never answered /healthz"; compose logs web >&2; exit 1; }
    sleep 2
done
compose cp "$REPO/bench/fixtures/trivial-code" web:/tmp/trivial-code 2>/dev/null \
    || docker cp "$REPO/bench/fixtures/trivial-code" "$(compose ps -q web)":/tmp/trivial-code
compose exec -T web arena challenges import /tmp/trivial-code >/dev/null
compose exec -T web arena users create tester --password "quiet-harbor-5821" --email tester@example.org >/dev/null
TOKEN="$(curl -fsS -X POST "$WEB/api/v1/tokens" -H 'Content-Type: application/json' \
    -d '{"username": "tester", "password": "quiet-harbor-5821"}' | field '["token"]')"
AUTH="Authorization: Bearer $TOKEN"
curl -fsS -X POST "$WEB/api/v1/challenges/bench-trivial-code/teams" -H "$AUTH" -H 'Content-Type: application/json' \
    -d '{"name": "smokers"}' >/dev/null
PHASE="$(curl -fsS "$WEB/api/v1/challenges/bench-trivial-code" -H "$AUTH" \
    | field '["tracks"][0]["phases"][0]["id"]')"
python3 - "$WORK/code.zip" <<'PY'
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1], "w") as archive:
    archive.writestr(
        "main.py",
        'ids = open("/data/ids.txt").read().split()\n'
        'with open("/output/predictions.csv", "w") as out:\n'
        '    out.write("id,label\\n" + "".join(f"{i},a\\n" for i in ids))\n',
    )
PY
URL="$(curl -fsS -X POST "$WEB/api/v1/phases/$PHASE/submissions" -H "$AUTH" -F "file=@$WORK/code.zip" \
    | field '["url"]')"
say "submitted: $URL"
tries=0
while :; do
    STATUS="$(curl -fsS "$URL" -H "$AUTH" | field '["status"]')"
    case "$STATUS" in
        scored) break ;;
        failed|cancelled) say "the submission $STATUS:"; curl -fsS "$URL" -H "$AUTH" >&2; exit 1 ;;
    esac
    tries=$((tries + 1))
    [ "$tries" -lt 90 ] || { say "still $STATUS after 3 minutes"; compose logs worker >&2; exit 1; }
    sleep 2
done
say "scored: $(curl -fsS "$URL" -H "$AUTH" | field '["scores"]["public"]["score"]')"
compose exec -T worker arena worker-health >/dev/null
curl -fsS "$WEB/metrics" | grep -q '^arena_' || { say "/metrics has no arena_ series"; exit 1; }
say "ok: healthz, a scored code submission, worker-health and metrics"
