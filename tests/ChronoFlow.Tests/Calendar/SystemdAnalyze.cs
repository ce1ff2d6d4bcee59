using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ChronoFlow.Tests.Calendar;

/// <summary>What <c>systemd-analyze calendar</c> said about one event.</summary>
/// <remarks>
/// <see cref="NextFailed"/>: systemd parsed the event but gave up computing an elapse ("Failed to determine next
/// elapse", such as its 1000-step safety valve), and then prints nothing else about it.
/// </remarks>
internal sealed record SystemdVerdict(string Event, bool Accepted, string? Normalized, IReadOnlyList<long> Elapses, bool NextFailed = false);

/// <summary>
/// Runs the real <c>systemd-analyze calendar --iterations=N --base-time=@SECONDS EVENT...</c> with <c>TZ=UTC</c> and
/// reads its "Normalized form", "Next elapse" and "Iter. #n" lines (whole seconds, UTC). Events it refuses are named
/// on standard error ("Failed to parse calendar specification").
/// </summary>
internal static partial class SystemdAnalyze
{
    public static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Append("/usr/bin").Append("/bin"))
        {
            var path = Path.Combine(dir, "systemd-analyze");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    public static string Version(string executable)
    {
        var (stdout, _) = Run(executable, ["--version"]);
        return stdout.Split('\n')[0].Trim();
    }

    /// <summary>The verdicts, one per event, in order. Events must be distinct.</summary>
    public static IReadOnlyList<SystemdVerdict> Calendar(string executable, long baseUnixSeconds, int iterations, IReadOnlyList<string> events)
    {
        string[] args = ["calendar", $"--iterations={iterations}", $"--base-time=@{baseUnixSeconds}", "--no-pager", .. events];
        var (stdout, stderr) = Run(executable, args);

        // One block per accepted event, in order; "Original form" only when it differs from the normalized form.
        var blocks = new List<(string? Original, string? Normalized, List<long> Elapses)>();
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Original form: ", StringComparison.Ordinal))
            {
                blocks.Add((raw[(raw.IndexOf("Original form: ", StringComparison.Ordinal) + 15)..], null, []));
            }
            else if (line.StartsWith("Normalized form: ", StringComparison.Ordinal))
            {
                if (blocks.Count == 0 || blocks[^1].Normalized is not null)
                {
                    blocks.Add((null, null, []));
                }

                blocks[^1] = (blocks[^1].Original, line[17..], blocks[^1].Elapses);
            }
            else if (line.StartsWith("Next elapse: ", StringComparison.Ordinal) || line.StartsWith("Iter. #", StringComparison.Ordinal))
            {
                var m = ElapseRegex().Match(line);
                if (m.Success)
                {
                    var at = DateTime.ParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                    blocks[^1].Elapses.Add(new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeSeconds());
                }
                else if (!line.EndsWith("never", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Unexpected systemd-analyze line: {raw}");
                }
            }
        }

        var verdicts = new List<SystemdVerdict>(events.Count);
        var next = 0;
        foreach (var e in events)
        {
            if (stderr.Contains($"Failed to parse calendar specification '{e}': ", StringComparison.Ordinal))
            {
                verdicts.Add(new SystemdVerdict(e, false, null, []));
                continue;
            }

            if (stderr.Contains($"Failed to determine next elapse for '{e}': ", StringComparison.Ordinal))
            {
                verdicts.Add(new SystemdVerdict(e, true, null, [], NextFailed: true));
                continue;
            }

            if (next >= blocks.Count)
            {
                throw new InvalidOperationException($"systemd-analyze said nothing about '{e}'. stderr: {stderr}");
            }

            var block = blocks[next++];
            if (block.Original is not null && block.Original != e)
            {
                throw new InvalidOperationException($"systemd-analyze's answer for '{block.Original}' came where '{e}' was expected.");
            }

            verdicts.Add(new SystemdVerdict(e, true, block.Normalized, block.Elapses));
        }

        if (next != blocks.Count)
        {
            throw new InvalidOperationException($"systemd-analyze printed {blocks.Count} events, {next} expected.");
        }

        return verdicts;
    }

    private static (string Stdout, string Stderr) Run(string executable, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TZ"] = "UTC";
        psi.Environment["LC_ALL"] = "C";
        psi.Environment["SYSTEMD_COLORS"] = "0";
        psi.Environment["SYSTEMD_PAGER"] = "";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("systemd-analyze did not start.");
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = stderrTask.GetAwaiter().GetResult();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("systemd-analyze took more than a minute.");
        }

        return (stdout, stderr);
    }

    [GeneratedRegex(@"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC")]
    private static partial Regex ElapseRegex();
}
