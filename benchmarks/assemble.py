#!/usr/bin/env python3
"""Assembles docs/benchmarks.md from a BenchmarkDotNet run of benchmarks/ChronoFlow.Benchmarks.

Called by benchmarks/run.sh, which passes everything through the environment: the machine facts it read, the
command, BenchmarkDotNet's exit status and the results folder (github markdown and full json reports).
"""
import glob
import json
import os
import re

env = os.environ
results = env["RESULTS"]

CLASS_ORDER = ["ParseBenchmarks", "NextUtcBenchmarks", "NextZonedBenchmarks", "ImpossibleBenchmarks"]
CLASS_TITLES = {
    "ParseBenchmarks": "Parse and TryParse",
    "NextUtcBenchmarks": "Next occurrence in UTC",
    "NextZonedBenchmarks": "Next occurrence in a time zone",
    "ImpossibleBenchmarks": "An expression that never fires: 0 0 30 2 *",
}

# Case key (the method name after "Library_") -> what the budget table calls it.
CASES = {
    "ParseFiveFields": "Parse `*/5 * * * *`",
    "ParseSixFields": "Parse `0 0 12 * * MON-FRI` (seconds)",
    "TryParseInvalid": "TryParse `61 * * * *` (fails)",
    "ParseQuartz": "Parse `0 0/5 14,18 ? * MON-FRI` (CronFormat.Quartz)",
    "EveryMinute": "`* * * * *`",
    "Yearly": "`0 0 1 1 *`",
    "WeekdaysAtNoon": "`0 12 * * MON-FRI`",
    "LastDayOfMonth": "`0 0 L * *`",
    "February29": "`0 0 29 2 *`",
    "ThirdFriday": "`0 0 * * 5#3`",
    "NearestWeekdayTo15": "`0 0 15W * *`",
    "Every10Seconds": "`*/10 * * * * *` (seconds)",
    "Impossible": "`0 0 30 2 *` (never fires)",
}


def fmt_time(ns):
    if ns is None:
        return "n/a"
    if ns < 1_000:
        return f"{ns:,.1f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:,.2f} µs"
    return f"{ns / 1_000_000:,.2f} ms"


def number(value):
    return value if isinstance(value, (int, float)) else None


def load():
    """(type, case, params) -> library -> {mean, lower, upper, bytes}."""
    groups = {}
    for path in glob.glob(os.path.join(results, "*-report-full-compressed.json")):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for b in report.get("Benchmarks", []):
            library, _, case = b["Method"].partition("_")
            stats = b.get("Statistics") or {}
            ci = stats.get("ConfidenceInterval") or {}
            memory = b.get("Memory") or {}
            entry = None
            if number(stats.get("Mean")) is not None:
                entry = {
                    "mean": stats["Mean"],
                    "lower": number(ci.get("Lower")),
                    "upper": number(ci.get("Upper")),
                    "bytes": memory.get("BytesAllocatedPerOperation"),
                }
            groups.setdefault((b["Type"], case, b.get("Parameters") or ""), {})[library] = entry
    return groups


def budget_rows(groups):
    rows = []
    misses = []
    order = {name: i for i, name in enumerate(CLASS_ORDER)}
    case_order = {name: i for i, name in enumerate(CASES)}
    for (kind, case, params) in sorted(groups, key=lambda k: (order.get(k[0], 99), case_order.get(k[1], 99), k[2])):
        libs = groups[(kind, case, params)]
        if "ChronoFlow" not in libs:
            continue
        chrono, cronos, quartz = libs.get("ChronoFlow"), libs.get("Cronos"), libs.get("Quartz")
        name = CASES.get(case, case) + (f" in {params.split('=', 1)[1]}" if params else "")
        if kind == "ParseBenchmarks" and case == "ParseQuartz":
            budget = "0 B; faster than Quartz (Cronos does not read the dialect)"
        elif kind == "ParseBenchmarks":
            budget = "0 B; faster than Cronos"
        elif kind == "NextUtcBenchmarks":
            budget = "0 B; faster than Cronos"
        elif kind == "NextZonedBenchmarks":
            budget = "0 B; ≥ 4× faster than Cronos; faster than Quartz"
        else:
            budget = "answers in microseconds (< 1 ms)"
        if chrono is None:
            rows.append((name, "failed", fmt_time(cronos and cronos["mean"]), "n/a", "n/a", fmt_time(quartz and quartz["mean"]) if quartz else "—", budget, "**NOT MEASURED** (the benchmark failed)"))
            misses.append(name)
            continue
        ratio = chrono["mean"] / cronos["mean"] if cronos else None
        faults, notes = [], []
        if kind == "ImpossibleBenchmarks":
            if chrono["mean"] >= 1_000_000:
                faults.append("takes milliseconds")
        else:
            if chrono["bytes"] != 0:
                faults.append(f"allocates {chrono['bytes']} B")
            limit = 0.25 if kind == "NextZonedBenchmarks" else 1.0
            if case == "ParseQuartz":
                if quartz is None:
                    faults.append("no Quartz result to compare with")
                elif chrono["mean"] >= quartz["mean"]:
                    faults.append("not faster than Quartz")
            elif ratio is None:
                faults.append("no Cronos result to compare with")
            elif (ratio > limit) if limit < 1 else (ratio >= limit):
                faults.append(f"ratio {ratio:.3f}, needs {'≤' if limit < 1 else '<'} {limit:g}")
            elif limit == 1.0 and chrono["upper"] is not None and cronos["lower"] is not None and chrono["upper"] >= cronos["lower"]:
                notes.append("faster on the mean, within the error bars")
            if kind == "NextZonedBenchmarks":
                if quartz is None:
                    faults.append("no Quartz result to compare with")
                elif chrono["mean"] >= quartz["mean"]:
                    faults.append("not faster than Quartz")
        verdict = "meets" if not faults else "**MISSES**: " + "; ".join(faults)
        if notes:
            verdict += f" ({'; '.join(notes)})"
        if faults:
            misses.append(name)
        rows.append((
            name,
            fmt_time(chrono["mean"]),
            fmt_time(cronos["mean"]) if cronos else "n/a",
            f"{ratio:.3f}" if ratio is not None else "n/a",
            f"{chrono['bytes']} B",
            fmt_time(quartz["mean"]) if quartz else "—",
            budget,
            verdict,
        ))
    return rows, misses


