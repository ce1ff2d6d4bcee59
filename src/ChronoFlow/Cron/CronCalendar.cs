using System.Numerics;
using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>
/// Next and previous matches of an expression on a wall clock given as ticks (UTC, or local time of a zone),
/// found field by field with the bit masks: a search never steps minute by minute. Returns -1 for none.
/// </summary>
internal static class CronCalendar
{
    public const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const long TicksPerMinute = TimeSpan.TicksPerMinute;
    private const long TicksPerHour = TimeSpan.TicksPerHour;
    private const long TicksPerDay = TimeSpan.TicksPerDay;
    private const int MaxCalendarYear = 9999;

    /// <summary>The Gregorian calendar repeats every 400 years, so a search of 401 years decides "never".</summary>
    private const int SearchYears = 401;

    /// <summary>The first match at or after <paramref name="ticks"/> (after, unless <paramref name="inclusive"/>).</summary>
    public static long Next(in CronExpression e, long ticks, bool inclusive)
    {
        if ((e.Flags & (CronFlags.Parsed | CronFlags.NeverFires)) != CronFlags.Parsed)
        {
            return -1;
        }

        if (ticks < 0)
        {
            ticks = 0;
            inclusive = true;
        }

        var rem = ticks % TicksPerSecond;
        var start = inclusive && rem == 0 ? ticks : ticks - rem + TicksPerSecond;
        if (start > CalendarMath.MaxTicks)
        {
            return -1;
        }

        if ((e.Flags & CronFlags.EveryDay) != 0)
        {
            return NextEveryDay(in e, start);
        }

        var (y, mo, d) = CalendarMath.SplitTicks(start);
        var lastYear = Math.Min(MaxCalendarYear, y + SearchYears);
        var anyYear = (e.Flags & CronFlags.AnyYear) != 0;
        if (!anyYear)
        {
            lastYear = Math.Min(lastYear, CronConstants.MaxYear);
        }

        if ((e.Months >> mo & 1) != 0 && (anyYear || e.IsYearAllowed(y)))
        {
            // Today first: the rest of today's times, when today matches.
            var monthStart = CalendarMath.MonthStart(y, mo);
            var mask = DaysOf(in e, y, mo, monthStart);
            if ((mask >> d & 1) != 0)
            {
                var time = NextTimeOfDay(in e, (int)(start % TicksPerDay / TicksPerSecond));
                if (time >= 0)
                {
                    return (start - (start % TicksPerDay)) + (time * TicksPerSecond);
                }
            }

            // Then the rest of this month, from the mask already worked out.
            var later = d >= 31 ? 0 : mask & (uint.MaxValue << (d + 1));
            if (later != 0)
            {
                var found = ((monthStart + BitOperations.TrailingZeroCount(later) - 1) * TicksPerDay) + (FirstTimeOfDay(in e) * TicksPerSecond);
                return found > CalendarMath.MaxTicks ? -1 : found;
            }

            d = 32; // past this month: the search below moves on to the next
        }
        else
        {
            d++;
        }

        // Then the first matching day after today, at the first time of the day: no field below the day is searched.
        while (true)
        {
            if (y > lastYear)
            {
                return -1;
            }

            if (!anyYear && !e.IsYearAllowed(y))
            {
                y++;
                mo = 1;
                d = 1;
                continue;
            }

            var month = NextBit(e.Months, mo);
            if (month < 0)
            {
                y++;
                mo = 1;
                d = 1;
                continue;
            }

            if (month != mo)
            {
                mo = month;
                d = 1;
            }

            var monthStart = CalendarMath.MonthStart(y, mo);
            var days = d > 31 ? 0 : DaysOf(in e, y, mo, monthStart) & (uint.MaxValue << d);
            if (days != 0)
            {
                var day = monthStart + BitOperations.TrailingZeroCount(days) - 1;
                var found = (day * TicksPerDay) + (FirstTimeOfDay(in e) * TicksPerSecond);
                return found > CalendarMath.MaxTicks ? -1 : found;
            }

            if (++mo > 12)
            {
                y++;
                mo = 1;
            }

            d = 1;
        }
    }

    /// <summary>The first matching second of the day at or after <paramref name="second"/> (0-86399), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextTimeOfDay(in CronExpression e, int second)
    {
        int h = second / 3600, mi = second / 60 % 60, s = second % 60;
        if ((e.Hours >> h & 1) != 0)
        {
            if ((e.Minutes >> mi & 1) != 0)
            {
                var ns = NextBit(e.Seconds, s);
                if (ns >= 0)
                {
                    return (h * 3600) + (mi * 60) + ns;
                }
            }

            var nm = NextBit(e.Minutes, mi + 1);
            if (nm >= 0)
            {
                return (h * 3600) + (nm * 60) + BitOperations.TrailingZeroCount(e.Seconds);
            }
        }

        var nh = NextBit(e.Hours, h + 1);
        return nh < 0 ? -1 : (nh * 3600) + (BitOperations.TrailingZeroCount(e.Minutes) * 60) + BitOperations.TrailingZeroCount(e.Seconds);
    }

