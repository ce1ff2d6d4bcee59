using System.Globalization;

namespace ChronoFlow;

/// <summary>A schedule that runs every fixed interval from an anchor, each occurrence optionally delayed by a seeded jitter.</summary>
internal sealed class IntervalSchedule : Schedule
{
    /// <summary>Marks an interval that is anchored when its job is registered.</summary>
    public const long Unanchored = long.MinValue;

    private readonly long _interval;
    private readonly long _anchor;
    private readonly long _jitter;
    private readonly ulong _seed;

    public IntervalSchedule(long interval, long anchor, long jitter, ulong seed)
    {
        _interval = interval;
        _anchor = anchor;
        _jitter = jitter;
        _seed = seed;
    }

    public override ScheduleKind Kind => ScheduleKind.Interval;

    public TimeSpan Interval => TimeSpan.FromTicks(_interval);

    public override string ToString()
    {
        var text = "@every " + TimeSpan.FromTicks(_interval).ToString("c", CultureInfo.InvariantCulture);
        if (_anchor != Unanchored)
        {
            text += " from " + new DateTimeOffset(_anchor, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);
        }

        if (_jitter != 0)
        {
            text += " jitter " + TimeSpan.FromTicks(_jitter).ToString("c", CultureInfo.InvariantCulture);
        }

        return text;
    }

    internal override long Next(long afterUtcTicks)
    {
        var anchor = _anchor == Unanchored ? afterUtcTicks : _anchor;

        // Occurrence k is anchor + k*interval + jitter(k), and jitter < interval keeps them in order, so the answer
        // is occurrence k0 or k0 + 1 where k0 is the last nominal occurrence at or before 'after'.
        var k = FloorDiv(afterUtcTicks - anchor, _interval);
        for (var i = 0; i < 3; i++, k++)
        {
            var t = At(anchor, k);
            if (t > afterUtcTicks)
            {
                return t;
            }
        }

        return At(anchor, k);
    }

    internal override Schedule Bind(string jobId, long registeredUtcTicks)
    {
        if (_anchor != Unanchored && (_jitter == 0 || _seed != 0))
        {
            return this;
        }

        // Unanchored, the first run comes one interval after registration, as with a timer.
        var anchor = _anchor == Unanchored ? registeredUtcTicks + _interval : _anchor;
        var seed = _jitter == 0 ? 0UL : Seed(jobId);
        return new IntervalSchedule(_interval, anchor, _jitter, seed);
    }

    /// <summary>
    /// Counts on from the stored occurrence, so the cadence survives a restart. A jittered occurrence is off the grid,
    /// so a jittered interval keeps its own anchor.
    /// </summary>
    internal override Schedule ResumeAt(long cursorUtcTicks)
        => _jitter != 0 || cursorUtcTicks == NoOccurrence ? this : new IntervalSchedule(_interval, cursorUtcTicks, _jitter, _seed);

    internal override bool SameAs(Schedule other)
        => other is IntervalSchedule i && i._interval == _interval && i._jitter == _jitter
            && (i._anchor == _anchor || i._anchor == Unanchored || _anchor == Unanchored);

    internal override long Count(long fromUtcTicks, long toUtcTicks, long cap)
    {
        if (toUtcTicks <= fromUtcTicks)
        {
            return 0;
        }

        if (_jitter != 0 || _anchor == Unanchored)
        {
            return base.Count(fromUtcTicks, toUtcTicks, cap);
        }

        // Nominal occurrences in [from, to): ceil((from - anchor)/i) .. ceil((to - anchor)/i) - 1.
        var first = -FloorDiv(_anchor - fromUtcTicks, _interval);
        var end = -FloorDiv(_anchor - toUtcTicks, _interval);
        return Math.Max(0, end - first); // exact, so no cap is needed
    }

    private long At(long anchor, long k) => anchor + k * _interval + JitterOf(k);

    private long JitterOf(long k)
    {
        if (_jitter == 0)
        {
            return 0;
        }

        // SplitMix64 of (seed, k): stable per job and occurrence, with no shared random state to lock.
        var z = _seed + (ulong)k * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (long)(z % (ulong)_jitter);
    }

    private static ulong Seed(string jobId)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var h = 14695981039346656037UL;
        foreach (var c in jobId)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h | 1;
    }

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}
