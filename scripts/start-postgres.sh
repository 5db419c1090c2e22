#!/bin/sh
# Start a local PostgreSQL for the test suite if none answers, and make sure the test role and
# database exist. Prints the SQLAlchemy URL of the test database on stdout, and nothing else there:
# whatever the cluster tools print goes to stderr.
set -eu
# Keep stdout for the URL alone: everything else this script runs writes to stderr.
exec 3>&1 1>&2

PORT="${ARENA_PG_PORT:-5432}"
URL="postgresql+psycopg://arena:arena@127.0.0.1:$PORT/arena_test"
say() { printf 'start-postgres: %s\n' "$*" >&2; }
# fd 3 (the URL's stdout) is closed for the tools, so a server they start does not hold it open.
as_postgres() {
    if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$1" 3>&-; else sudo -u postgres sh -c "$1" 3>&-; fi
}

if ! pg_isready -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
    if command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
        set -- $(pg_lsclusters -h | head -n 1)
        say "starting cluster $1/$2"
        as_postgres "pg_ctlcluster $1 $2 start" || true
    else
        say "no PostgreSQL cluster found (apt-get install postgresql)"; exit 1
    fi
    i=0
    until pg_isready -q -h 127.0.0.1 -p "$PORT"; do
        i=$((i + 1)); [ "$i" -gt 60 ] && { say "PostgreSQL did not start"; exit 1; }
        sleep 0.5
    done
fi
as_postgres "psql -p $PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='arena'\"" | grep -q 1 \
    || as_postgres "psql -p $PORT -qc \"CREATE ROLE arena LOGIN PASSWORD 'arena' CREATEDB\""
as_postgres "psql -p $PORT -tAc \"SELECT 1 FROM pg_database WHERE datname='arena_test'\"" | grep -q 1 \
    || as_postgres "createdb -p $PORT -O arena arena_test"
echo "$URL" >&3