    /// <summary>The first matching second of any day.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FirstTimeOfDay(in CronExpression e)
        => (BitOperations.TrailingZeroCount(e.Hours) * 3600L) + (BitOperations.TrailingZeroCount(e.Minutes) * 60L) + BitOperations.TrailingZeroCount(e.Seconds);

    /// <summary>The last match at or before <paramref name="ticks"/> (before, unless <paramref name="inclusive"/>).</summary>
    public static long Previous(in CronExpression e, long ticks, bool inclusive)
    {
        if ((e.Flags & (CronFlags.Parsed | CronFlags.NeverFires)) != CronFlags.Parsed || ticks < 0)
        {
            return -1;
        }

        if (ticks > CalendarMath.MaxTicks)
        {
            ticks = CalendarMath.MaxTicks;
            inclusive = true;
        }

        var rem = ticks % TicksPerSecond;
        var start = rem != 0 || inclusive ? ticks - rem : ticks - TicksPerSecond;
        if (start < 0)
        {
            return -1;
        }

        if ((e.Flags & CronFlags.EveryDay) != 0)
        {
            return PreviousEveryDay(in e, start);
        }

        var (y, mo, d) = CalendarMath.SplitTicks(start);
        var time = (int)(start % TicksPerDay / TicksPerSecond);
        int h = time / 3600, mi = time / 60 % 60, s = time % 60;
        var firstYear = Math.Max(1, y - SearchYears);
        if ((e.Flags & CronFlags.AnyYear) == 0)
        {
            firstYear = Math.Max(firstYear, CronConstants.MinYear);
        }

        int prev;

    Year:
        if (y < firstYear)
        {
            return -1;
        }

        if ((e.Flags & CronFlags.AnyYear) == 0 && !e.IsYearAllowed(y))
        {
            do
            {
                if (--y < firstYear)
                {
                    return -1;
                }
            }
            while (!e.IsYearAllowed(y));

            mo = 12;
            d = 31;
            h = 23;
            mi = s = 59;
        }

    Month:
        prev = PreviousBit(e.Months, mo);
        if (prev < 0)
        {
            y--;
            mo = 12;
            d = 31;
            h = 23;
            mi = s = 59;
            goto Year;
        }

        if (prev != mo)
        {
            mo = prev;
            d = 31;
            h = 23;
            mi = s = 59;
        }

    Day:
        prev = d < 1 ? -1 : PreviousBit(DaysOf(in e, y, mo, CalendarMath.MonthStart(y, mo)), d);
        if (prev < 0)
        {
            mo--;
            d = 31;
            h = 23;
            mi = s = 59;
            if (mo < 1)
            {
                y--;
                mo = 12;
                goto Year;
            }

            goto Month;
        }

        if (prev != d)
        {
            d = prev;
            h = 23;
            mi = s = 59;
        }

        prev = PreviousBit(e.Hours, h);
        if (prev < 0)
        {
            d--;
            h = 23;
            mi = s = 59;
            goto Day;
        }

        if (prev != h)
        {
            h = prev;
            mi = s = 59;
        }

    Minute:
        prev = PreviousBit(e.Minutes, mi);
        if (prev < 0)
        {
            h--;
            mi = s = 59;
            prev = h < 0 ? -1 : PreviousBit(e.Hours, h);
            if (prev < 0)
            {
                d--;
                h = 23;
                goto Day;
            }

            h = prev;
            goto Minute;
        }

        if (prev != mi)
        {
            mi = prev;
            s = 59;
        }

        prev = PreviousBit(e.Seconds, s);
        if (prev < 0)
        {
            mi--;
            s = 59;
            if (mi < 0)
            {
                h--;
                mi = 59;
                prev = h < 0 ? -1 : PreviousBit(e.Hours, h);
                if (prev < 0)
                {
                    d--;
                    h = 23;
                    goto Day;
                }

                h = prev;
            }

            goto Minute;
        }

        return ((CalendarMath.MonthStart(y, mo) + d - 1) * TicksPerDay) + (h * TicksPerHour) + (mi * TicksPerMinute) + (prev * TicksPerSecond);
    }

