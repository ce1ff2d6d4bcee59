using System.Globalization;
using System.Text.RegularExpressions;

using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>samples/ChronoFlow.Samples.Console run as its own process: its jobs print their runs, and Ctrl+C stops it.</summary>
[Trait("Category", "Integration")]
public sealed partial class ConsoleSampleTests
{
    [LinuxFact]
    public async Task ConsoleSample_Started_RunsItsJobsAndStopsCleanlyOnCtrlC()
    {
        using var sample = SampleProcess.Start("ChronoFlow.Samples.Console");

        var warmUp = await sample.WaitForLineAsync(static l => l.Contains("warm-up ran:", StringComparison.Ordinal));
        var welcome = await sample.WaitForLineAsync(static l => l.Contains("welcome ran:", StringComparison.Ordinal));
        var first = await sample.WaitForLineAsync(static l => l.Contains("report ran:", StringComparison.Ordinal) && l.Contains("scope #1)", StringComparison.Ordinal));
        var second = await sample.WaitForLineAsync(static l => l.Contains("report ran:", StringComparison.Ordinal) && l.Contains("scope #2)", StringComparison.Ordinal));

        sample.Signal(SampleProcess.SigInt);
        var exitCode = await sample.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("attempt 1 (startup)", warmUp, StringComparison.Ordinal);
        Assert.Contains("attempt 1 (one-time)", welcome, StringComparison.Ordinal);

        // The DI job runs on "*/5 * * * * *", each run in a new scope: whole seconds, a multiple of five apart.
        var firstTime = ScheduledTime(first);
        var secondTime = ScheduledTime(second);
        Assert.Equal(0, firstTime.Second % 5);
        Assert.Equal(0, firstTime.Millisecond);
        Assert.True(secondTime > firstTime, $"{second} should come after {first}");
        Assert.Equal(0, (secondTime - firstTime).Ticks % (5 * TimeSpan.TicksPerSecond));
        Assert.Contains(sample.Lines, static l => l.Contains("Application is shutting down", StringComparison.Ordinal));
        Assert.Empty(sample.ErrorLines);
    }

    private static DateTimeOffset ScheduledTime(string line)
    {
        var match = RunLine().Match(line);
        Assert.True(match.Success, "not a run line: " + line);
        return DateTimeOffset.ParseExact(match.Groups["time"].Value, "O", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"ran: scheduled (?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00), attempt \d+ \(")]
    private static partial Regex RunLine();
}
