#!/usr/bin/env bash
# Packed-build test: packs ChronoFlow, ChronoFlow.Hosting, ChronoFlow.AspNetCore and ChronoFlow.Files, then builds and
# runs a fresh console app that takes them with `dotnet add package`, as a user would (with a jobs directory). It
# catches what project references hide: a dependency missing from a package, a README or XML doc file left out, an API
# that only works inside the repository.
#
# Usage: eng/packed-build-test.sh            (the last line says PASS or FAIL; the exit code is 0 only on PASS)
# PACKED_BUILD_OUTPUT=DIR keeps the packages in DIR (for inspection); otherwise everything goes in a temporary folder.
#
# The version is unique per run (0.1.0-ci.SECONDS.PID), so no NuGet cache entry from an earlier run is reused; this
# run's entries are removed from the global packages folder afterwards. Build output goes under the temporary folder
# (--artifacts-path), so the repository's own bin/ and obj/ are left alone.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/chronoflow-packed.XXXXXX")
version="0.1.0-ci.$(date +%s).$$"
packages=${PACKED_BUILD_OUTPUT:-$work/packages}
app="$work/PackedApp"
started=$SECONDS
step="setting up"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No build server outlives this script, and builds run in one process: reused MSBuild nodes (left running as
# `MSBuild.dll /nodeReuse:true`) and parallel child nodes made it fail now and then with MSB4166 ("Child node
# exited prematurely") on a loaded machine.
export DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
build_flags=(-nodeReuse:false -maxCpuCount:1 --disable-build-servers -p:UseSharedCompilation=false)
# Run from a test (dotnet test), the environment carries the outer build's MSBuild settings; they must not leak in.
unset MSBuildExtensionsPath MSBuildSDKsPath MSBUILD_EXE_PATH MSBuildLoadMicrosoftTargetsReadOnly

global_packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')

finish() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    echo "packed-build-test: FAIL while $step (exit $status, after $((SECONDS - started)) s)"
  fi
  rm -rf "$work"
  for id in chronoflow chronoflow.hosting chronoflow.aspnetcore chronoflow.files; do
    if [ -n "$global_packages" ]; then
      rm -rf "${global_packages%/}/$id/$version"
      rmdir "${global_packages%/}/$id" 2>/dev/null || true # only when no other version is left
    fi
  done
  exit "$status"
}
trap finish EXIT

fail() {
  echo "packed-build-test: $*" >&2
  exit 1
}

# Lists a zip file's entries, one a line.
list_zip() {
  if command -v unzip >/dev/null; then
    unzip -Z1 "$1"
  elif command -v python3 >/dev/null; then
    python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"
  else
    fail "cannot list $1: neither unzip nor python3 is installed"
  fi
}

echo "packed-build-test: version $version, work folder $work"
mkdir -p "$packages"

step="packing"
projects=(ChronoFlow ChronoFlow.Hosting ChronoFlow.AspNetCore ChronoFlow.Files)
for project in "${projects[@]}"; do
  dotnet pack "$repo/src/$project/$project.csproj" -c Release -p:Version="$version" \
    --artifacts-path "$work/artifacts" -o "$packages" -nologo -v:q "${build_flags[@]}"
done

step="checking the package contents"
for project in "${projects[@]}"; do
  nupkg="$packages/$project.$version.nupkg"
  [ -f "$nupkg" ] || fail "$nupkg was not produced"
  [ -f "$packages/$project.$version.snupkg" ] || fail "$project.$version.snupkg (symbols) was not produced"
  entries=$(list_zip "$nupkg")
  for entry in README.md lib/net8.0/$project.dll lib/net8.0/$project.xml lib/net10.0/$project.dll lib/net10.0/$project.xml; do
    grep -qxF "$entry" <<<"$entries" || fail "$project.$version.nupkg has no $entry; it has:"$'\n'"$entries"
  done
  echo "packed-build-test: $project.$version.nupkg $(stat -c %s "$nupkg") bytes, snupkg $(stat -c %s "$packages/$project.$version.snupkg") bytes: README.md and XML docs for net8.0 and net10.0 present"
done