    /// <summary>Every day matches: the next time of day at or after <paramref name="start"/> (a whole second), else tomorrow's first.</summary>
    private static long NextEveryDay(in CronExpression e, long start)
    {
        var day = start / TicksPerDay;
        var second = (int)(start % TicksPerDay / TicksPerSecond);
        int h = second / 3600, mi = second / 60 % 60, s = second % 60;
        long time;
        if ((e.Hours >> h & 1) != 0)
        {
            if ((e.Minutes >> mi & 1) != 0)
            {
                var ns = NextBit(e.Seconds, s);
                if (ns >= 0)
                {
                    time = (h * 3600) + (mi * 60) + ns;
                    goto Found;
                }
            }

            var nm = NextBit(e.Minutes, mi + 1);
            if (nm >= 0)
            {
                time = (h * 3600) + (nm * 60) + BitOperations.TrailingZeroCount(e.Seconds);
                goto Found;
            }
        }

        var nh = NextBit(e.Hours, h + 1);
        if (nh >= 0)
        {
            time = (nh * 3600) + (BitOperations.TrailingZeroCount(e.Minutes) * 60) + BitOperations.TrailingZeroCount(e.Seconds);
            goto Found;
        }

        day++;
        time = (BitOperations.TrailingZeroCount(e.Hours) * 3600) + (BitOperations.TrailingZeroCount(e.Minutes) * 60) + BitOperations.TrailingZeroCount(e.Seconds);

    Found:
        var ticks = (day * TicksPerDay) + (time * TicksPerSecond);
        return ticks > CalendarMath.MaxTicks ? -1 : ticks;
    }

