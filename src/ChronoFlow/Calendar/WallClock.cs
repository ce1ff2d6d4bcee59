using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>
/// glibc's <c>localtime_r</c> and <c>mktime</c> (or <c>gmtime_r</c> and <c>timegm</c> for UTC) over a zone's
/// real offsets, with <c>mktime</c>'s hidden state: the guess of the offset, which is the offset its last call used.
/// Instants are seconds since 1970 (UTC).
/// </summary>
/// <remarks>
/// The guess decides which of two repeated wall times <c>mktime</c> returns, and the daylight-saving flags decide
/// where a time in a spring-forward gap goes (forward by the gap, unless only the earlier side is flagged as daylight
/// saving, as in Europe/Dublin's negative DST). systemd computes each elapse in a fresh process, so the guess starts
/// at 0 for every search, as here. Offsets come from <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> of UTC
/// instants only (through <see cref="ZoneRules"/>).
/// </remarks>
internal struct WallClock
{
    private const long SecondsPerDay = 86400;
    private const int Stride = 601200;                 // glibc: the shortest DST period in tzdata 2003a
    private const int DeltaBound = (536454000 / 2) + Stride;
    private static readonly long s_epochDays = DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerDay;

    private readonly ZoneRules? _rules;
    private long _guess;            // mktime's offset guess (seconds east of UTC)
    private long _segmentStart = 1; // the segment of constant offset last looked up, in seconds since 1970 [start, end)
    private long _segmentEnd;
    private long _segmentOffset;
    private int _segmentDst = -1;   // its daylight-saving flag, looked up on first need

    public WallClock(TimeZoneInfo? zone)
    {
        _rules = zone is null ? null : ZoneRules.For(zone);
        _guess = 0;
    }

    /// <summary><c>localtime_r</c>: the wall time of an instant.</summary>
    public Tm LocalTime(long t)
    {
        if (_rules is null)
        {
            return Fields(t, 0);
        }

        var tm = Fields(t + OffsetAt(t), 0);
        tm.IsDst = IsDstAt(t);
        return tm;
    }

    /// <summary>
    /// <c>mktime</c> (or <c>timegm</c>): the instant of a wall time whose fields may be out of range; on success the
    /// fields are normalized to that instant's wall time. On failure they are left alone.
    /// </summary>
    public bool MkTime(ref Tm tm, out long result) => MkTime(ref tm, out result, forward: false);

    /// <summary>
    /// <see cref="MkTime(ref Tm, out long)"/>, but a wall time in a gap always moves forward by the gap, whatever the
    /// daylight-saving flags say (see <see cref="CalendarSearch"/>: observed of systemd where a search carries into a gap).
    /// </summary>
    public bool MkTime(ref Tm tm, out long result, bool forward)
    {
        result = 0;
        var monYears = FloorDiv(tm.Mon, 12);
        var mon = tm.Mon - (monYears * 12);
        var year = (long)tm.Year + monYears;
        if (year is < 1 or > 9999)
        {
            return false;
        }

        // glibc clamps the seconds to 0-59 to find the offset, then adds the rest back (its leap-second handling).
        var secRequested = tm.Sec;
        var sec = Math.Clamp(tm.Sec, 0, 59);
        var days = CalendarMath.MonthStart((int)year, mon + 1) + (long)tm.MDay - 1 - s_epochDays;
        var local = (days * SecondsPerDay) + (tm.Hour * 3600L) + (tm.Min * 60L) + sec;

        long t;
        if (_rules is null)
        {
            t = local + (secRequested - sec);
            if (!InRange(t))
            {
                return false;
            }

            tm = Fields(t, 0);
            result = t;
            return true;
        }

        if (!Resolve(local, tm.IsDst, forward, out t))
        {
            return false;
        }

        _guess = local - t;
        t += secRequested - sec;
        if (!InRange(t))
        {
            return false;
        }

        tm = Fields(t + OffsetAt(t), 0);
        tm.IsDst = IsDstAt(t);
        result = t;
        return true;
    }

