# A throwaway PostgreSQL 15 server for the tests (sourced, not run): Debian's postgresql-15,
# initdb into a temporary folder, started with pg_ctl on a free port (TCP on 127.0.0.1 only,
# trust authentication), stopped and removed by pg_stop. PostgreSQL refuses to run as root, so
# when the tests run as root the server runs as the `postgres` user Debian's package creates
# (or `nobody`).
#
#   pg_start       sets PG_URL (postgresql://...), PG_DIR (a new folder in /tmp, which the
#                  server's user can reach) and PG_PORT; exit 77 (skip) when PostgreSQL 15 is
#                  not installed
#   pg_stop        stops the server (fast shutdown) and removes its folder
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_OWNER" -- "$@"
  else
    "$@"
  fi
}

pg_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

pg_start() {
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
    echo "SKIP: PostgreSQL 15 is not installed ($PG_BIN/initdb; scripts/setup.sh installs postgresql-15)"
    exit 77
  fi
  PG_OWNER=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    PG_OWNER=postgres
    id postgres >/dev/null 2>&1 || PG_OWNER=nobody
  fi
  PG_DIR=$(mktemp -d /tmp/intake-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown "$PG_OWNER" "$PG_DIR"
  chmod 700 "$PG_DIR"
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U intake --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
    { echo "initdb failed:"; cat "$PG_DIR/initdb.log"; exit 1; }
  PG_PORT=$(pg_free_port)
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=on" \
    start >/dev/null || { echo "PostgreSQL did not start:"; cat "$PG_DIR/server.log"; exit 1; }
  PG_URL="postgresql://intake@127.0.0.1:$PG_PORT/postgres"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
  PG_OWNER=${PG_OWNER:-$(stat -c %U "$PG_DIR")}
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
}
