namespace ChronoFlow;

public readonly partial struct CronExpression
{
    // The whole expression as bit fields, so that parsing allocates nothing and a search is bit arithmetic.
    // Bit v of a field is set when the value v matches.
    internal readonly ulong Seconds;             // bits 0-59
    internal readonly ulong Minutes;             // bits 0-59
    internal readonly ulong NthWeekdays;         // n#k: bit 7*(k-1) + weekday, k 1-5, weekday 0-6 (35 bits)
    internal readonly ulong Years0;              // bit y-1970 for 1970-2033
    internal readonly ulong Years1;              // bit y-2034 for 2034-2097; 2098 and 2099 are CronFlags.Year2098/2099
    internal readonly uint Hours;                // bits 0-23
    internal readonly uint DaysOfMonth;          // bits 1-31, plain days
    internal readonly uint LastDayOffsets;       // L-n: bit n, n 0-30 (L is L-0)
    internal readonly uint LastDayOffsetsWeekday; // L-nW: bit n, n 0-30 (LW is L-0W)
    internal readonly uint NearestWeekdays;      // nW: bit n, n 1-31
    internal readonly ushort Months;             // bits 1-12
    internal readonly byte DaysOfWeek;           // bits 0-6, Sunday = 0, plain weekdays
    internal readonly byte LastWeekdays;         // nL: bits 0-6, the last such weekday of the month
    internal readonly CronFlags Flags;

    /// <summary>
    /// An expression without day specials (L, W, #) and with every year: what the parser's lean pass reads. Built
    /// from values in registers, so that <c>return new CronExpression(...)</c> stores each field once, straight into
    /// the caller's storage, with no zeroed copy in between.
    /// </summary>
    internal CronExpression(ulong seconds, ulong minutes, uint hours, uint daysOfMonth, ushort months, byte daysOfWeek, CronFlags flags)
    {
        Seconds = seconds;
        Minutes = minutes;
        NthWeekdays = 0;
        Years0 = 0;
        Years1 = 0;
        Hours = hours;
        DaysOfMonth = daysOfMonth;
        LastDayOffsets = 0;
        LastDayOffsetsWeekday = 0;
        NearestWeekdays = 0;
        Months = months;
        DaysOfWeek = daysOfWeek;
        LastWeekdays = 0;
        Flags = flags;
    }

    /// <summary>Gets whether <paramref name="year"/> is allowed by the year field.</summary>
    internal bool IsYearAllowed(int year)
    {
        if ((Flags & CronFlags.AnyYear) != 0)
        {
            return true;
        }

        var i = year - CronConstants.MinYear;
        return i switch
        {
            < 0 => false,
            < 64 => (Years0 >> i & 1) != 0,
            < 128 => (Years1 >> (i - 64) & 1) != 0,
            128 => (Flags & CronFlags.Year2098) != 0,
            129 => (Flags & CronFlags.Year2099) != 0,
            _ => false,
        };
    }
}

/// <summary>Properties of an expression that do not fit the bit fields.</summary>
[Flags]
internal enum CronFlags : uint
{
    None = 0,

    /// <summary>Set on every parsed value; the <see langword="default"/> value lacks it and never fires.</summary>
    Parsed = 1 << 0,

    /// <summary>Second, minute and hour hold only single values: one run in a repeated hour.</summary>
    FixedTime = 1 << 1,

    /// <summary>A day matches when day-of-month or day-of-week matches (Vixie rule, both restricted).</summary>
    DayOr = 1 << 2,

    /// <summary>The year field is <c>*</c>: every year, with no end.</summary>
    AnyYear = 1 << 3,

    Year2098 = 1 << 4,
    Year2099 = 1 << 5,

    /// <summary>Day-of-month holds L, L-n, nW, LW or L-nW.</summary>
    DayOfMonthSpecials = 1 << 6,

    /// <summary>Day-of-week holds nL or n#k.</summary>
    DayOfWeekSpecials = 1 << 7,

    /// <summary>The day-of-month text started with * or ? (unrestricted in the Vixie sense); kept for the canonical text.</summary>
    DayOfMonthStar = 1 << 8,

    /// <summary>The day-of-week text started with * or ?; kept for the canonical text.</summary>
    DayOfWeekStar = 1 << 9,

    /// <summary>Known at parse time never to fire.</summary>
    NeverFires = 1 << 10,

    // The format it was parsed with, for the canonical text only; not part of the meaning.
    FormatSeconds = 1 << 11,
    FormatYear = 1 << 12,
    FormatIntersect = 1 << 13,

    /// <summary>Every day of every month of every year matches: a search is time-of-day arithmetic.</summary>
    EveryDay = 1 << 14,

    /// <summary>The days are a plain day-of-month list: no specials, no weekday restriction, no OR rule.</summary>
    PlainDays = 1 << 15,

    /// <summary>
    /// Quartz.NET's reading of <c>nW</c> with n past the month's last day (<c>31W</c> in April): the weekday nearest
    /// the last day, instead of no day. Set only by <see cref="CronFormat.Quartz"/>, and only when some n is 29-31.
    /// </summary>
    NearestWeekdayClamps = 1 << 16,

    /// <summary>Parsed with <see cref="CronFormat.Quartz"/>: the canonical text keeps that dialect.</summary>
    FormatQuartz = 1 << 17,

    /// <summary>Flags that are presentation, not meaning; equality ignores them.</summary>
    PresentationOnly = DayOfMonthStar | DayOfWeekStar | FormatSeconds | FormatYear | FormatIntersect | FormatQuartz,
}

/// <summary>Field ranges and other fixed numbers of the dialect.</summary>
internal static class CronConstants
{
    public const int MinYear = 1970;
    public const int MaxYear = 2099;
    public const ulong AllSeconds = (1UL << 60) - 1;
    public const ulong AllMinutes = (1UL << 60) - 1;
    public const uint AllHours = (1U << 24) - 1;
    public const uint AllDays = 0xFFFF_FFFEU;   // bits 1-31
    public const ushort AllMonths = 0x1FFE;     // bits 1-12
    public const byte AllWeekdays = 0x7F;       // bits 0-6
}

/// <summary>
/// The mutable twin of <see cref="CronExpression"/> that the parser fills in place: the same fields in the same
/// order, so that one can be reinterpreted as the other.
/// </summary>
internal struct CronFieldsBuilder
{
    public ulong Seconds;
    public ulong Minutes;
    public ulong NthWeekdays;
    public ulong Years0;
    public ulong Years1;
    public uint Hours;
    public uint DaysOfMonth;
    public uint LastDayOffsets;
    public uint LastDayOffsetsWeekday;
    public uint NearestWeekdays;
    public ushort Months;
    public byte DaysOfWeek;
    public byte LastWeekdays;
    public CronFlags Flags;
}
