using FsCheck.Xunit;
using Xunit.Abstractions;
using QuartzCron = Quartz.CronExpression;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// <see cref="CronFormat.Quartz"/> against Quartz.NET 4's own <c>Quartz.CronExpression</c>: generated expressions in
/// Quartz's grammar (<see cref="QuartzArbitraries"/>) and the examples of Quartz's documentation must give the same
/// next occurrences, in UTC and in zones.
/// </summary>
public class QuartzDialectTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    /// <summary>The generated cases each run of the property checks.</summary>
    public const int Cases = 5000;

    /// <summary>Quartz.NET searches no further than this year (its MaxYear is the current year + 100); ChronoFlow does.</summary>
    private static readonly int s_quartzLastYear = DateTime.Now.Year + 100;

    private static string Show(DateTimeOffset? value) => value is null ? "null" : $"{value.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z ({value.Value:yyyy-MM-ddTHH:mm:sszzz})";

    /// <summary>Quartz's next fire time after <paramref name="from"/>, and ours, for the same text and zone.</summary>
    private static (DateTimeOffset? Quartz, DateTimeOffset? Ours) Next(string text, TimeZoneInfo zone, DateTimeOffset from)
    {
        var quartz = new QuartzCron(text, zone).GetNextValidTimeAfter(from);
        var ours = CronExpression.Parse(text, CronFormat.Quartz).GetNextOccurrence(from, zone);
        return (quartz, ours);
    }

    [Fact]
    public void GetNextOccurrence_EndOfBritishStandardTime_FollowsTheRealOffsetWhereQuartzAnswersBeforeTheStart()
    {
        // A named difference, left out of the property: on 1971-10-31 London went from GMT+1 all year back to GMT,
        // an offset change without a daylight-saving flag, which .NET's local-time queries misread.
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var from = new DateTimeOffset(1971, 10, 31, 2, 0, 2, TimeSpan.Zero);

        var (quartz, ours) = Next("0 */6 * * * *", london, from);

        Assert.Equal(new DateTimeOffset(1971, 10, 31, 2, 6, 0, TimeSpan.Zero), ours);
        Assert.True(quartz < from, $"Quartz.NET answered {Show(quartz)}, not before the start");
    }

    [Property(Arbitrary = [typeof(QuartzArbitraries)], MaxTest = Cases)]
    public void GetNextOccurrence_QuartzDialect_Meets_Specification(QuartzCase c)
    {
        var (quartz, ours) = Next(c.Expression, c.Zone, c.From);
        if (quartz is null && ours is not null && ours.Value.UtcDateTime.Year > s_quartzLastYear - 1)
        {
            return; // past Quartz's search horizon (a named difference); ChronoFlow still answers
        }

        if (quartz is not null && ours is null && quartz.Value.UtcDateTime.Year > 2099)
        {
            return; // "years after 2099" (a named difference): a year step such as 2093/5 reaches 2103 in Quartz only
        }

        if (quartz?.UtcTicks != ours?.UtcTicks && quartz is not null
            && CronExpression.Parse(c.Expression, CronFormat.Quartz).IsFixedTime
            && SecondPass(c.Zone, c.From) is { } pass && quartz.Value >= pass.Start && quartz.Value < pass.End)
        {
            // "Fixed time searched from inside a repeated hour": a fixed-time expression fires once in a repeated
            // (fall-back) hour, in its first pass, in both libraries; but a Quartz.NET search that starts inside the
            // repeated hour, after the first-pass instant, finds the second-pass one. ChronoFlow's answer does not depend on where the search
            // starts (README).
            _output.WriteLine($"fixed time in second pass: Quartz.NET {Show(quartz)}, ChronoFlow {Show(ours)} for {c}");
            return;
        }

        if (quartz?.UtcTicks != ours?.UtcTicks && quartz is not null && ours is not null
            && SpringForwardAt(c.Zone, ours.Value) is { } gap && (quartz.Value - ours.Value).Duration() <= gap)
        {
            // "Skipped wall times at some transitions": a wall time skipped by a spring-forward jump fires once, at
            // the jump, in ChronoFlow (its documented rule, which Quartz.NET follows in New York and London). At the
            // midnight jumps of Asuncion, Santiago, Havana or Beirut Quartz.NET, which asks .NET's local-time queries,
            // answers within the gap instead: the skipped wall time read at the new offset (an instant before the
            // jump, on the previous day) or the first real time after it. Not mirrored (README).
            _output.WriteLine($"skipped wall time: Quartz.NET {Show(quartz)}, ChronoFlow {Show(ours)} (the jump) for {c}");
            return;
        }

        Assert.True(
            quartz?.UtcTicks == ours?.UtcTicks,
            $"Quartz.NET gave {Show(quartz)}, ChronoFlow {Show(ours)} for {c}");
    }

    /// <summary>The second pass of the repeated hour that <paramref name="instant"/> is in (in either pass), or null.</summary>
    private static (DateTimeOffset Start, DateTimeOffset End)? SecondPass(TimeZoneInfo zone, DateTimeOffset instant)
    {
        foreach (var t in Reference.ReferenceZone.TransitionsBetween(zone, instant.UtcDateTime.AddHours(-4), instant.UtcDateTime.AddHours(4)))
        {
            var start = new DateTimeOffset(t.Instant, TimeSpan.Zero);
            var end = start + (t.Before - t.After);
            if (t.Before > t.After && instant >= start - (t.Before - t.After) && instant < end)
            {
                return (start, end);
            }
        }

        return null;
    }

    /// <summary>The wall-clock time skipped when the zone's offset grows at <paramref name="instant"/>, or null when it does not.</summary>
    private static TimeSpan? SpringForwardAt(TimeZoneInfo zone, DateTimeOffset instant)
    {
        var gap = zone.GetUtcOffset(instant.UtcDateTime) - zone.GetUtcOffset(instant.UtcDateTime.AddTicks(-1));
        return gap > TimeSpan.Zero ? gap : null;
    }

    [Property(Arbitrary = [typeof(QuartzArbitraries)], MaxTest = 500)]
    public void ToString_KeepsQuartzDialect_Meets_Specification(QuartzCase c)
    {
        var e = CronExpression.Parse(c.Expression, CronFormat.Quartz);
        var text = e.ToString();
        Assert.Equal(e, CronExpression.Parse(text, CronFormat.Quartz));

        // Quartz reads the canonical text as the same schedule.
        var (quartz, _) = Next(text, c.Zone, c.From);
        var (original, _) = Next(c.Expression, c.Zone, c.From);
        Assert.True(quartz?.UtcTicks == original?.UtcTicks, $"\"{text}\" (from \"{c.Expression}\"): Quartz gives {Show(quartz)} for it but {Show(original)} for the original");
    }

    /// <summary>The examples of Quartz.NET's CronTrigger tutorial, and a few of our own that pin Quartz's readings.</summary>
    public static TheoryData<string> DocumentedExamples =>
    [
        "0 0 12 * * ?",             // 12pm every day
        "0 15 10 ? * *",            // 10:15am every day
        "0 15 10 * * ?",
        "0 15 10 * * ? *",
        "0 15 10 * * ? 2005",       // every day during 2005 (searched from 2004 below)
        "0 * 14 * * ?",             // every minute from 2pm to 2:59pm
        "0 0/5 14 * * ?",           // every 5 minutes from 2pm to 2:55pm
        "0 0/5 14,18 * * ?",        // ... and from 6pm to 6:55pm
        "0 0-5 14 * * ?",           // every minute from 2pm to 2:05pm
        "0 10,44 14 ? 3 WED",       // 2:10pm and 2:44pm every Wednesday in March
        "0 15 10 ? * MON-FRI",      // weekdays
        "0 15 10 15 * ?",           // the 15th
        "0 15 10 L * ?",            // the last day of the month
        "0 15 10 L-2 * ?",          // the second-to-last day of the month
        "0 15 10 ? * 6L",           // the last Friday
        "0 15 10 ? * 6L 2002-2005", // the last Friday, 2002 to 2005
        "0 15 10 ? * 6#3",          // the third Friday
        "0 0 12 1/5 * ?",           // every 5 days from the 1st
        "0 11 11 11 11 ?",          // 11 November, 11:11
        "0 0 12 ? * L",             // L alone in day-of-week: Saturday
        "0 0 12 LW * ?",
        "0 0 12 L-3W * ?",
        "0 0 12 31W * ?",           // 31W in a shorter month: the weekday nearest its last day
        "0 0 12 30W 2,4 ?",
        "0 0 12 1W * ?",
        "0 0 12 1 * MON",           // both day fields restricted: either matches
        "0 0 12 */2 * MON",         // */2 restricts day-of-month in Quartz
        "0 0 12 L * 6#2",
        "0 0 22-2/3 ? * *",         // wrapping ranges
        "0 0 12 ? * 6-2/2",
        "0 0 12 ? DEC-FEB SAT-MON",
        "0 0 12 ? * SUN-SAT/2",
        "*/10 * * ? * *",
    ];

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void DocumentedExample_GivesQuartzInstants(string text)
    {
        foreach (var zoneId in new[] { "UTC", "America/New_York", "Europe/London" })
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            foreach (var start in new[] { new DateTimeOffset(2004, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 14, 9, 26, 53, 589, TimeSpan.Zero) })
            {
                var from = start;
                for (var i = 0; i < 12; i++)
                {
                    var (quartz, ours) = Next(text, zone, from);
                    Assert.True(quartz?.UtcTicks == ours?.UtcTicks, $"\"{text}\" in {zoneId} after {Show(from)}: Quartz.NET gave {Show(quartz)}, ChronoFlow {Show(ours)}");
                    if (ours is null)
                    {
                        break;
                    }

                    from = ours.Value;
                }
            }
        }
    }

    [Theory]
    [InlineData("0 0 12 ? * 2", "0 12 * * 1", CronFormat.Standard)]                    // Monday is 2 in Quartz
    [InlineData("0 0 12 ? * L", "0 12 * * SAT", CronFormat.Standard)]                  // L alone is Saturday
    [InlineData("0 0 12 ? * 1L", "0 12 * * 0L", CronFormat.Standard)]                  // the last Sunday
    [InlineData("0 0 12 ? * 7#2", "0 12 * * 6#2", CronFormat.Standard)]                // the second Saturday
    [InlineData("0 0 12 1 * 2", "0 12 1 * MON", CronFormat.Standard)]                  // either day field
    [InlineData("0 0 12 */2 * ?", "0 0 12 */2 * *", CronFormat.IncludeSeconds)]
    [InlineData("0 0 12 ? * * 2030", "0 0 12 * * * 2030", CronFormat.IncludeSeconds | CronFormat.IncludeYear)]
    public void Parse_Quartz_EqualsItsCrontabSpelling(string quartz, string crontab, CronFormat format)
        => Assert.Equal(CronExpression.Parse(crontab, format), CronExpression.Parse(quartz, CronFormat.Quartz));

    [Fact]
    public void Parse_Quartz_StarStepRestrictsADayField()
    {
        // Quartz: only a lone * or ? leaves a day field open, so */2 and MON combine by OR (crontab: by AND).
        var quartz = CronExpression.Parse("0 0 12 */2 * MON", CronFormat.Quartz);
        var crontab = CronExpression.Parse("0 0 12 */2 * MON", CronFormat.IncludeSeconds);
        var from = new DateTime(2026, 3, 14, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc), quartz.GetNextOccurrence(from)); // the 15th, a Sunday
        Assert.Equal(new DateTime(2026, 3, 23, 12, 0, 0, DateTimeKind.Utc), crontab.GetNextOccurrence(from)); // an odd day and a Monday
    }

    [Fact]
    public void Parse_Quartz_NearestWeekdayPastMonthEnd_ClampsToLastDay()
    {
        var e = CronExpression.Parse("0 0 12 31W 4 ?", CronFormat.Quartz);
        var from = new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2028, 4, 28, 12, 0, 0, DateTimeKind.Utc), e.GetNextOccurrence(from)); // 30 April 2028 is a Sunday
        Assert.Null(CronExpression.Parse("0 0 12 31W 4 *", CronFormat.IncludeSeconds).GetNextOccurrence(from)); // crontab: no 31st, no day
        Assert.NotEqual(e, CronExpression.Parse("0 0 12 31W 4 *", CronFormat.IncludeSeconds));
    }

    [Theory]
    [InlineData("0 0 12 * * ?", "0 0 12 * * ?")]
    [InlineData("0 0 12 ? * *", "0 0 12 * * ?")]
    [InlineData("0 15 10 ? * MON-FRI", "0 15 10 ? * 2-6")]
    [InlineData("0 15 10 ? * 6L 2002-2005", "0 15 10 ? * 6L 2002-2005")]
    [InlineData("0 0 12 ? * L", "0 0 12 ? * 7")]
    [InlineData("0 0 12 1 * MON", "0 0 12 1 * 2")]
    [InlineData("0 0 12 */2 * MON", "0 0 12 */2 * 2")]
    [InlineData("0 0 12 ? * */2", "0 0 12 ? * */2")]
    [InlineData("0 0 12 31W * ?", "0 0 12 31W * ?")]
    [InlineData("0 0 12 ? * FRI#3", "0 0 12 ? * 6#3")]
    [InlineData("0 0/5 14 * * ?", "0 */5 14 * * ?")]
    public void ToString_Quartz_IsCanonicalQuartzText(string text, string canonical)
    {
        var e = CronExpression.Parse(text, CronFormat.Quartz);
        Assert.Equal(canonical, e.ToString());
        Assert.Equal(e, CronExpression.Parse(e.ToString(), CronFormat.Quartz));
    }

    [Theory]
    [InlineData("0 0 12 ? * 0", "day-of-week: 0 is out of range 1-7", "1 = Sunday", 11)]
    [InlineData("0 0 12 ? * 8", "day-of-week: 8 is out of range 1-7", "1 = Sunday", 11)]
    [InlineData("*/5 * * * *", "expected 6 or 7 fields", "needs a seconds field", 11)]
    [InlineData("0 0 12 ? * * 2100", "year: 2100 is out of range 1970-2099", "up to 2126", 13)]
    [InlineData("0 0 12 ? * H", "H is not part of Quartz.NET's dialect", "day-of-week", 11)]
    [InlineData("0 0 12 ? * 6L-2", "L, W and # take no range or step", "day-of-week", 13)]
    [InlineData("0 0 12 ? ? ?", "'?' is allowed only in day-of-month and day-of-week", "month", 9)]
    public void Parse_Quartz_BadText_SaysWhatAndWhere(string text, string what, string also, int position)
    {
        var ex = Assert.Throws<CronFormatException>(() => CronExpression.Parse(text, CronFormat.Quartz));
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.Contains(also, ex.Message, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
        Assert.False(CronExpression.TryParse(text, CronFormat.Quartz, out var result));
        Assert.Equal(default, result);
    }

    [Theory]
    [InlineData("0 0 12 ? * MON-FRI", CronFormat.Standard, 11)]
    [InlineData("0 15 10 ? * 6L 2002-2005", CronFormat.Standard, 12)]
    [InlineData("0 15 10 ? * 6#3 2030", CronFormat.IncludeSeconds, 16)]
    [InlineData("0 0 12 ? * L", CronFormat.IncludeSeconds, 11)]
    public void Parse_QuartzTextAsCrontab_SuggestsQuartzFormat(string text, CronFormat format, int position)
    {
        var ex = Assert.Throws<CronFormatException>(() => CronExpression.Parse(text, format));
        Assert.Contains("looks like Quartz.NET's dialect", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CronFormat.Quartz", ex.Message, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
    }

    [Fact]
    public void Parse_CrontabError_HasNoQuartzHint()
    {
        var ex = Assert.Throws<CronFormatException>(() => CronExpression.Parse("61 * * * *"));
        Assert.DoesNotContain("Quartz", ex.Message, StringComparison.Ordinal);
    }
}
