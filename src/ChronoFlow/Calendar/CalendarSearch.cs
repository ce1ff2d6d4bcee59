namespace ChronoFlow;

/// <summary>
/// The next elapse of a calendar event, computed as systemd 252's <c>find_next</c> computes it: field by field on a
/// broken-down wall-clock time, normalizing through <c>mktime</c> after each step. The <c>mktime</c> here is an
/// emulation of glibc's (<see cref="WallClock"/>), because systemd's answers at daylight-saving transitions are
/// glibc's: a wall time in a spring-forward gap is moved by the gap (so it is skipped), a repeated wall time is
/// taken with the offset of the last time converted (so it runs once, normally in the earlier offset).
/// </summary>
/// <remarks>
/// Allocation-free: the state is a struct on the stack, and zone offsets come from <see cref="ZoneRules"/> (UTC instants
/// only). Like systemd, the search gives up after 2199 and after 1000 steps, and starts no earlier than 1970.
/// </remarks>
internal static class CalendarSearch
{
    private const int Usec = CalendarEvent.MicrosecondsPerSecond;
    private const int MaxYear = 2199;
    private const int MaxIterations = 1000;
    private const long TicksPerMicrosecond = 10;
    private static readonly long s_epochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>The first elapse after <paramref name="afterUtcTicks"/> (exclusive) in UTC ticks, or -1 for none.</summary>
    /// <param name="e">The event.</param>
    /// <param name="zone">The wall clock: <see langword="null"/> for UTC.</param>
    /// <param name="afterUtcTicks">The instant to search from.</param>
    public static long Next(CalendarEvent e, TimeZoneInfo? zone, long afterUtcTicks)
    {
        // systemd counts microseconds since 1970 and searches from the next one.
        var afterUs = afterUtcTicks < s_epochTicks ? -1 : (afterUtcTicks - s_epochTicks) / TicksPerMicrosecond;
        var us = afterUs + 1;
        var clock = new WallClock(zone);
        var tm = clock.LocalTime(us / Usec);
        var tmUsec = (int)(us % Usec);
        if (!FindNext(e, ref clock, ref tm, ref tmUsec) || !clock.MkTime(ref tm, out var seconds))
        {
            return -1;
        }

        var ticks = s_epochTicks + (seconds * TimeSpan.TicksPerSecond) + (tmUsec * TicksPerMicrosecond);
        return ticks > afterUtcTicks && ticks <= DateTime.MaxValue.Ticks ? ticks : -1;
    }

    /// <summary>systemd's find_next, step for step (the order of the mktime calls matters: each one moves glibc's guess).</summary>
    private static bool FindNext(CalendarEvent e, ref WallClock clock, ref Tm tm, ref int usec)
    {
        var c = tm;
        var tmUsec = usec;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            // Normalize the current date. Where the search carried into a spring-forward gap, glibc moves the time
            // back before the gap in zones that flag the earlier side as daylight saving (Europe/Dublin's winter,
            // Africa/Casablanca's Ramadan time); systemd 252 is observed to continue after the gap there, as it does
            // everywhere else, so the gap is crossed forward here. (Its field checks still refuse to go backward.)
            clock.MkTime(ref c, out _, forward: true);
            c.IsDst = -1;

            var val = c.Year;
            var r = Match(e.Year, false, ref clock, in c, ref val);
            c.Year = val;
            if (r > 0)
            {
                c.Mon = 0;
                c.MDay = 1;
                c.Hour = c.Min = c.Sec = tmUsec = 0;
            }

            if (r < 0 || WithinBounds(ref clock, ref c) <= 0)
            {
                return false;
            }

            val = c.Mon + 1;
            r = Match(e.Month, false, ref clock, in c, ref val);
            c.Mon = val - 1;
            if (r > 0)
            {
                c.MDay = 1;
                c.Hour = c.Min = c.Sec = tmUsec = 0;
            }

            if (r < 0 || (r = WithinBounds(ref clock, ref c)) < 0)
            {
                c.Year++;
                c.Mon = 0;
                c.MDay = 1;
                c.Hour = c.Min = c.Sec = tmUsec = 0;
                continue;
            }

            if (r == 0)
            {
                continue;
            }

            val = c.MDay;
            r = Match(e.Day, e.EndOfMonth, ref clock, in c, ref val);
            c.MDay = val;
            if (r > 0)
            {
                c.Hour = c.Min = c.Sec = tmUsec = 0;
            }

            if (r < 0 || (r = WithinBounds(ref clock, ref c)) < 0)
            {
                c.Mon++;
                c.MDay = 1;
                c.Hour = c.Min = c.Sec = tmUsec = 0;
                continue;
            }

            if (r == 0)
            {
                continue;
            }

            if (!MatchesWeekday(e.Weekdays, ref clock, in c))
            {
                c.MDay++;
                c.Hour = c.Min = c.Sec = tmUsec = 0;
                continue;
            }

            val = c.Hour;
            r = Match(e.Hour, false, ref clock, in c, ref val);
            c.Hour = val;
            if (r > 0)
            {
                c.Min = c.Sec = tmUsec = 0;
            }

            if (r < 0 || (r = WithinBounds(ref clock, ref c)) < 0)
            {
                c.MDay++;
                c.Hour = c.Min = c.Sec = tmUsec = 0;
                continue;
            }

            if (r == 0)
            {
                // The hour may be missing at a transition: start again from the normalized time.
                continue;
            }

            val = c.Min;
            r = Match(e.Minute, false, ref clock, in c, ref val);
            c.Min = val;
            if (r > 0)
            {
                c.Sec = tmUsec = 0;
            }

            if (r < 0 || (r = WithinBounds(ref clock, ref c)) < 0)
            {
                c.Hour++;
                c.Min = c.Sec = tmUsec = 0;
                continue;
            }

            if (r == 0)
            {
                continue;
            }

            val = (c.Sec * Usec) + tmUsec;
            r = Match(e.Microsecond, false, ref clock, in c, ref val);
            tmUsec = val % Usec;
            c.Sec = val / Usec;
            if (r < 0 || (r = WithinBounds(ref clock, ref c)) < 0)
            {
                c.Min++;
                c.Sec = tmUsec = 0;
                continue;
            }

            if (r == 0)
            {
                continue;
            }

            tm = c;
            usec = tmUsec;
            return true;
        }

