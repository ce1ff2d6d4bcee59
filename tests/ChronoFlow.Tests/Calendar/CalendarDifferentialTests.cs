using System.Diagnostics;
using Xunit.Abstractions;

namespace ChronoFlow.Tests.Calendar;

/// <summary>
/// The calendar engine against the real thing: thousands of generated events, each from a base time (half of them
/// within a day and a half of a transition of the event's zone), through <c>systemd-analyze calendar</c>. Acceptance,
/// the normalized form and every elapse (to the second: systemd-analyze prints whole seconds) must agree.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CalendarDifferentialTests(ITestOutputHelper output)
{
    private const int Seed = 20260329;
    private const int Batches = 24;
    private const int EventsPerBatch = 50;
    private const int Iterations = 5;

    [Fact]
    public void AgreesWithSystemdAnalyze()
    {
        var executable = SystemdAnalyze.FindExecutable();
        Assert.True(
            executable is not null,
            "systemd-analyze is not installed: this differential test needs it (Debian: apt-get install systemd); it is not skipped on purpose.");

        output.WriteLine(SystemdAnalyze.Version(executable!));
        var stopwatch = Stopwatch.StartNew();
        var random = new Random(Seed);
        var generator = new CalendarEventGenerator(Seed);
        var failures = new List<string>();
        int events = 0, accepted = 0, rejected = 0, elapses = 0, gaveUp = 0;

        for (var batch = 0; batch < Batches; batch++)
        {
            var zone = CalendarEventGenerator.Zones[batch % CalendarEventGenerator.Zones.Length];
            var baseTime = BaseTime(random, zone);
            var texts = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (texts.Count < EventsPerBatch)
            {
                // Most events of a batch run on the zone whose transition the base time is near.
                var eventZone = random.Next(4) == 0 ? CalendarEventGenerator.Zones[random.Next(CalendarEventGenerator.Zones.Length)] : zone;
                var text = generator.Next(eventZone);
                if (seen.Add(text))
                {
                    texts.Add(text);
                }
            }

            var verdicts = SystemdAnalyze.Calendar(executable!, baseTime, Iterations, texts);
            foreach (var verdict in verdicts)
            {
                events++;
                var ok = CalendarParser.TryParse(verdict.Event, out var parsed, out var error);
                if (ok != verdict.Accepted)
                {
                    failures.Add(ok
                        ? $"'{verdict.Event}': systemd refuses it, ChronoFlow accepts it as '{parsed!.Normalized}'"
                        : $"'{verdict.Event}': systemd accepts it as '{verdict.Normalized}', ChronoFlow refuses it: {CalendarThrowHelper.Describe(verdict.Event, error)} at {error.Position}");
                    continue;
                }

                if (!ok)
                {
                    rejected++;
                    continue;
                }

                accepted++;
                if (verdict.NextFailed)
                {
                    // systemd gave up on an elapse somewhere in the iterations: so must the engine.
                    gaveUp++;
                    var schedule0 = new CalendarSchedule(parsed!, defaultZone: null);
                    var at0 = DateTimeOffset.FromUnixTimeSeconds(baseTime).UtcTicks;
                    var found = 0;
                    for (; found < Iterations && (at0 = schedule0.Next(at0)) != Schedule.NoOccurrence; found++)
                    {
                    }

                    if (found == Iterations)
                    {
                        failures.Add($"'{verdict.Event}' from {DateTimeOffset.FromUnixTimeSeconds(baseTime):u}: systemd gives up on an elapse, ChronoFlow finds {Iterations}");
                    }

                    continue;
                }

                if (parsed!.Normalized != verdict.Normalized)
                {
                    failures.Add($"'{verdict.Event}': normalized '{parsed.Normalized}', systemd '{verdict.Normalized}'");
                }

                var schedule = new CalendarSchedule(parsed, defaultZone: null);
                var ours = new List<long>();
                var at = DateTimeOffset.FromUnixTimeSeconds(baseTime).UtcTicks;
                for (var k = 0; k < Iterations; k++)
                {
                    var next = schedule.Next(at);
                    if (next == Schedule.NoOccurrence)
                    {
                        break;
                    }

                    ours.Add(new DateTimeOffset(next, TimeSpan.Zero).ToUnixTimeSeconds());
                    at = next;
                }

                elapses += verdict.Elapses.Count;
                if (!ours.SequenceEqual(verdict.Elapses))
                {
                    failures.Add($"'{verdict.Event}' from {DateTimeOffset.FromUnixTimeSeconds(baseTime):u}: ChronoFlow [{Format(ours)}], systemd [{Format(verdict.Elapses)}]");
                }
            }
        }

        output.WriteLine($"{events} generated events ({accepted} valid, {rejected} refused by both, {gaveUp} where systemd gives up), {elapses} elapses compared, in {stopwatch.Elapsed.TotalSeconds:F1} s.");
        foreach (var failure in failures.Take(40))
        {
            output.WriteLine(failure);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} disagreements with systemd-analyze, the first: {string.Join(Environment.NewLine, failures.Take(15))}");
        Assert.True(accepted > Batches * EventsPerBatch / 2, $"Only {accepted} of {events} generated events were valid.");
    }

    private static string Format(IEnumerable<long> seconds)
        => string.Join(", ", seconds.Select(s => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Half the time within 36 hours of one of the zone's transitions in 2020-2035, else anywhere in those years.</summary>
    private static long BaseTime(Random random, string? zoneId)
    {
        var from = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var to = new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        if (zoneId is not null && zoneId != "UTC" && random.Next(2) == 0)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            var transitions = new List<long>();
            var previous = zone.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(from).UtcDateTime);
            for (var t = from; t < to; t += 3600)
            {
                var offset = zone.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime);
                if (offset != previous)
                {
                    transitions.Add(t);
                    previous = offset;
                }
            }

            if (transitions.Count > 0)
            {
                return transitions[random.Next(transitions.Count)] + random.NextInt64(-36 * 3600, 36 * 3600);
            }
        }

        return random.NextInt64(from, to);
    }
}
