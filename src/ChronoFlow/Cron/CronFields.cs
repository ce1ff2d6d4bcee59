namespace ChronoFlow;

/// <summary>Equality by meaning: the bit fields and the flags that change occurrences, not presentation.</summary>
internal static class CronFields
{
    public static bool SameMeaning(in CronExpression a, in CronExpression b)
        => a.Seconds == b.Seconds
        && a.Minutes == b.Minutes
        && a.Hours == b.Hours
        && a.DaysOfMonth == b.DaysOfMonth
        && a.Months == b.Months
        && a.DaysOfWeek == b.DaysOfWeek
        && a.LastDayOffsets == b.LastDayOffsets
        && a.LastDayOffsetsWeekday == b.LastDayOffsetsWeekday
        && a.NearestWeekdays == b.NearestWeekdays
        && a.LastWeekdays == b.LastWeekdays
        && a.NthWeekdays == b.NthWeekdays
        && a.Years0 == b.Years0
        && a.Years1 == b.Years1
        && (a.Flags & ~CronFlags.PresentationOnly) == (b.Flags & ~CronFlags.PresentationOnly);

    public static int HashOfMeaning(in CronExpression e)
    {
        var hash = default(HashCode);
        hash.Add(e.Seconds);
        hash.Add(e.Minutes);
        hash.Add(e.Hours);
        hash.Add(e.DaysOfMonth);
        hash.Add(e.Months);
        hash.Add(e.DaysOfWeek);
        hash.Add(e.LastDayOffsets);
        hash.Add(e.LastDayOffsetsWeekday);
        hash.Add(e.NearestWeekdays);
        hash.Add(e.LastWeekdays);
        hash.Add(e.NthWeekdays);
        hash.Add(e.Years0);
        hash.Add(e.Years1);
        hash.Add(e.Flags & ~CronFlags.PresentationOnly);
        return hash.ToHashCode();
    }
}