        // systemd's safety valve: "Infinite loop in calendar calculation".
        return false;
    }

    /// <summary>
    /// systemd's find_matching_component: the earliest value of the chain at or after <paramref name="val"/>;
    /// 1 if it moved, 0 if not (or the field is '*'), -1 if there is none.
    /// </summary>
    private static int Match(CalendarComponent[]? chain, bool endOfMonth, ref WallClock clock, in Tm tm, ref int val)
    {
        if (chain is null)
        {
            return 0;
        }

        long d = -1;
        var found = false;
        foreach (var c in chain)
        {
            int start, stop;
            if (endOfMonth)
            {
                start = EndOfMonth(ref clock, in tm, c.Start);
                stop = EndOfMonth(ref clock, in tm, c.Stop);
                if (stop > 0)
                {
                    (start, stop) = (stop, start);
                }
            }
            else
            {
                start = c.Start;
                stop = c.Stop;
            }

            if (start >= val)
            {
                if (!found || start < d)
                {
                    d = start;
                    found = true;
                }
            }
            else if (c.Repeat > 0)
            {
                long k = start + (c.Repeat * ((val - (long)start + c.Repeat - 1) / c.Repeat));
                if ((!found || k < d) && (stop < 0 || k <= stop))
                {
                    d = k;
                    found = true;
                }
            }
        }

        if (!found || d > int.MaxValue)
        {
            return -1;
        }

        var r = val != d ? 1 : 0;
        val = (int)d;
        return r;
    }

    /// <summary>systemd's find_end_of_month: the day that is <paramref name="day"/> days from the end (1 = the last), or -1.</summary>
    private static int EndOfMonth(ref WallClock clock, in Tm tm, int day)
    {
        var t = tm;
        t.Mon++;
        t.MDay = 1 - day;
        if (!clock.MkTime(ref t, out _) || t.Mon != tm.Mon)
        {
            return -1;
        }

        return t.MDay;
    }

    private static bool MatchesWeekday(int weekdays, ref WallClock clock, in Tm tm)
    {
        if (weekdays < 0 || weekdays >= 127)
        {
            return true;
        }

        var t = tm;
        if (!clock.MkTime(ref t, out _))
        {
            return false;
        }

        var k = t.WDay == 0 ? 6 : t.WDay - 1;
        return (weekdays & (1 << k)) != 0;
    }

    /// <summary>
    /// systemd's tm_within_bounds: 1 if <paramref name="tm"/> is a real wall time as it stands; 0 if mktime moved it
    /// forward (then <paramref name="tm"/> takes the moved time, its lower fields reset); -1 if it is past 2199, cannot
    /// be converted, or mktime moved it backward.
    /// </summary>
    private static int WithinBounds(ref WallClock clock, ref Tm tm)
    {
        if (tm.Year > MaxYear)
        {
            return -1;
        }

        var t = tm;
        if (!clock.MkTime(ref t, out _))
        {
            return -1;
        }

        int cmp;
        if ((cmp = t.Year.CompareTo(tm.Year)) != 0)
        {
            t.Mon = 0;
        }
        else if ((cmp = t.Mon.CompareTo(tm.Mon)) != 0)
        {
            t.MDay = 1;
        }
        else if ((cmp = t.MDay.CompareTo(tm.MDay)) != 0)
        {
            t.Hour = 0;
        }
        else if ((cmp = t.Hour.CompareTo(tm.Hour)) != 0)
        {
            t.Min = 0;
        }
        else if ((cmp = t.Min.CompareTo(tm.Min)) != 0)
        {
            t.Sec = 0;
        }
        else
        {
            cmp = t.Sec.CompareTo(tm.Sec);
        }

        if (cmp < 0)
        {
            return -1; // systemd refuses to go backward
        }

        if (cmp > 0)
        {
            tm = t;
            return 0;
        }

        return 1;
    }
}

/// <summary>A broken-down time as C's <c>struct tm</c> holds it (the year in full; the month 0-11; fields may be out of range).</summary>
internal struct Tm
{
    public int Year;
    public int Mon;
    public int MDay;
    public int Hour;
    public int Min;
    public int Sec;
    public int IsDst;   // -1 unknown, 0 standard, 1 daylight saving
    public int WDay;    // Sunday = 0
}
