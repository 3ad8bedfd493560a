#!/usr/bin/env bash
# Throwaway PostgreSQL server for the test suite (一次性 PostgreSQL 测试库).
#
#   scripts/pg_throwaway.sh start [PORT]   start a server, print its SQLAlchemy URL on stdout
#   scripts/pg_throwaway.sh url            print the URL of the running server
#   scripts/pg_throwaway.sh stop [DIR]     stop the server and delete its folder
#   scripts/pg_throwaway.sh kill           stop it as a crash would (pg_ctl stop -m immediate), keep it
#   scripts/pg_throwaway.sh restart        start a killed server again, on its port
#
# `start` makes a temporary folder (mktemp -d), runs initdb in it with trust
# authentication for the superuser "postgres", starts the server on 127.0.0.1 only
# (Unix socket inside the folder, nothing in /var/run), creates the database
# civaffairs_test and prints
#
#   postgresql+psycopg://postgres@127.0.0.1:PORT/civaffairs_test
#
# PostgreSQL refuses to run as root, so when started by root the server runs as the
# unprivileged system user $PG_THROWAWAY_USER (default "civpg", created if missing).
# Without PORT (or $PG_THROWAWAY_PORT) a free local port is picked by the kernel.
# The folder and port are remembered in $PG_THROWAWAY_STATE so that `stop` and `url`
# need no arguments. The server is tuned for tests (fsync off): never keep data in it.
#
# Binaries: initdb/pg_ctl from PATH, else /usr/lib/postgresql/15/bin (Debian), else the
# newest /usr/lib/postgresql/*/bin. Everything but the URL goes to stderr.
set -euo pipefail

DB_NAME="${PG_THROWAWAY_DB:-civaffairs_test}"
RUN_USER="${PG_THROWAWAY_USER:-civpg}"
# Tuned for speed (a crash may lose the last commits) unless PG_THROWAWAY_DURABLE=1: a test
# that kills the server and counts what survived needs every acknowledged commit kept.
if [ "${PG_THROWAWAY_DURABLE:-0}" = 1 ]; then
    TUNING=""
else
    TUNING="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
STATE_FILE="${PG_THROWAWAY_STATE:-${TMPDIR:-/tmp}/civaffairs-pg-throwaway.$(id -u).state}"

log() { echo "pg_throwaway: $*" >&2; }
die() { log "error: $*"; exit 1; }

find_pg_bin() {
    local d
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return 0
    fi
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# Run a command as the server's user (root) or as ourselves (anyone else).
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$RUN_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! id -u "$RUN_USER" >/dev/null 2>&1; then
        log "creating system user $RUN_USER"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$RUN_USER"
    fi
}

free_port() {
    python3 - <<'EOF'
import socket
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
EOF
}

url_for() { echo "postgresql+psycopg://postgres@127.0.0.1:$1/$DB_NAME"; }

cmd_start() {
    local requested_port="${1:-${PG_THROWAWAY_PORT:-}}"
    local bin dir port attempt started=0
    bin="$(find_pg_bin)" || die "initdb/pg_ctl not found (install PostgreSQL 15: apt-get install -y postgresql)"
    log "using PostgreSQL binaries in $bin ($("$bin/pg_ctl" --version))"
    ensure_user

    dir="$(mktemp -d "${TMPDIR:-/tmp}/civaffairs-pg.XXXXXX")"
    chmod 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$RUN_USER:" "$dir"
    fi

    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }

    # A port picked by the kernel can in theory be taken again before the server
    # binds it, so try a few times (only when no port was asked for).
    for attempt in 1 2 3 4 5; do
        port="${requested_port:-$(free_port)}"
        if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $TUNING" \
            start >&2; then
            started=1
            break
        fi
        log "server did not start on port $port (attempt $attempt)"
        [ -z "$requested_port" ] || break
    done
    if [ "$started" -ne 1 ]; then
        tail -n 30 "$dir/server.log" >&2 || true
        rm -rf "$dir"
        die "could not start PostgreSQL"
    fi

    echo "$dir $port" >"$STATE_FILE"
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME" \
        || { cmd_stop "$dir"; die "createdb $DB_NAME failed"; }
    log "running on 127.0.0.1:$port, folder $dir (stop with: $0 stop)"
    url_for "$port"
}

read_state() {
    [ -f "$STATE_FILE" ] || return 1
    read -r STATE_DIR STATE_PORT <"$STATE_FILE"
}

cmd_url() {
    read_state || die "no running server recorded in $STATE_FILE"
    url_for "$STATE_PORT"
}

cmd_stop() {
    local dir="${1:-}" bin
    if [ -z "$dir" ]; then
        if ! read_state; then
            log "nothing to stop (no $STATE_FILE)"
            return 0
        fi
        dir="$STATE_DIR"
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin="$(find_pg_bin)" || die "pg_ctl not found"
        as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 \
            || log "pg_ctl stop failed (server already gone?)"
    fi
    case "$dir" in
        */civaffairs-pg.*) rm -rf "$dir" ;;
        *) log "not deleting unexpected folder $dir" ;;
    esac
    if read_state 2>/dev/null && [ "$STATE_DIR" = "$dir" ]; then
        rm -f "$STATE_FILE"
    fi
    log "stopped"
}

# For tests of what survives a server that dies: the folder and the port stay.
cmd_kill() {
    local bin
    read_state || die "no running server recorded in $STATE_FILE"
    bin="$(find_pg_bin)" || die "pg_ctl not found"
    as_pg "$bin/pg_ctl" -D "$STATE_DIR/data" -m immediate -w -t 60 stop >&2
}

cmd_restart() {
    local bin
    read_state || die "no server recorded in $STATE_FILE"
    bin="$(find_pg_bin)" || die "pg_ctl not found"
    as_pg "$bin/pg_ctl" -D "$STATE_DIR/data" -l "$STATE_DIR/server.log" -w -t 60 \
        -o "-p $STATE_PORT -k $STATE_DIR -c listen_addresses=127.0.0.1 $TUNING" \
        start >&2
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    kill) cmd_kill ;;
    restart) cmd_restart ;;
    url) cmd_url ;;
    *) echo "usage: $0 start [PORT] | url | stop [DIR] | kill | restart" >&2; exit 2 ;;
esac
