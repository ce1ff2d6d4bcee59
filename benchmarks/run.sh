#!/usr/bin/env bash
# Runs the cron-engine benchmark suite (ChronoFlow with Cronos, NCrontab and Quartz.NET as baselines, in one run)
# and writes docs/benchmarks.md: date, machine, command, a check of ChronoFlow against the budgets in
# ARCHITECTURE.md "Performance budgets", and BenchmarkDotNet's tables.
#
#   benchmarks/run.sh                                  the full run (the "Full" job); about 8 minutes on 2 cores
#   benchmarks/run.sh --job short                      a quicker, rougher run while iterating
#   benchmarks/run.sh --filter '*Zoned*'               a subset (BenchmarkDotNet filter globs)
#
# Any argument is passed on to BenchmarkDotNet. BENCH_OUTPUT overrides where the markdown goes.
# Exits non-zero when a benchmark failed (for example a [GlobalSetup] that found the libraries disagree);
# the page is still written, and says so.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
project="$root/benchmarks/ChronoFlow.Benchmarks"
artifacts="$root/benchmarks/BenchmarkDotNet.Artifacts"
output=${BENCH_OUTPUT:-$root/docs/benchmarks.md}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v python3 >/dev/null || { echo "run.sh: python3 is needed to assemble $output" >&2; exit 2; }

args=("$@")
# Without a filter BenchmarkSwitcher asks on the console which benchmarks to run; the default is all of them.
has_filter=false
for a in "${args[@]}"; do
  case "$a" in --filter|-f|--filter=*) has_filter=true ;; esac
done
$has_filter || args=(--filter '*' "${args[@]}")

rm -rf "$artifacts/results"
mkdir -p "$artifacts" "$(dirname "$output")"
log="$artifacts/run.log"

started=$(date -u '+%Y-%m-%d %H:%M UTC')
shown_args=$(printf ' %q' "${args[@]}")
bdn_command="dotnet run --project benchmarks/ChronoFlow.Benchmarks -c Release --${shown_args} --exporters github json --artifacts benchmarks/BenchmarkDotNet.Artifacts"
echo "run.sh: $bdn_command" >&2

dotnet run --project "$project" -c Release -- "${args[@]}" --exporters github json --artifacts "$artifacts" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
finished=$(date -u '+%Y-%m-%d %H:%M UTC')

if ! ls "$artifacts"/results/*-report-github.md >/dev/null 2>&1; then
  echo "run.sh: BenchmarkDotNet produced no report (exit $status); see $log" >&2
  exit 1
fi

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
logical=$(nproc --all)
physical=$(grep '^cpu cores' /proc/cpuinfo | head -1 | cut -d: -f2 | tr -d ' ')
os=$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -s)
kernel=$(uname -r)
sdk=$(dotnet --version 2>/dev/null)

STARTED="$started" FINISHED="$finished" CPU="$cpu" LOGICAL="$logical" PHYSICAL="${physical:-?}" OS="$os" KERNEL="$kernel" \
SDK="$sdk" COMMAND="benchmarks/run.sh$( [ $# -gt 0 ] && printf ' %q' "$@")" BDN_COMMAND="$bdn_command" STATUS="$status" \
RESULTS="$artifacts/results" LOG="$log" OUTPUT="$output" python3 "$root/benchmarks/assemble.py"

echo "run.sh: wrote $output (BenchmarkDotNet exit code $status)" >&2
exit "$status"
