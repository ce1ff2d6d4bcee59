namespace ChronoFlow;

/// <summary>
/// Selects the fields a <see cref="CronExpression"/> has and how its two day fields combine.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Standard"/> is the five-field form <c>minute hour day-of-month month day-of-week</c>.
/// <see cref="IncludeSeconds"/> adds a leading seconds field and <see cref="IncludeYear"/> a trailing year field
/// (Quartz's seventh field), so that <c>IncludeSeconds | IncludeYear</c> reads seven fields.
/// <see cref="Quartz"/> reads Quartz.NET's own dialect (day-of-week 1–7 from Sunday, optional year).
/// </para>
/// <para>
/// When both day fields are restricted (neither starts with <c>*</c> or <c>?</c>), a day matches if
/// <em>either</em> matches, as in Vixie cron, cronie and Quartz.NET 4. <see cref="IntersectDays"/> makes both
/// have to match instead, which is the rule of Cronos and NCrontab.
/// </para>
/// </remarks>
[Flags]
public enum CronFormat
{
    /// <summary>Five fields: minute, hour, day of month, month, day of week.</summary>
    Standard = 0,

    /// <summary>Adds a leading seconds field.</summary>
    IncludeSeconds = 1,

    /// <summary>A restricted day-of-month and a restricted day-of-week must both match (AND instead of OR).</summary>
    IntersectDays = 2,

    /// <summary>Adds a trailing year field (1970–2099).</summary>
    IncludeYear = 4,

    /// <summary>
    /// Quartz.NET's dialect: <c>second minute hour day-of-month month day-of-week [year]</c> (six or seven fields,
    /// the seconds field required), day-of-week numbered 1–7 from Sunday (<c>1</c> = <c>SUN</c>, <c>7</c> =
    /// <c>SAT</c>), <c>?</c> for an unrestricted day field, and <c>L</c>, <c>W</c>, <c>#</c>, <c>LW</c>,
    /// <c>L-n</c> and <c>nL</c> as Quartz.NET 4 reads them (<c>L</c> alone in day-of-week is Saturday; <c>31W</c>
    /// in a shorter month is the weekday nearest its last day). <see cref="IncludeSeconds"/> and
    /// <see cref="IncludeYear"/> are implied; <see cref="IntersectDays"/> may be added.
    /// </summary>
    /// <remarks>
    /// As in Quartz.NET 4, a day field is unrestricted only when it is exactly <c>*</c> or <c>?</c>; when both are
    /// restricted a day matches if either matches. The canonical text (<see cref="CronExpression.ToString"/>) keeps
    /// this dialect.
    /// </remarks>
    Quartz = 8,
}