    /// <summary>glibc's __mktime_internal probing: from the guess, follow the error until the wall time matches.</summary>
    private bool Resolve(long local, int isdst, bool forward, out long t)
    {
        var remainingProbes = 6;
        t = local - _guess;
        long t1 = t, t2 = t;
        var dst2 = 0;
        while (true)
        {
            if (!InRange(t))
            {
                return false;
            }

            var dt = local - (t + OffsetAt(t));
            if (dt == 0)
            {
                break;
            }

            var tmIsDst = IsDstAt(t);
            if (t == t1 && t != t2 && (isdst < 0 ? dst2 <= tmIsDst : (isdst != 0) != (tmIsDst != 0)))
            {
                // Oscillating between two values: a spring-forward gap. Take the one glibc's rule prefers.
                if (forward)
                {
                    t = Math.Max(t, t2);
                }

                return true;
            }

            if (--remainingProbes == 0)
            {
                return false;
            }

            t1 = t2;
            t2 = t;
            t += dt;
            dst2 = tmIsDst;
        }

        if (isdst >= 0 && IsDstDiffer(isdst, IsDstAt(t)))
        {
            // The right wall time with the wrong flag: look for a nearby time with the requested flag and use its offset.
            for (var delta = Stride; delta < DeltaBound; delta += Stride)
            {
                for (var direction = -1; direction <= 1; direction += 2)
                {
                    var ot = t + ((long)delta * direction);
                    if (InRange(ot) && !IsDstDiffer(isdst, IsDstAt(ot)))
                    {
                        var gt = local - OffsetAt(ot);
                        if (InRange(gt))
                        {
                            t = gt;
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        return true;
    }

    private static bool IsDstDiffer(int a, int b) => (a == 0) != (b == 0) && a >= 0 && b >= 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long OffsetAt(long t)
    {
        if (t >= _segmentStart && t < _segmentEnd)
        {
            return _segmentOffset;
        }

        return OffsetAtSlow(t);
    }

    private long OffsetAtSlow(long t)
    {
        var ticks = DateTime.UnixEpoch.Ticks + (t * TimeSpan.TicksPerSecond);
        _rules!.GetSegment(ticks, out var segment);
        _segmentStart = segment.Start == long.MinValue ? long.MinValue : FloorDiv(segment.Start - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerSecond);
        _segmentEnd = segment.End == long.MaxValue ? long.MaxValue : FloorDiv(segment.End - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerSecond);
        _segmentOffset = segment.Offset / TimeSpan.TicksPerSecond;
        _segmentDst = -1;
        return _segmentOffset;
    }

    private int IsDstAt(long t)
    {
        OffsetAt(t);
        if (_segmentDst < 0)
        {
            var utc = new DateTime(DateTime.UnixEpoch.Ticks + (t * TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            _segmentDst = _rules!.Zone.IsDaylightSavingTime(utc) ? 1 : 0;
        }

        return _segmentDst;
    }

    /// <summary>Years 1 to 9999, as <see cref="DateTime"/> holds them (with a day's margin for offsets).</summary>
    private static bool InRange(long t) => t > -62135596800L + SecondsPerDay && t < 253402300799L - SecondsPerDay;

    private static Tm Fields(long localSeconds, int isdst)
    {
        var days = FloorDiv(localSeconds, SecondsPerDay);
        var second = (int)(localSeconds - (days * SecondsPerDay));
        var (year, month, day) = CalendarMath.SplitDayNumber((int)(days + s_epochDays));
        return new Tm
        {
            Year = year,
            Mon = month - 1,
            MDay = day,
            Hour = second / 3600,
            Min = second / 60 % 60,
            Sec = second % 60,
            IsDst = isdst,
            WDay = (int)((days + s_epochDays + 1) % 7),
        };
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : ((a + 1) / b) - 1;

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;
}