    /// <summary>Every day matches: the last time of day at or before <paramref name="start"/> (a whole second), else yesterday's last.</summary>
    private static long PreviousEveryDay(in CronExpression e, long start)
    {
        var day = start / TicksPerDay;
        var second = (int)(start % TicksPerDay / TicksPerSecond);
        int h = second / 3600, mi = second / 60 % 60, s = second % 60;
        long time;
        if ((e.Hours >> h & 1) != 0)
        {
            if ((e.Minutes >> mi & 1) != 0)
            {
                var ps = PreviousBit(e.Seconds, s);
                if (ps >= 0)
                {
                    time = (h * 3600) + (mi * 60) + ps;
                    goto Found;
                }
            }

            var pm = PreviousBit(e.Minutes, mi - 1);
            if (pm >= 0)
            {
                time = (h * 3600) + (pm * 60) + Highest(e.Seconds);
                goto Found;
            }
        }

        var ph = PreviousBit(e.Hours, h - 1);
        if (ph >= 0)
        {
            time = (ph * 3600) + (Highest(e.Minutes) * 60) + Highest(e.Seconds);
            goto Found;
        }

        day--;
        time = (Highest(e.Hours) * 3600) + (Highest(e.Minutes) * 60) + Highest(e.Seconds);

    Found:
        return day < 0 ? -1 : (day * TicksPerDay) + (time * TicksPerSecond);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Highest(ulong bits) => 63 - BitOperations.LeadingZeroCount(bits);

    /// <summary>Whether the wall-clock second at <paramref name="ticks"/> matches the expression.</summary>
    public static bool Matches(in CronExpression e, long ticks) => ticks % TicksPerSecond == 0 && Next(in e, ticks, inclusive: true) == ticks;

    /// <summary>
    /// The days of month <paramref name="month"/> of <paramref name="year"/> that match both day fields as bits
    /// 1-31, with the specials (L, W, nL, n#k) worked out for that month.
    /// </summary>
    /// <summary>The matching days of a month; plain day-of-month lists (the usual case) need no weekday arithmetic.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint DaysOf(in CronExpression e, int year, int month, long monthStart)
    {
        if ((e.Flags & CronFlags.PlainDays) != 0)
        {
            var dim = CalendarMath.DaysInMonth(year, month);
            return e.DaysOfMonth & (uint)((2UL << dim) - 2);
        }

        return DayMask(in e, year, month, monthStart);
    }

    /// <param name="e">The expression.</param>
    /// <param name="year">The year.</param>
    /// <param name="month">The month, 1-12.</param>
    /// <param name="monthStart">The day number of the month's first day (<see cref="CalendarMath.MonthStart"/>), which the caller has.</param>
    internal static uint DayMask(in CronExpression e, int year, int month, long monthStart)
    {
        var dim = CalendarMath.DaysInMonth(year, month);
        var monthDays = (uint)((2UL << dim) - 2); // bits 1..dim
        const CronFlags Complex = CronFlags.DayOr | CronFlags.DayOfMonthSpecials | CronFlags.DayOfWeekSpecials;

        if ((e.Flags & Complex) == 0 && e.DaysOfWeek == CronConstants.AllWeekdays)
        {
            return e.DaysOfMonth & monthDays;
        }

        // L and L-n without weekdays anywhere: days counted back from the month's end, no weekday arithmetic.
        if ((e.Flags & Complex) == CronFlags.DayOfMonthSpecials
            && e.DaysOfWeek == CronConstants.AllWeekdays
            && (e.NearestWeekdays | e.LastDayOffsetsWeekday) == 0)
        {
            var fromEnd = e.DaysOfMonth;
            for (var bits = e.LastDayOffsets; bits != 0; bits &= bits - 1)
            {
                var day = dim - BitOperations.TrailingZeroCount(bits);
                if (day >= 1)
                {
                    fromEnd |= 1U << day;
                }
            }

            return fromEnd & monthDays;
        }

        // Weekday of the first of the month, Sunday = 0; L and L-n alone do not need it.
        var needsWeekday = (e.NearestWeekdays | e.LastDayOffsetsWeekday) != 0
            || e.DaysOfWeek != CronConstants.AllWeekdays
            || (e.Flags & CronFlags.DayOfWeekSpecials) != 0;
        var first = needsWeekday ? (int)((monthStart + 1) % 7) : 0;

        var dom = e.DaysOfMonth;
        if ((e.Flags & CronFlags.DayOfMonthSpecials) != 0)
        {
            dom |= DayOfMonthSpecials(in e, dim, first);
        }

        uint dow;
        if (e.DaysOfWeek == CronConstants.AllWeekdays)
        {
            dow = CronConstants.AllDays;
        }
        else
        {
            // The weekday pattern repeated six times (42 bits); day d sits at bit d-1+first of it.
            var pattern = e.DaysOfWeek * 0x0000_0008_1020_4081UL;
            dow = (uint)((pattern << 1) >> first);
        }

        if ((e.Flags & CronFlags.DayOfWeekSpecials) != 0)
        {
            dow |= DayOfWeekSpecials(in e, dim, first);
        }

        var days = (e.Flags & CronFlags.DayOr) != 0 ? dom | dow : dom & dow;
        return days & monthDays;
    }

    private static uint DayOfMonthSpecials(in CronExpression e, int dim, int first)
    {
        uint days = 0;
        for (var bits = e.LastDayOffsets; bits != 0; bits &= bits - 1)
        {
            var day = dim - BitOperations.TrailingZeroCount(bits);
            if (day >= 1)
            {
                days |= 1U << day;
            }
        }

        for (var bits = e.LastDayOffsetsWeekday; bits != 0; bits &= bits - 1)
        {
            var day = dim - BitOperations.TrailingZeroCount(bits);
            if (day >= 1)
            {
                days |= 1U << NearestWeekday(day, dim, first);
            }
        }

        for (var bits = e.NearestWeekdays; bits != 0; bits &= bits - 1)
        {
            var day = BitOperations.TrailingZeroCount(bits);
            if (day <= dim)
            {
                days |= 1U << NearestWeekday(day, dim, first);
            }
            else if ((e.Flags & CronFlags.NearestWeekdayClamps) != 0)
            {
                days |= 1U << NearestWeekday(dim, dim, first); // Quartz.NET: past the month's end counts from its last day
            }
        }

        return days;
    }

    private static uint DayOfWeekSpecials(in CronExpression e, int dim, int first)
    {
        uint days = 0;
        var lastWeekday = (first + dim - 1) % 7;
        for (uint bits = e.LastWeekdays; bits != 0; bits &= bits - 1)
        {
            var weekday = BitOperations.TrailingZeroCount(bits);
            days |= 1U << (dim - ((lastWeekday - weekday + 7) % 7));
        }

        for (var bits = e.NthWeekdays; bits != 0; bits &= bits - 1)
        {
            var bit = BitOperations.TrailingZeroCount(bits);
            var weekday = bit % 7;
            var day = 1 + ((weekday - first + 7) % 7) + (7 * (bit / 7));
            if (day <= dim)
            {
                days |= 1U << day;
            }
        }

        return days;
    }

    /// <summary>The weekday (Monday to Friday) nearest to <paramref name="day"/> without leaving the month.</summary>
    private static int NearestWeekday(int day, int dim, int first)
    {
        var weekday = (first + day - 1) % 7;
        return weekday switch
        {
            6 => day == 1 ? 3 : day - 1,     // Saturday: Friday before, or Monday the 3rd
            0 => day == dim ? day - 2 : day + 1, // Sunday: Monday after, or Friday before at the month's end
            _ => day,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextBit(ulong bits, int from)
    {
        var m = bits & (ulong.MaxValue << from);
        return from > 63 || m == 0 ? -1 : BitOperations.TrailingZeroCount(m);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PreviousBit(ulong bits, int from)
    {
        if (from < 0)
        {
            return -1;
        }

        var m = from >= 63 ? bits : bits & ((2UL << from) - 1);
        return m == 0 ? -1 : 63 - BitOperations.LeadingZeroCount(m);
    }
}
