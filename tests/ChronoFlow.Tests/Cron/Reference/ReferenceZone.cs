using System.Collections.Concurrent;

namespace ChronoFlow.Tests.Cron.Reference;

/// <summary>
/// Offsets and transitions of a zone, taken only from <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> of UTC
/// instants. .NET's local-time queries are not used: they disagree with the real offsets at some transitions.
/// </summary>
/// <remarks>
/// Transitions are found by sampling the offset every hour of a year and bisecting each change to the second.
/// That would miss an offset that lasts less than an hour, which no zone has had since 1970.
/// </remarks>
internal static class ReferenceZone
{
    private static readonly ConcurrentDictionary<(string Zone, int Year), Transition[]> s_transitions = new();

    /// <summary>A change of offset: from <see cref="Instant"/> on (UTC, whole second) the offset is <see cref="After"/>.</summary>
    internal sealed record Transition(DateTime Instant, TimeSpan Before, TimeSpan After);

    public static TimeSpan Offset(TimeZoneInfo zone, DateTime utc)
        => zone.GetUtcOffset(new DateTime(utc.Ticks, DateTimeKind.Utc));

    /// <summary>The transitions in [<paramref name="from"/>, <paramref name="to"/>), both read as UTC.</summary>
    public static IEnumerable<Transition> TransitionsBetween(TimeZoneInfo zone, DateTime from, DateTime to)
    {
        for (var year = from.Year; year <= to.Year; year++)
        {
            foreach (var t in TransitionsIn(zone, year))
            {
                if (t.Instant >= from && t.Instant < to)
                {
                    yield return t;
                }
            }
        }
    }

    /// <summary>Every offset in force at some instant of [<paramref name="day"/> - 1 day, <paramref name="day"/> + 2 days).</summary>
    public static IReadOnlyList<TimeSpan> OffsetsAround(TimeZoneInfo zone, DateTime day)
    {
        var offsets = new SortedSet<TimeSpan> { Offset(zone, day.AddDays(-1)) };
        foreach (var t in TransitionsBetween(zone, day.AddDays(-1), day.AddDays(2)))
        {
            offsets.Add(t.After);
        }

        return [.. offsets];
    }

    /// <summary>The transitions whose instant falls in the given UTC year.</summary>
    public static Transition[] TransitionsIn(TimeZoneInfo zone, int year)
    {
        if (year is < 2 or > 9998)
        {
            return [];
        }

        return s_transitions.GetOrAdd((zone.Id, year), key => Scan(zone, key.Year));
    }

    private static Transition[] Scan(TimeZoneInfo zone, int year)
    {
        var start = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = start.AddYears(1);
        var list = new List<Transition>();
        var previous = start.AddHours(-1);
        var previousOffset = Offset(zone, previous);
        for (var t = start; t <= end; t = t.AddHours(1))
        {
            var offset = Offset(zone, t);
            if (offset != previousOffset)
            {
                // Bisect (previous, t] down to the first second with the new offset.
                var lo = previous;
                var hi = t;
                while (hi - lo > TimeSpan.FromSeconds(1))
                {
                    var mid = lo.AddSeconds((long)(hi - lo).TotalSeconds / 2);
                    if (Offset(zone, mid) == previousOffset)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                if (hi >= start && hi < end)
                {
                    list.Add(new Transition(hi, previousOffset, Offset(zone, hi)));
                }
            }

            previous = t;
            previousOffset = offset;
        }

        return [.. list];
    }
}
