using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>The fields of a cron expression, in text order.</summary>
internal enum CronField : byte
{
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,

    /// <summary>Day-of-week in Quartz.NET's numbering, 1-7 from Sunday; it sits in <see cref="DayOfWeek"/>'s place.</summary>
    QuartzDayOfWeek,
}

/// <summary>Per-field facts: range, name and how steps count.</summary>
internal static class CronFieldInfo
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Min(CronField field) => field switch
    {
        CronField.DayOfMonth or CronField.Month or CronField.QuartzDayOfWeek => 1,
        CronField.Year => CronConstants.MinYear,
        _ => 0,
    };

    /// <summary>The largest value the text may hold (7 for day-of-week, where 7 is Sunday).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Max(CronField field) => field switch
    {
        CronField.Second or CronField.Minute => 59,
        CronField.Hour => 23,
        CronField.DayOfMonth => 31,
        CronField.Month => 12,
        CronField.DayOfWeek or CronField.QuartzDayOfWeek => 7,
        _ => CronConstants.MaxYear,
    };

    /// <summary>The length of the field's cycle, which a reversed range wraps round.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Cycle(CronField field) => field switch
    {
        CronField.DayOfWeek or CronField.QuartzDayOfWeek => 7,
        _ => Max(field) - Min(field) + 1,
    };

    public static string Name(CronField field) => field switch
    {
        CronField.Second => "second",
        CronField.Minute => "minute",
        CronField.Hour => "hour",
        CronField.DayOfMonth => "day-of-month",
        CronField.Month => "month",
        CronField.DayOfWeek or CronField.QuartzDayOfWeek => "day-of-week",
        _ => "year",
    };
}
