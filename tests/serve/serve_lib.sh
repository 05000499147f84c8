# Shared by the serve tests' scripts (sourced): starts `intake serve` on a free port.
#
# start_serve INTAKE OUT LOG: runs `INTAKE serve --out OUT` on 127.0.0.1, port chosen by the
# system, in the background; sets `server` (its pid) and `port`, or calls fail (the caller's).

start_serve() {
  # The log exists before the server starts: the loop below may read it before the background
  # job has opened it (and a failed sed in an assignment ends a `set -e` script).
  : > "$3"
  "$1" serve --out "$2" --listen 127.0.0.1:0 2>> "$3" &
  server=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$3")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "intake serve did not start"
}