def github_reports():
    """type name -> (environment block, job legend, table and notes) from BenchmarkDotNet's github markdown."""
    reports = {}
    for path in glob.glob(os.path.join(results, "*-report-github.md")):
        kind = os.path.basename(path).split("-report-github.md")[0].rsplit(".", 1)[-1]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        match = re.match(r"\s*```\s*\n(.*?)\n```\s*\n(.*)", text, re.S)
        if not match:
            reports[kind] = ("", "", text.strip())
            continue
        header, body = match.group(1).strip("\n"), match.group(2).strip()
        environment, _, legend = header.partition("\n\n")
        reports[kind] = (environment.strip(), legend.strip(), body)
    return reports


NOTES = """\
## What is measured

One fixed instant for every search: Saturday 14 March 2026, 09:26:53.589 UTC (New York already on daylight
time, London not yet). Every expression is parsed once in `[GlobalSetup]`; a next-occurrence benchmark calls only
the next-occurrence method. Before anything is timed, each `[GlobalSetup]` checks that every library gives the
same answer for its case and stops the benchmark if one does not (`dotnet run -c Release -- --verify` prints
every answer). Cronos is the baseline (ratio 1.00) of every group.

| Library | Parse | Next in UTC | Next in a zone |
|---|---|---|---|
| ChronoFlow | `CronExpression.Parse(string, CronFormat)`, `TryParse(ReadOnlySpan<char>, CronFormat, out)` | `GetNextOccurrence(DateTime utc)` | `GetNextOccurrence(DateTimeOffset, TimeZoneInfo)` |
| Cronos 0.13.0 | `CronExpression.Parse`, `TryParse` | `GetNextOccurrence(DateTime utc)` | `GetNextOccurrence(DateTimeOffset, TimeZoneInfo)` |
| NCrontab 3.4.0 | `CrontabSchedule.Parse`, `TryParse` (null on failure) | `GetNextOccurrence(DateTime)` | none (no time zones) |
| Quartz.NET 4.7.3 | `CronExpression.Parse`, `TryParse` | `GetNextValidTimeAfter(DateTimeOffset)` with `TimeZone` UTC | the same, built with `new CronExpression(text, zone)` |

Quartz reads its own six-field dialect, so it is given the equivalent spelling of each schedule: a seconds
field first, `?` in the unrestricted day field, Sunday = 1 (`0 0 0 ? * 6#3` for the third Friday,
`0 0 12 ? * MON-FRI`, `0 61 * * * ?` for the failing parse). NCrontab has no `L`, `W`, `#` or time zones, so it
has no benchmark for those cases. For `0 0 30 2 *` ChronoFlow, Cronos and Quartz return null; NCrontab has no
"none" answer and returns its search bound (`DateTime.MaxValue`) after searching up to it.
"""


