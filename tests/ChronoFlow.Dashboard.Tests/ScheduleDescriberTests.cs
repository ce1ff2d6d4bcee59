namespace ChronoFlow.Dashboard.Tests;

/// <summary>Plain words for the common schedule shapes, and nothing (the text as written) for the rest.</summary>
public sealed class ScheduleDescriberTests
{
    [Theory]
    [InlineData("* * * * *", "every minute")]
    [InlineData("*/15 * * * *", "every 15 minutes")]
    [InlineData("5 * * * *", "every hour at 5 minutes past")]
    [InlineData("0 * * * *", "every hour, on the hour")]
    [InlineData("30 */2 * * *", "every 2 hours at 30 minutes past")]
    [InlineData("0 8 * * *", "every day at 08:00")]
    [InlineData("0 8 * * MON-FRI", "at 08:00 on Monday to Friday")]
    [InlineData("30 17 * * 1,3,5", "at 17:30 on Monday, Wednesday and Friday")]
    [InlineData("0 0 1 * *", "at 00:00 on day 1 of every month")]
    [InlineData("*/10 * * * * *", "every 10 seconds")]
    [InlineData("15 30 6 * * *", "every day at 06:30:15")]
    [InlineData("0 0 8 ? * 2-6", "at 08:00 on Monday to Friday")]
    [InlineData("@daily", "every day at 00:00")]
    [InlineData("0 8 1-7 * MON", null)]
    [InlineData("0 8 * 1 *", null)]
    [InlineData("0 8,12 * * *", null)]
    [InlineData("0 0 L * *", null)]
    public void Cron(string text, string? expected)
        => Assert.Equal(expected, ScheduleDescriber.Describe(ScheduleKind.Cron, text));

    [Theory]
    [InlineData("00:00:10", "every 10 seconds")]
    [InlineData("00:05:00", "every 5 minutes")]
    [InlineData("01:00:00", "every hour")]
    [InlineData("2.00:00:00", "every 2 days")]
    [InlineData("00:00:01.5000000", null)]
    public void Interval(string span, string? expected)
    {
        var schedule = Schedule.Every(TimeSpan.Parse(span, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, ScheduleDescriber.Describe(schedule.Kind, schedule.ToString()));
    }

    [Fact]
    public void Zone_IsSplitFromTheText()
    {
        var schedule = Schedule.Cron("0 8 * * *", TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));

        Assert.Equal(("0 8 * * *", "America/New_York"), ScheduleDescriber.SplitZone(schedule));
        Assert.Equal(("0 8 * * *", (string?)null), ScheduleDescriber.SplitZone(Schedule.Cron("0 8 * * *")));
    }
}
