using System.Collections.Concurrent;

namespace ChronoFlow.Benchmarks;

/// <summary>
/// The check every <c>[GlobalSetup]</c> makes before anything is timed: all libraries give the same answer for the
/// case, or the run stops. A benchmark of a wrong answer is worthless.
/// </summary>
/// <remarks>
/// Cronos is the reference, being the baseline of every table. Answers are compared as UTC instants (and, where
/// both libraries return one, as offsets too), so that a library returning <see cref="DateTimeKind.Unspecified"/>
/// (NCrontab) or a UTC <see cref="DateTimeOffset"/> (Quartz) is judged on the instant it names, not on its type.
/// </remarks>
internal static class Agreement
{
    /// <summary>Every answer checked in this process, for <c>--verify</c> to print.</summary>
    public static ConcurrentQueue<(string Case, string Library, string Answer)> Log { get; } = new();

    /// <summary>Records the reference answer of a case.</summary>
    public static void Reference(string caseName, string library, object? answer) => Log.Enqueue((caseName, library, Show(answer)));

    /// <summary>Requires <paramref name="actual"/> to name the same result as <paramref name="expected"/>.</summary>
    /// <param name="caseName">The case, for the message.</param>
    /// <param name="library">The library that answered <paramref name="actual"/>.</param>
    /// <param name="expected">The reference answer.</param>
    /// <param name="actual">The answer checked.</param>
    /// <param name="sameOffset">
    /// Whether two <see cref="DateTimeOffset"/> answers must carry the same offset as well as name the same instant:
    /// ChronoFlow and Cronos both return the zone's offset at the occurrence; Quartz returns the instant in UTC.
    /// </param>
    public static void Require(string caseName, string library, object? expected, object? actual, bool sameOffset = false)
    {
        Log.Enqueue((caseName, library, Show(actual)));
        if (!Same(expected, actual, sameOffset))
        {
            throw new InvalidOperationException(
                $"Case '{caseName}': {library} answered {Show(actual)}, the reference (Cronos) answered {Show(expected)}. " +
                "The libraries disagree, so this case would time different work; fix the inputs or the library before benchmarking.");
        }
    }

    private static bool Same(object? expected, object? actual, bool sameOffset) => (expected, actual) switch
    {
        (null, null) => true,
        (DateTimeOffset e, DateTimeOffset a) => e.UtcTicks == a.UtcTicks && (!sameOffset || e.Offset == a.Offset),

        // A UTC answer must say it is UTC; only an unspecified kind (NCrontab's) is read as the clock it was given.
        (DateTime e, DateTime a) when e.Kind != DateTimeKind.Unspecified && a.Kind != DateTimeKind.Unspecified && e.Kind != a.Kind => false,
        _ => UtcTicks(expected) is { } e && UtcTicks(actual) is { } a ? e == a : Equals(expected, actual),
    };

    // NCrontab answers in the clock of its input (unspecified kind); it was given UTC, so its ticks are UTC ticks.
    private static long? UtcTicks(object? value) => value switch
    {
        DateTime d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime().Ticks : d.Ticks,
        DateTimeOffset o => o.UtcTicks,
        _ => null,
    };

    private static string Show(object? value) => value switch
    {
        null => "null (no occurrence)",
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture) + d.Kind switch
        {
            DateTimeKind.Utc => "Z",
            DateTimeKind.Local => " (local)",
            _ => " (unspecified kind)",
        },
        DateTimeOffset o => o.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
