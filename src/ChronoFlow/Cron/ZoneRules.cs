using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>
/// A zone's UTC offsets as a timeline of segments with a constant offset, taken from
/// <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> of UTC instants and cached per year.
/// </summary>
/// <remarks>
/// .NET's local-time queries (<c>IsInvalidTime</c>, <c>IsAmbiguousTime</c>, <c>GetUtcOffset</c> of a local time)
/// disagree with the real offsets at some transitions (every Asia/Amman change, some in Europe/London,
/// Australia/Lord_Howe and Asia/Kathmandu), so only UTC instants are ever asked. Transitions are found by
/// sampling every six hours and bisecting to the second, once per zone and year; after that a look-up is a
/// scan of a year's two or so transitions.
/// </remarks>
internal sealed class ZoneRules
{
    private const long SampleStep = 6 * TimeSpan.TicksPerHour;

    public static readonly ZoneRules Utc = new(TimeZoneInfo.Utc);

    private static readonly ConditionalWeakTable<TimeZoneInfo, ZoneRules> s_cache = new();
    private static ZoneRules? s_last;

    private readonly bool _isFixed;
    private readonly long _fixedOffset;
    private readonly int _firstYear;   // the first year that may hold a transition
    private readonly int _lastYear;    // the last year that may hold a transition
    private readonly YearData?[] _years;
    private volatile SegmentBox? _lastSegment;
    private volatile SegmentBox? _previousSegment;
    private SegmentBox? _fixedSegment;