step="creating the console app"
hosting_version=$(sed -n 's/.*Include="Microsoft.Extensions.Hosting" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")
[ -n "$hosting_version" ] || fail "no Microsoft.Extensions.Hosting version in Directory.Packages.props"
dotnet new console -o "$app" -n PackedApp --framework net10.0 --no-restore >/dev/null
# The local folder comes in addition to the machine's default source, which serves the dependencies.
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="chronoflow-packed-build" value="$packages" />
  </packageSources>
</configuration>
EOF

step="adding the packages"
dotnet add "$app/PackedApp.csproj" package ChronoFlow --version "$version"
dotnet add "$app/PackedApp.csproj" package ChronoFlow.Hosting --version "$version"
dotnet add "$app/PackedApp.csproj" package ChronoFlow.Files --version "$version"
dotnet add "$app/PackedApp.csproj" package Microsoft.Extensions.Hosting --version "$hosting_version"
grep -q "\"ChronoFlow/$version\"" "$app/obj/project.assets.json" || fail "the app did not restore ChronoFlow $version"

cat >"$app/Program.cs" <<'EOF'
// Written by eng/packed-build-test.sh: uses ChronoFlow only through its packages.
using ChronoFlow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The cron engine, directly: weekdays at noon, from a Friday afternoon, is the next Monday at noon.
var cron = CronExpression.Parse("0 12 * * MON-FRI");
var next = cron.GetNextOccurrence(new DateTime(2025, 1, 3, 13, 0, 0, DateTimeKind.Utc));
var expected = new DateTime(2025, 1, 6, 12, 0, 0, DateTimeKind.Utc);
if (next != expected)
{
    Console.WriteLine($"cron: FAIL, next occurrence {next:O}, expected {expected:O}");
    return 1;
}

Console.WriteLine($"cron: ok, {cron} next after Friday 13:00 is {next:O}");

// The hosted scheduler: a job every second, stopping after its second run, and a jobs directory (ChronoFlow.Files)
// whose one job file must load.
var runs = 0;
var twoRuns = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var jobs = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "jobs.d")).FullName;
var jobFile = Path.Combine(jobs, "echo.json");
File.WriteAllText(jobFile, """{ "job_id": "echo", "schedule": "@daily", "task": { "type": "execute_command", "command": "/bin/echo packed" } }""");
if (!OperatingSystem.IsWindows())
{
    File.SetUnixFileMode(jobFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
}

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddChronoFlow().AddJobsDirectory(jobs).AddJob("tick", "*/1 * * * * *", (context, _) =>
{
    Console.WriteLine($"tick: scheduled {context.ScheduledTime:O}, attempt {context.Attempt}");
    if (Interlocked.Increment(ref runs) == 2)
    {
        twoRuns.TrySetResult();
    }

    return ValueTask.CompletedTask;
});

using var host = builder.Build();
await host.StartAsync();
var fileJob = host.Services.GetRequiredService<JobScheduler>().GetJob("echo");
Console.WriteLine(fileJob is null ? "jobs.d: FAIL, the job file was not loaded" : $"jobs.d: ok, echo next runs {fileJob.NextRun:O}");
var done = await Task.WhenAny(twoRuns.Task, Task.Delay(TimeSpan.FromSeconds(60))) == twoRuns.Task;
await host.StopAsync();
Console.WriteLine(done ? $"runs: {Volatile.Read(ref runs)}" : $"runs: FAIL, only {Volatile.Read(ref runs)} run(s) in 60 s");
return done && fileJob is not null ? 0 : 1;
EOF

step="building and running the console app"
output="$work/run.log"
# From the app's folder, which is then the host's content root: nothing from the caller's folder is read.
if ! (cd "$app" && timeout 180 dotnet build PackedApp.csproj -c Release -nologo -v:q "${build_flags[@]}" >"$output" 2>&1 \
  && timeout 120 dotnet run --project PackedApp.csproj -c Release --no-build >"$output" 2>&1); then
  cat "$output"
  fail "the app failed (or timed out)"
fi
cat "$output"
grep -q '^cron: ok' "$output" || fail "the app printed no cron check"
grep -Eq '^runs: ([2-9]|[1-9][0-9]+)$' "$output" || fail "the app did not count two runs"
grep -q '^jobs.d: ok' "$output" || fail "the app did not load its job file"

echo "packed-build-test: PASS ($version: ${#projects[@]} packages, app built and ran against them, in $((SECONDS - started)) s)"
