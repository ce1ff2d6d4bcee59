#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the tests and prints its connection string; `stop DIR` stops and deletes it.
#
#   conn=$(eng/postgres-ci.sh start DIR)     initdb in DIR, start on a free loopback port, wait until ready
#   eng/postgres-ci.sh stop DIR              stop the server (immediate) and delete DIR
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user. The newest
# /usr/lib/postgresql/*/bin is used; if there is none, the Debian package is installed. Messages go to stderr.
set -euo pipefail

command=${1:?usage: postgres-ci.sh start|stop DIR}
dir=${2:?usage: postgres-ci.sh start|stop DIR}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

case "$command" in
  start)
    bin=$(bin_dir)
    if [ -z "$bin" ]; then
      echo "postgres-ci: installing postgresql" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1
      bin=$(bin_dir)
    fi
    [ -n "$bin" ] || { echo "postgres-ci: no PostgreSQL under /usr/lib/postgresql" >&2; exit 1; }

    # A free loopback port: one that refuses a connection now.
    port=""
    for _ in $(seq 1 50); do
      candidate=$((20000 + RANDOM % 40000))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
    done
    [ -n "$port" ] || { echo "postgres-ci: no free port found" >&2; exit 1; }

    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres-ci.sh start|stop DIR" >&2
    exit 2
    ;;
esac
