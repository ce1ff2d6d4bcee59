namespace ChronoFlow;

/// <summary>
/// Selects the fields a <see cref="CronExpression"/> has and how its two day fields combine.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Standard"/> is the five-field form <c>minute hour day-of-month month day-of-week</c>.
/// <see cref="IncludeSeconds"/> adds a leading seconds field and <see cref="IncludeYear"/> a trailing year field
/// (Quartz's seventh field), so that <c>IncludeSeconds | IncludeYear</c> reads seven fields.
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
}
