namespace ChronoFlow.Benchmarks;

/// <summary>
/// The inputs every library gets: one instant to search from and, per case, the expression in the form each library
/// reads. ChronoFlow, Cronos and NCrontab read the crontab form; Quartz reads its own six-field form (a seconds field
/// first, day-of-week numbered 1-7 from Sunday, and <c>?</c> in the day field that is not restricted), so its text is
/// the equivalent spelling of the same schedule, never a different schedule.
/// </summary>
internal static class Inputs
{
    /// <summary>
    /// A fixed, unremarkable instant: Saturday 14 March 2026, 09:26:53.589 UTC. Not on a second boundary, on a
    /// weekend (so "weekdays at noon" has to skip days), before the 15th (so <c>15W</c> has to shift off a Sunday)
    /// and in a non-leap year (so 29 February is two years away). New York is already on daylight time (since
    /// 8 March), London not yet (until 29 March): the two zones sit on different offsets.
    /// </summary>
    public static readonly DateTime FromUtc = new(2026, 3, 14, 9, 26, 53, 589, DateTimeKind.Utc);

    /// <summary>NCrontab's option for six-field expressions, whose first field is seconds.</summary>
    public static readonly NCrontab.CrontabSchedule.ParseOptions NCrontabWithSeconds = new() { IncludingSeconds = true };

    /// <summary>The same instant as <see cref="FromUtc"/>, for the APIs that take a <see cref="DateTimeOffset"/>.</summary>
    public static readonly DateTimeOffset From = new(FromUtc);

    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);
}

/// <summary>
/// The benchmark cases; the names are the categories the tables group by. They are words, not the expressions
/// themselves, because BenchmarkDotNet's GitHub tables set some rows in bold and a <c>*</c> inside <c>**...**</c>
/// breaks the markdown. The expressions are in <see cref="Text"/> and in benchmarks/README.md.
/// </summary>
internal static class Case
{
    // Parse
    public const string ParseFiveFields = "Parse 5 fields";
    public const string ParseSixFields = "Parse 6 fields (seconds)";
    public const string TryParseInvalid = "TryParse invalid";
    public const string ParseQuartz = "Parse Quartz dialect";

    // Next occurrence (UTC and zoned)
    public const string EveryMinute = "Every minute";
    public const string Yearly = "Yearly";
    public const string WeekdaysAtNoon = "Weekdays at noon";
    public const string LastDayOfMonth = "Last day of month (L)";
    public const string February29 = "29 February";
    public const string ThirdFriday = "Third Friday (5#3)";
    public const string NearestWeekdayTo15 = "Nearest weekday to 15th (15W)";
    public const string Every10Seconds = "Every 10 seconds";

    // Never fires
    public const string Impossible = "30 February (never)";
}

/// <summary>The expression texts, per library dialect.</summary>
internal static class Text
{
    public const string ParseFiveFields = "*/5 * * * *";
    public const string ParseFiveFieldsQuartz = "0 */5 * * * ?";
    public const string ParseSixFields = "0 0 12 * * MON-FRI";
    public const string ParseSixFieldsQuartz = "0 0 12 ? * MON-FRI";
    public const string Invalid = "61 * * * *";
    public const string InvalidQuartz = "0 61 * * * ?";

    /// <summary>Quartz.NET's own dialect, read by ChronoFlow with <c>CronFormat.Quartz</c>: every 5 minutes at 2pm and 6pm on weekdays.</summary>
    public const string ParseQuartz = "0 0/5 14,18 ? * MON-FRI";

    public const string EveryMinute = "* * * * *";
    public const string EveryMinuteQuartz = "0 * * * * ?";
    public const string Yearly = "0 0 1 1 *";
    public const string YearlyQuartz = "0 0 0 1 1 ?";
    public const string WeekdaysAtNoon = "0 12 * * MON-FRI";
    public const string WeekdaysAtNoonQuartz = "0 0 12 ? * MON-FRI";
    public const string LastDayOfMonth = "0 0 L * *";
    public const string LastDayOfMonthQuartz = "0 0 0 L * ?";
    public const string February29 = "0 0 29 2 *";
    public const string February29Quartz = "0 0 0 29 2 ?";
    public const string ThirdFriday = "0 0 * * 5#3";
    public const string ThirdFridayQuartz = "0 0 0 ? * 6#3"; // Quartz numbers Sunday 1, so Friday is 6
    public const string NearestWeekdayTo15 = "0 0 15W * *";
    public const string NearestWeekdayTo15Quartz = "0 0 0 15W * ?";
    public const string Every10Seconds = "*/10 * * * * *";
    public const string Every10SecondsQuartz = "*/10 * * * * ?";
    public const string Impossible = "0 0 30 2 *";
    public const string ImpossibleQuartz = "0 0 0 30 2 ?";
}
