namespace ChronoFlow.Tests.Scheduling;

public class ScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0 1 * * *", ScheduleKind.Cron)]
    [InlineData("  */5 * * * *  ", ScheduleKind.Cron)]
    [InlineData("30 0 1 * * *", ScheduleKind.Cron)]
    [InlineData("@daily", ScheduleKind.Cron)]
    [InlineData("@HOURLY", ScheduleKind.Cron)]
    [InlineData("@reboot", ScheduleKind.Startup)]
    [InlineData("@Reboot", ScheduleKind.Startup)]
    [InlineData("2025-09-20T02:00:00Z", ScheduleKind.Once)]
    [InlineData("2025-09-20T04:00:00+02:00", ScheduleKind.Once)]
    [InlineData("2025-09-20T02:00:00.5Z", ScheduleKind.Once)]
    public void Parse_ValidText_GivesTheKind(string text, ScheduleKind kind) => Assert.Equal(kind, Schedule.Parse(text).Kind);

    [Fact]
    public void Parse_IsoInstantWithOffset_RunsOnceAtThatInstant()
    {
        var s = Schedule.Parse("2025-09-20T04:00:00+02:00");

        Assert.Equal(new DateTimeOffset(2025, 9, 20, 2, 0, 0, TimeSpan.Zero), s.GetNextOccurrence(T0.AddYears(-10)));
        Assert.Null(s.GetNextOccurrence(new DateTimeOffset(2025, 9, 20, 2, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2025-09-20T04:00:00+02:00", s.ToString());
    }

    [Theory]
    [InlineData("2025-09-20T02:00:00")]
    [InlineData("2025-09-20")]
    [InlineData("2025-13-20T02:00:00Z")]
    public void Parse_InstantWithoutOffsetOrInvalid_ThrowsFormatExceptionNamingIt(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Schedule.Parse(text));
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        Assert.Contains("offset", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("every 5 minutes")]
    [InlineData("61 * * * *")]
    [InlineData("* * * *")]
    [InlineData("@sometimes")]
    public void Parse_Garbage_ThrowsCronFormatException(string text) => Assert.Throws<CronFormatException>(() => Schedule.Parse(text));

    [Fact]
    public void Parse_Empty_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => Schedule.Parse("   "));
        Assert.Throws<ArgumentNullException>(() => Schedule.Parse(null!));
    }

    [Fact]
    public void Cron_FiveAndSixFields_AreToldApartByCount()
    {
        Assert.Equal(T0.AddMinutes(1), Schedule.Cron("* * * * *").GetNextOccurrence(T0));
        Assert.Equal(T0.AddSeconds(1), Schedule.Cron("* * * * * *").GetNextOccurrence(T0));
    }

    [Fact]
    public void Cron_WithZone_FollowsTheZoneWallClock()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var s = Schedule.Cron("0 9 * * *", zone);

        Assert.Equal(new DateTimeOffset(2030, 1, 1, 8, 0, 0, TimeSpan.Zero), s.GetNextOccurrence(T0));
        Assert.Equal("0 9 * * * (Europe/Berlin)", s.ToString());
    }

    [Fact]
    public void Every_Interval_CountsFromItsAnchor()
    {
        var s = Schedule.Every(TimeSpan.FromMinutes(10), anchor: T0.AddMinutes(3));

        Assert.Equal(T0.AddMinutes(3), s.GetNextOccurrence(T0));
        Assert.Equal(T0.AddMinutes(13), s.GetNextOccurrence(T0.AddMinutes(3)));
        Assert.Equal(T0.AddMinutes(-7), s.GetNextOccurrence(T0.AddMinutes(-10)));
    }

    [Fact]
    public void Every_Jitter_DelaysEachOccurrenceWithinBoundsAndStably()
    {
        var s = Schedule.Every(TimeSpan.FromMinutes(10), T0, TimeSpan.FromMinutes(2)).Bind("job", 0);
        var other = Schedule.Every(TimeSpan.FromMinutes(10), T0, TimeSpan.FromMinutes(2)).Bind("other job", 0);

        // Occurrence k is anchor + k*interval + jitter(k); occurrence 0 comes after the anchor itself.
        var t = T0.AddTicks(-1);
        var offsets = new List<TimeSpan>();
        for (var k = 0; k < 50; k++)
        {
            var next = s.GetNextOccurrence(t)!.Value;
            var nominal = T0.AddMinutes(10 * k);
            Assert.InRange(next, nominal, nominal.AddMinutes(2));
            offsets.Add(next - nominal);
            Assert.Equal(next, s.GetNextOccurrence(t));
            t = next;
        }

        Assert.True(offsets.Distinct().Count() > 40);
        Assert.NotEqual(s.GetNextOccurrence(T0), other.GetNextOccurrence(T0));
    }

    [Fact]
    public void Every_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Every(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Every(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Every(TimeSpan.FromMinutes(1), jitter: TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ToString_EachKind_DescribesTheSchedule()
    {
        Assert.Equal("@every 00:05:00", Schedule.Every(TimeSpan.FromMinutes(5)).ToString());
        Assert.Equal("@reboot", Schedule.Startup.ToString());
        Assert.Equal("2030-01-01T00:00:00Z", Schedule.Once(T0).ToString());
        Assert.Equal("*/5 * * * *", Schedule.Parse("*/5 * * * *").ToString());
    }

    [Fact]
    public void Startup_HasNoCalendarOccurrence() => Assert.Null(Schedule.Startup.GetNextOccurrence(T0));
}
