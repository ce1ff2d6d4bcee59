#!/usr/bin/env bash
# The cluster throughput harness: ChronoFlow's PostgreSQL store with one and three real node processes, and
# Quartz.NET 4.7.3's clustered AdoJobStore on the same server in the same run. Writes docs/benchmarks-cluster.md.
#
#   benchmarks/cluster.sh                          every scenario (about 7 minutes on 2 cores, the build included, before
#                                                  cf-1node-1k-nonotify, cf-propagation and cf-failover were added; those
#                                                  three took about 6 minutes more in a trial run)
#   benchmarks/cluster.sh --scenarios cf-1node-1k  some of them (names in ChronoFlow.ClusterBench/Orchestrator.cs)
#   benchmarks/cluster.sh --window 30              longer measured windows (default 20 s, warm-up 10 s)
#
# Arguments go to the harness (ChronoFlow.ClusterBench run). It starts its own throwaway PostgreSQL 15 with
# eng/postgres-ci.sh (fsync on, as it ships), and stops it, and every node process, on any exit: success, failure,
# Ctrl-C or a TERM. Every number also goes to docs/benchmarks-cluster.json. CLUSTER_OUTPUT=path.md writes the page
# (and path.json) elsewhere: a trial run that should not replace the results.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
project="$root/benchmarks/ChronoFlow.ClusterBench"
output=${CLUSTER_OUTPUT:-$root/docs/benchmarks-cluster.md}
work=$(mktemp -d /tmp/chronoflow-cluster.XXXXXX)
pgdir=$(mktemp -d -u /tmp/chronoflow-cluster-pg.XXXXXX)   # its own: the postgres user must reach it
pidfile="$work/nodes.pid"
harness_pid=""

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  # The harness kills its nodes itself on any exit it can see; if it was killed outright, its nodes stop when their
  # standard input closes, and whatever is still listed in the pid file (by id, and only if it is still a node of
  # this harness) is killed here.
  if [ -n "$harness_pid" ] && kill -0 "$harness_pid" 2>/dev/null; then
    kill -TERM "$harness_pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$harness_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$harness_pid" 2>/dev/null
  fi
  if [ -f "$pidfile" ]; then
    while read -r pid; do
      if [ -n "$pid" ] && grep -qa ChronoFlow.ClusterBench "/proc/$pid/cmdline" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
      fi
    done <"$pidfile"
  fi
  "$root/eng/postgres-ci.sh" stop "$pgdir" || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

command -v python3 >/dev/null || { echo "cluster.sh: python3 is needed to write $output" >&2; exit 2; }

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "cluster.sh: building (Release)" >&2
dotnet build "$project" -c Release -nologo -v q -clp:NoSummary >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; echo "cluster.sh: build failed" >&2; exit 1; }
harness="$project/bin/Release/net10.0/ChronoFlow.ClusterBench"

conn=$("$root/eng/postgres-ci.sh" start "$pgdir") || { echo "cluster.sh: could not start PostgreSQL" >&2; exit 1; }
echo "cluster.sh: PostgreSQL at ${conn%%;Username*}" >&2
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_version=$("$pg_bin/postgres" --version)
pg_settings=$(runuser -u postgres -- "$pg_bin/psql" -h "$pgdir" -p "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$conn")" -U postgres -At -c \
  "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_connections', 'checkpoint_timeout', 'max_wal_size', 'full_page_writes')" 2>/dev/null || echo "unknown")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure_started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
"$harness" run --connection "$conn" --output "$work/results.json" --pidfile "$pidfile" "$@" &
harness_pid=$!
wait "$harness_pid"
status=$?
harness_pid=""
measure_finished=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

if [ ! -s "$work/results.json" ]; then
  echo "cluster.sh: the harness produced no results (exit $status)" >&2
  exit 1
fi

mkdir -p "$(dirname "$output")"
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
STARTED="$started" MEASURE_STARTED="$measure_started" MEASURE_FINISHED="$measure_finished" \
LOAD_START="$load_start" LOAD_BEFORE="$load_before" LOAD_AFTER="$load_after" \
CPU="${cpu:-unknown}" NPROC="$(nproc)" LSCPU="$(lscpu | grep -E '^(Architecture|CPU\(s\)|Model name|Thread\(s\) per core|Core\(s\) per socket|Socket\(s\)|L3 cache|Hypervisor vendor|Virtualization type):')" \
MEMORY="$(free -h | awk '/^Mem:/ {print $2}')" OS="$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s), kernel $(uname -r)" \
DOTNET="$(dotnet --version 2>/dev/null) (SDK); runtime $(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')" \
PG_VERSION="$pg_version" PG_SETTINGS="$pg_settings" \
COMMAND="benchmarks/cluster.sh$( [ $# -gt 0 ] && printf ' %q' "$@")" STATUS="$status" \
RESULTS="$work/results.json" OUTPUT="$output" python3 "$root/benchmarks/assemble_cluster.py" || exit 1

cp "$work/results.json" "${output%.md}.json"
echo "cluster.sh: wrote $output and ${output%.md}.json (harness exit code $status)" >&2
exit "$status"
