#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then remove the cluster.
#
#   tests/with_postgres.sh .venv/bin/pytest -m "not browser"
#
# initdb into a temporary folder, start the server on a free port on 127.0.0.1 only (its socket inside
# that folder, durability off for speed), create the database pantau_test, export
#   TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/pantau_test
# (and TEST_PG_DATA, the cluster's data folder, for a command that restarts the server)
# and run the command. The server is stopped and the folder deleted whatever happens (failure, Ctrl-C,
# TERM). Exits with the command's exit code.
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (created with
# useradd --system when missing) and initdb/pg_ctl run through `runuser -u postgres --`.
# Without initdb/pg_ctl/postgres on PATH: under CI=true this fails; elsewhere it warns and skips (exit 0).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

missing=()
for tool in initdb pg_ctl postgres; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "with_postgres: PostgreSQL server programs not on PATH: ${missing[*]}." >&2
        echo "with_postgres: CI must run the suite on PostgreSQL; install PostgreSQL 15 (initdb, pg_ctl, postgres)." >&2
        exit 1
    fi
    {
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo "!! WARNING: PostgreSQL not found (missing: ${missing[*]})."
        echo "!! SKIPPING the PostgreSQL run of the test suite. Production runs on PostgreSQL:"
        echo "!! install PostgreSQL 15 (initdb, pg_ctl and postgres on PATH) before you push."
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    } >&2
    exit 0
fi

# createdb ships beside initdb (Debian keeps it out of PATH); psql is the fallback.
pg_bin="$(dirname "$(readlink -f "$(command -v initdb)")")"

as_pg=()
if [[ "$(id -u)" == "0" ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
        if getent group postgres >/dev/null; then group=(--gid postgres); else group=(--user-group); fi
        useradd --system "${group[@]}" --no-create-home --shell /usr/sbin/nologin postgres
    fi
    as_pg=(runuser -u postgres --)
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/pantau-pg.XXXXXX")"
data="$workdir/data"
sock="$workdir/sock"
log="$workdir/server.log"
started=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [[ $started == 1 ]]; then
        "${as_pg[@]}" pg_ctl -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$workdir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$sock"
if [[ ${#as_pg[@]} -gt 0 ]]; then
    chown -R postgres: "$workdir"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

echo "with_postgres: initdb in $workdir" >&2
"${as_pg[@]}" initdb -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync >"$workdir/initdb.log" 2>&1 || {
    cat "$workdir/initdb.log" >&2
    exit 1
}

# A port found free may be taken before the server binds it: try a few.
port=""
for _ in 1 2 3 4 5; do
    candidate="$(free_port)"
    started=1
    if "${as_pg[@]}" pg_ctl -D "$data" -l "$log" -w -t 30 start -o \
        "-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories=$sock \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null; then
        port="$candidate"
        break
    fi
    started=0
done
if [[ -z "$port" ]]; then
    echo "with_postgres: the server did not start; its log:" >&2
    cat "$log" >&2 || true
    exit 1
fi

if [[ -x "$pg_bin/createdb" ]]; then
    "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres pantau_test
elif command -v psql >/dev/null 2>&1; then
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE pantau_test"
else
    echo "with_postgres: neither createdb (in $pg_bin) nor psql found" >&2
    exit 1
fi

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/pantau_test"
export TEST_PG_DATA="$data"  # for a command that restarts the server (bench/soak.py: pg_ctl -D "$TEST_PG_DATA" restart)
echo "with_postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
