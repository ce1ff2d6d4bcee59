using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>
/// Proleptic Gregorian calendar arithmetic on day numbers (days since 0001-01-01, as <see cref="DateTime"/> counts
/// them): leap years, month lengths, the days before a year or a month, and the split of a day number into year,
/// month and day. The one place this arithmetic is written; the cron search (<see cref="CronCalendar"/>), the zone
/// offsets (<see cref="ZoneRules"/>) and the systemd calendar engine (<c>WallClock</c>) all call it.
/// </summary>
/// <remarks>
/// Years are 1-9999, as <see cref="DateTime"/> holds them; day numbers and ticks are not negative. Every member is
/// small and on a search's hot path, so they are inlined.
/// </remarks>
internal static class CalendarMath
{
    public const int DaysPerYear = 365;
    public const int DaysPer4Years = (4 * DaysPerYear) + 1;          // 1461
    public const int DaysPer100Years = (25 * DaysPer4Years) - 1;     // 36524
    public const int DaysPer400Years = (4 * DaysPer100Years) + 1;    // 146097

    /// <summary>
    /// <c>DateTime.MaxValue.Ticks</c> as a constant: in a large method the JIT may run out of inline budget and leave
    /// that property read a call (it did, on CronCalendar.Next's return path).
    /// </summary>
    public const long MaxTicks = 3_155_378_975_999_999_999;

    /// <summary>The days before the first of each month (index 0-11), and the year's length at index 12.</summary>
    private static ReadOnlySpan<short> DaysToMonth365 => [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

    /// <summary>The same in a leap year.</summary>
    private static ReadOnlySpan<short> DaysToMonth366 => [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

    /// <summary>Whether <paramref name="year"/> (1-9999) is a leap year.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLeapYear(int year) => DateTime.IsLeapYear(year);

    /// <summary>The days in <paramref name="month"/> (1-12), in a leap year or not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DaysInMonth(bool leap, int month) => month == 2 ? (leap ? 29 : 28) : 30 + ((month + (month >> 3)) & 1);

    /// <summary>The days in <paramref name="month"/> (1-12) of <paramref name="year"/>; the year is looked at in February only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DaysInMonth(int year, int month) => month == 2 ? (IsLeapYear(year) ? 29 : 28) : 30 + ((month + (month >> 3)) & 1);

    /// <summary>The day number of 1 January of <paramref name="year"/>: the days of the years before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long DaysBeforeYear(int year)
    {
        var y = year - 1;
        return (y * 365L) + (y / 4) - (y / 100) + (y / 400);
    }

    /// <summary>The days of <paramref name="year"/> before the first of <paramref name="month"/> (1-12).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DaysBeforeMonth(int year, int month)
        => (IsLeapYear(year) ? DaysToMonth366 : DaysToMonth365)[month - 1];

    /// <summary>The day number of the first of <paramref name="month"/> (1-12) of <paramref name="year"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long MonthStart(int year, int month) => DaysBeforeYear(year) + DaysBeforeMonth(year, month);

    /// <summary>
    /// The year of day number <paramref name="dayNumber"/> (not negative), with the day's index in that year (0-365)
    /// and whether the year is a leap year: the 400/100/4/1-year split of <see cref="DateTime"/>'s own arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SplitYear(int dayNumber, out int dayOfYear, out bool leap)
    {
        var n = dayNumber;
        var y400 = n / DaysPer400Years;
        n -= y400 * DaysPer400Years;
        var y100 = n / DaysPer100Years;
        if (y100 == 4)
        {
            y100 = 3; // the last day of a 400-year cycle
        }

        n -= y100 * DaysPer100Years;
        var y4 = n / DaysPer4Years;
        n -= y4 * DaysPer4Years;
        var y1 = n / DaysPerYear;
        if (y1 == 4)
        {
            y1 = 3; // the last day of a leap year
        }

        dayOfYear = n - (y1 * DaysPerYear);
        leap = y1 == 3 && (y4 != 24 || y100 == 3);
        return (y400 * 400) + (y100 * 100) + (y4 * 4) + y1 + 1;
    }

    /// <summary>The year of a tick count (not negative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int YearOf(long ticks) => SplitYear((int)(ticks / TimeSpan.TicksPerDay), out _, out _);

    /// <summary>Year, month and day of day number <paramref name="dayNumber"/> (not negative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Year, int Month, int Day) SplitDayNumber(int dayNumber) => SplitTicks(dayNumber * TimeSpan.TicksPerDay);

    /// <summary>Year, month and day of a tick count (0 to <see cref="MaxTicks"/>).</summary>
    /// <remarks>
    /// <see cref="DateTime"/>'s own split (Neri and Schneider's Euclidean affine functions, .NET 8 on): a few
    /// multiplications, against the serial chain of five divisions of <see cref="SplitYear"/> and a month loop,
    /// which was the hottest stretch of a next-occurrence search.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Year, int Month, int Day) SplitTicks(long ticks)
    {
        new DateTime(ticks).Deconstruct(out var year, out var month, out var day);
        return (year, month, day);
    }
}