    private ZoneRules(TimeZoneInfo zone)
    {
        Zone = zone;
        var rules = zone.GetAdjustmentRules();
        if (rules.Length == 0)
        {
            _isFixed = true;
            _fixedOffset = zone.BaseUtcOffset.Ticks;
            _years = [];
            return;
        }

        var first = DateTime.MaxValue;
        var last = DateTime.MinValue;
        foreach (var rule in rules)
        {
            first = rule.DateStart < first ? rule.DateStart : first;
            last = rule.DateEnd > last ? rule.DateEnd : last;
        }

        // A margin of a year on each side: rules are dated in local time and a transition may sit near a year's edge.
        _firstYear = Math.Max(1, first.Year - 1);
        _lastYear = last.Year >= 9998 ? 9999 : last.Year + 1;
        _years = new YearData?[_lastYear - _firstYear + 1];
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>Whether the offset never changes, so that a search needs no segments.</summary>
    public bool IsFixed => _isFixed;

    public long FixedOffset => _fixedOffset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ZoneRules For(TimeZoneInfo zone)
    {
        var last = s_last;
        return last is not null && ReferenceEquals(last.Zone, zone) ? last : ForSlow(zone);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ZoneRules ForSlow(TimeZoneInfo zone)
    {
        var rules = ReferenceEquals(zone, TimeZoneInfo.Utc) ? Utc : s_cache.GetValue(zone, static z => new ZoneRules(z));
        s_last = rules;
        return rules;
    }

    /// <summary>A UTC instant with the offset in force there, as a <see cref="DateTimeOffset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DateTimeOffset ToOffset(long utcTicks, long offset)
    {
        // DateTimeOffset holds whole minutes; only local mean times before 1900 have seconds in their offsets.
        offset -= offset % TimeSpan.TicksPerMinute;
        return new DateTimeOffset(utcTicks + offset, new TimeSpan(offset));
    }

    /// <summary>The segment of constant offset that holds <paramref name="utcTicks"/>, with its neighbours' offsets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void GetSegment(long utcTicks, out ZoneSegment segment) => segment = Segment(utcTicks);

    /// <summary>
    /// The segment of constant offset that holds <paramref name="utcTicks"/>, by reference into its cached box: a
    /// search reads the two or three fields it needs instead of copying all five.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly ZoneSegment Segment(long utcTicks)
    {
        // Most look-ups fall in the segment of the one before (a scheduler asks about now, again and again).
        var box = _lastSegment;
        if (box is not null && utcTicks >= box.Segment.Start && utcTicks < box.Segment.End)
        {
            return ref box.Segment;
        }

        // A search that crosses a transition alternates between two segments; keep the one before too. The two are
        // not swapped on a hit: a search that goes back and forth would write both fields twice a call.
        box = _previousSegment;
        if (box is not null && utcTicks >= box.Segment.Start && utcTicks < box.Segment.End)
        {
            return ref box.Segment;
        }

        return ref SegmentSlow(utcTicks).Segment;
    }

    private SegmentBox SegmentSlow(long utcTicks)
    {
        if (_isFixed)
        {
            return _fixedSegment ??= new SegmentBox(new ZoneSegment(long.MinValue, long.MaxValue, _fixedOffset, _fixedOffset, _fixedOffset));
        }

        var year = CalendarMath.YearOf(utcTicks);
        if (year < _firstYear)
        {
            year = _firstYear;
        }
        else if (year > _lastYear)
        {
            year = _lastYear;
        }

        var data = Year(year);
        var ticks = data.Ticks;
        var i = ticks.Length - 1;
        while (i >= 0 && ticks[i] > utcTicks)
        {
            i--;
        }

        long start, prevOffset, offset;
        if (i >= 0)
        {
            start = ticks[i];
            offset = data.Offsets[i];
            prevOffset = i > 0 ? data.Offsets[i - 1] : data.StartOffset;
        }
        else
        {
            offset = data.StartOffset;
            var before = Before(year, data);
            start = before.Ticks;
            prevOffset = before.Offset;
        }

        long end, nextOffset;
        if (i + 1 < ticks.Length)
        {
            end = ticks[i + 1];
            nextOffset = data.Offsets[i + 1];
        }
        else
        {
            var after = After(year, data);
            end = after.Ticks;
            nextOffset = after.Offset;
        }

        // Keep the segment in a box made once per segment, so that caching it never allocates again.
        var boxes = data.Boxes;
        var cached = Volatile.Read(ref boxes[i + 1]);
        if (cached is null)
        {
            cached = new SegmentBox(new ZoneSegment(start, end, offset, prevOffset, nextOffset));
            Volatile.Write(ref boxes[i + 1], cached);
        }

        _previousSegment = _lastSegment;
        _lastSegment = cached;
        return cached;
    }

    /// <summary>The last transition before the year, with the offset before it; memoised on the year.</summary>
    private Link Before(int year, YearData data)
    {
        var link = data.Before;
        if (link is null)
        {
            link = new Link(long.MinValue, data.StartOffset);
            for (var y = year - 1; y >= _firstYear; y--)
            {
                var previous = Year(y);
                var n = previous.Ticks.Length;
                if (n > 0)
                {
                    link = new Link(previous.Ticks[n - 1], n > 1 ? previous.Offsets[n - 2] : previous.StartOffset);
                    break;
                }
            }

            data.Before = link;
        }

        return link;
    }

    /// <summary>The first transition after the year, with the offset after it; memoised on the year.</summary>
    private Link After(int year, YearData data)
    {
        var link = data.After;
        if (link is null)
        {
            var offset = data.Offsets.Length > 0 ? data.Offsets[^1] : data.StartOffset;
            link = new Link(long.MaxValue, offset);
            for (var y = year + 1; y <= _lastYear; y++)
            {
                var next = Year(y);
                if (next.Ticks.Length > 0)
                {
                    link = new Link(next.Ticks[0], next.Offsets[0]);
                    break;
                }
            }

            data.After = link;
        }

        return link;
    }

    private YearData Year(int year)
    {
        var data = Volatile.Read(ref _years[year - _firstYear]);
        if (data is null)
        {
            data = Sample(year);
            Volatile.Write(ref _years[year - _firstYear], data);
        }

        return data;
    }

    /// <summary>Finds the year's transitions: a sample every six hours, then bisection to the second.</summary>
    private YearData Sample(int year)
    {
        var from = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var to = year == 9999 ? DateTime.MaxValue.Ticks : new DateTime(year + 1, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var startOffset = OffsetAt(from);
        List<long>? ticks = null;
        List<long>? offsets = null;
        var previous = startOffset;
        var t = from;
        while (t < to)
        {
            var next = Math.Min(t + SampleStep, to);
            var offset = OffsetAt(next);
            if (offset != previous)
            {
                // The first second at which the new offset holds.
                long lo = t / TimeSpan.TicksPerSecond, hi = next / TimeSpan.TicksPerSecond;
                while (hi - lo > 1)
                {
                    var mid = lo + ((hi - lo) / 2);
                    if (OffsetAt(mid * TimeSpan.TicksPerSecond) == previous)
                    {
                        lo = mid;
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                (ticks ??= []).Add(hi * TimeSpan.TicksPerSecond);
                (offsets ??= []).Add(offset);
                previous = offset;
            }

            t = next;
        }

        return new YearData(startOffset, ticks?.ToArray() ?? [], offsets?.ToArray() ?? []);
    }

    private long OffsetAt(long utcTicks) => Zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;

    private sealed class YearData(long startOffset, long[] ticks, long[] offsets)
    {
        public readonly long StartOffset = startOffset;   // offset at 1 January 00:00 UTC
        public readonly long[] Ticks = ticks;             // transition instants (UTC ticks), ascending
        public readonly long[] Offsets = offsets;         // offset from each transition on
        public readonly SegmentBox?[] Boxes = new SegmentBox?[ticks.Length + 1]; // segment i-1 of the year at [i]
        public volatile Link? Before;
        public volatile Link? After;
    }

    private sealed class SegmentBox(ZoneSegment segment)
    {
        public readonly ZoneSegment Segment = segment;
    }

    private sealed record Link(long Ticks, long Offset);
}

/// <summary>A stretch of time [Start, End) with one UTC offset, and the offsets before and after it (ticks).</summary>
internal readonly struct ZoneSegment(long start, long end, long offset, long previousOffset, long nextOffset)
{
    public readonly long Start = start;
    public readonly long End = end;
    public readonly long Offset = offset;
    public readonly long PreviousOffset = previousOffset;
    public readonly long NextOffset = nextOffset;
}