def cluster_section(docs):
    """The "Cluster store" section: a link to benchmarks-cluster.md (benchmarks/cluster.sh, not BenchmarkDotNet) and,
    when that page is there, its budget table as it stands, so that this page shows the latest cluster numbers."""
    lines = [
        "## Cluster store",
        "",
        "ChronoFlow on PostgreSQL with one and three real node processes (runs a second, commits per run, duplicates, "
        "1,000 against 100,000 stored jobs, start latency), with Quartz.NET 4.7.3's clustered AdoJobStore on the same "
        "server as the baseline, is measured by `benchmarks/cluster.sh`, not by BenchmarkDotNet: see "
        "[benchmarks-cluster.md](benchmarks-cluster.md) for the machine, the command and every number.",
        "",
    ]
    path = os.path.join(docs, "benchmarks-cluster.md")
    if not os.path.exists(path):
        return lines
    with open(path, encoding="utf-8") as f:
        text = f.read().splitlines()
    generated = next((l for l in text if l.startswith("Generated by")), "")
    when = re.search(r"measured from ([^;]*?) to", generated)
    table, inside = [], False
    for line in text:
        if line.startswith("## Against the budgets"):
            inside = True
            continue
        if inside and line.startswith("## "):
            break
        if inside and line.startswith("|"):
            table.append(line)
    if table:
        lines.append(f"Its budgets as of its last run{' (' + when.group(1) + ')' if when else ''}:")
        lines.append("")
        lines.extend(table)
        lines.append("")
    return lines


def main():
    groups = load()
    reports = github_reports()
    rows, misses = budget_rows(groups)
    status = int(env.get("STATUS", "0") or 0)
    environment = next((r[0] for r in reports.values() if r[0]), "")

    out = []
    out.append("# Benchmarks: ChronoFlow against Cronos, NCrontab and Quartz.NET")
    out.append("")
    out.append(f"Generated by `benchmarks/run.sh`; run from {env['STARTED']} to {env['FINISHED']}. "
               "Regenerate with the same command (see `benchmarks/README.md`); do not edit by hand.")
    out.append("")
    if status != 0:
        out.append(f"> **This run is incomplete: BenchmarkDotNet exited with code {status}; some benchmarks failed "
                   "(see the \"Benchmarks with issues\" lines under the tables).**")
        out.append("")
    out.append("## Machine")
    out.append("")
    out.append(f"- CPU: {env['CPU']} ({env['PHYSICAL']} cores per socket, {env['LOGICAL']} logical processors; from /proc/cpuinfo)")
    out.append(f"- OS: {env['OS']}, kernel {env['KERNEL']}")
    out.append(f"- .NET SDK: {env['SDK']}")
    out.append("- As BenchmarkDotNet printed it:")
    out.append("")
    out.append("```")
    out.append(environment)
    out.append("```")
    out.append("")
    out.append("## Command")
    out.append("")
    out.append("```sh")
    out.append(env["COMMAND"])
    out.append("# which runs:")
    out.append(env["BDN_COMMAND"])
    out.append("```")
    out.append("")
    out.append("## ChronoFlow against its budgets")
    out.append("")
    if rows:
        out.append("Budgets from ARCHITECTURE.md \"Performance budgets\". Ratio = ChronoFlow mean / Cronos mean (below 1 is faster). "
                   "\"Within the error bars\" means the 99.9% confidence intervals of the two means overlap.")
        out.append("")
        out.append("| Case | ChronoFlow | Cronos | Ratio | ChronoFlow allocated | Quartz | Budget | Verdict |")
        out.append("|---|---:|---:|---:|---:|---:|---|---|")
        for row in rows:
            out.append("| " + " | ".join(row) + " |")
        out.append("")
        out.append(f"{len(rows) - len(misses)} of {len(rows)} cases meet their budget."
                   + (f" Missed: {', '.join(misses)}." if misses else ""))
    else:
        out.append("ChronoFlow was not part of this run (peers only): nothing to check against the budgets.")
    out.append("")
    # Measurements a benchmark prints itself (hard-mode lateness percentiles), taken from the run's console log.
    printed = []
    log_path = env.get("LOG")
    if log_path and os.path.exists(log_path):
        with open(log_path, encoding="utf-8", errors="replace") as f:
            printed = sorted({line.strip() for line in f if line.lstrip().startswith("// lateness over")})
    if printed:
        out.append("## Hard-mode lateness (budget: p50 within 1 ms, p99 within 5 ms)")
        out.append("")
        out.append("Printed by `HardModeLatenessBenchmarks` over every run it timed (start time minus due time, real clock):")
        out.append("")
        out.append("```")
        out.extend(printed)
        out.append("```")
        out.append("")
    out.extend(cluster_section(os.path.dirname(os.path.abspath(env["OUTPUT"]))))
    out.append(NOTES)
    out.append("## Results")
    for kind in CLASS_ORDER + sorted(k for k in reports if k not in CLASS_ORDER):
        if kind not in reports:
            continue
        _, legend, body = reports[kind]
        out.append("")
        out.append(f"### {CLASS_TITLES.get(kind, kind)} (`{kind}`)")
        out.append("")
        if legend:
            out.append("```")
            out.append(legend)
            out.append("```")
            out.append("")
        out.append(body)
    out.append("")

    with open(env["OUTPUT"], "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
