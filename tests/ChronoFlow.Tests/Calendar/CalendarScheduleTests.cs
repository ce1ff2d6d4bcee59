using System.Globalization;

namespace ChronoFlow.Tests.Calendar;

/// <summary>
/// Hand-written calendar events with their elapses as systemd 252's <c>systemd-analyze calendar</c> gives them
/// (whole seconds, UTC), with the daylight-saving days of several zones: a wall time in a gap is skipped, a repeated
/// wall time runs once (in the earlier offset), and in zones whose winter is flagged as daylight saving (Europe/Dublin)
/// a gap time makes systemd give up on the rest of that day.
/// </summary>
public sealed class CalendarScheduleTests
{
    public static TheoryData<string, string, string> Elapses => new()
    {
        // event, base time, systemd's next elapses
        { "*-*-* 02:30 Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T00:30:00Z 2026-03-31T00:30:00Z 2026-04-01T00:30:00Z" },
        { "*-*-* 02:30 Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z 2026-10-26T01:30:00Z 2026-10-27T01:30:00Z" },
        { "*-*-* *:30 Europe/Berlin", "2026-10-24T23:00:00Z", "2026-10-24T23:30:00Z 2026-10-25T00:30:00Z 2026-10-25T02:30:00Z" },
        { "*-*-* 02,03:00 Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:00:00Z 2026-10-25T02:00:00Z 2026-10-26T01:00:00Z 2026-10-26T02:00:00Z" },
        { "*-*-* 02:30 America/New_York", "2026-03-07T12:00:00Z", "2026-03-09T06:30:00Z 2026-03-10T06:30:00Z 2026-03-11T06:30:00Z" },
        { "*-*-* 01:00/20 America/New_York", "2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z 2026-11-01T05:20:00Z 2026-11-01T05:40:00Z 2026-11-02T06:00:00Z" },
        { "*-*-* 02:15 Australia/Lord_Howe", "2026-10-03T12:00:00Z", "2026-10-04T15:15:00Z 2026-10-05T15:15:00Z 2026-10-06T15:15:00Z" },
        { "*-*-* 01:45 Australia/Lord_Howe", "2026-04-04T12:00:00Z", "2026-04-04T14:45:00Z 2026-04-05T15:15:00Z 2026-04-06T15:15:00Z" },
        { "*-*-* 00:05 Asia/Kathmandu", "1985-12-31T12:00:00Z", "1986-01-01T18:20:00Z 1986-01-02T18:20:00Z 1986-01-03T18:20:00Z" },
        { "*-*-* 01,05:30 Europe/Dublin", "2026-03-29T00:00:00Z", "2026-03-30T00:30:00Z 2026-03-30T04:30:00Z 2026-03-31T00:30:00Z" },
        { "*:18 Africa/Casablanca", "2021-05-16T01:44:00Z", "2021-05-16T02:18:00Z 2021-05-16T03:18:00Z 2021-05-16T04:18:00Z" },
        { "Sat,Sun 10:00 Europe/Berlin", "2026-03-10T12:00:00Z", "2026-03-14T09:00:00Z 2026-03-15T09:00:00Z 2026-03-21T09:00:00Z" },
        { "Mon..Fri *-*~1", "2026-01-15T00:00:00Z", "2026-03-31T00:00:00Z 2026-04-30T00:00:00Z 2026-06-30T00:00:00Z" },
        { "*-02~03", "2026-01-01T00:00:00Z", "2026-02-26T00:00:00Z 2027-02-26T00:00:00Z 2028-02-27T00:00:00Z" },
        { "*-05~07/1 12:00", "2026-01-01T00:00:00Z", "2026-05-25T12:00:00Z 2026-05-26T12:00:00Z 2026-05-27T12:00:00Z" },
        { "Sat,Sun *-*-1..7 10:00", "2026-03-10T00:00:00Z", "2026-04-04T10:00:00Z 2026-04-05T10:00:00Z 2026-05-02T10:00:00Z" },
        { "2026-01..06-01", "2026-03-10T00:00:00Z", "2026-04-01T00:00:00Z 2026-05-01T00:00:00Z 2026-06-01T00:00:00Z" },
        { "*-*-1/2 06:00", "2026-03-10T00:00:00Z", "2026-03-11T06:00:00Z 2026-03-13T06:00:00Z 2026-03-15T06:00:00Z" },
        { "*:0/15", "2026-03-10T09:50:00Z", "2026-03-10T10:00:00Z 2026-03-10T10:15:00Z 2026-03-10T10:30:00Z" },
        { "Mon,Wed..Fri 8..18:00", "2026-03-10T17:30:00Z", "2026-03-11T08:00:00Z 2026-03-11T09:00:00Z 2026-03-11T10:00:00Z" },
        { "quarterly", "2026-03-10T00:00:00Z", "2026-04-01T00:00:00Z 2026-07-01T00:00:00Z 2026-10-01T00:00:00Z" },
        { "semiannually", "2026-03-10T00:00:00Z", "2026-07-01T00:00:00Z 2027-01-01T00:00:00Z 2027-07-01T00:00:00Z" },
        { "weekly", "2026-03-10T00:00:00Z", "2026-03-16T00:00:00Z 2026-03-23T00:00:00Z 2026-03-30T00:00:00Z" },
        { "*:*:0/7.5", "2026-03-10T12:00:00Z", "2026-03-10T12:00:07Z 2026-03-10T12:00:15Z 2026-03-10T12:00:22Z" },
        { "2020-01-01", "2026-03-10T00:00:00Z", "" },
        { "*-02-30", "2026-03-10T00:00:00Z", "" },
    };

    [Theory]
    [MemberData(nameof(Elapses))]
    public void ElapsesAsSystemd(string text, string baseTime, string expected)
    {
        var schedule = Schedule.Calendar(text);
        var at = DateTimeOffset.Parse(baseTime, CultureInfo.InvariantCulture);
        var actual = new List<string>();
        var count = expected.Length == 0 ? 1 : expected.Split(' ').Length;
        for (var k = 0; k < count; k++)
        {
            var next = schedule.GetNextOccurrence(at);
            if (next is null)
            {
                break;
            }

            // systemd-analyze prints whole seconds.
            var seconds = next.Value.ToUnixTimeSeconds();
            actual.Add(DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            Assert.True(next.Value > at);
            at = next.Value;
        }

        Assert.Equal(expected, string.Join(' ', actual));
    }

    [Fact]
    public void FractionalSecondsAreKept()
    {
        var next = Schedule.Calendar("*:*:0/7.5").GetNextOccurrence(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 12, 0, 7, 500, TimeSpan.Zero), next);
    }

    [Fact]
    public void IsACalendarScheduleWithItsTextAndMeaning()
    {
        var schedule = Schedule.Calendar("Mon..Fri *-*-* 8:00 Europe/Berlin");
        Assert.Equal(ScheduleKind.Calendar, schedule.Kind);
        Assert.Equal("Mon..Fri *-*-* 8:00 Europe/Berlin", schedule.ToString());
        Assert.True(schedule.SameAs(Schedule.Calendar("mon-fri *-*-* 08:00:00 Europe/Berlin")));
        Assert.False(schedule.SameAs(Schedule.Calendar("Mon..Fri *-*-* 08:00 UTC")));
        Assert.False(schedule.SameAs(Schedule.Cron("0 8 * * 1-5")));
    }

    [Theory]
    [InlineData("daily", "*-*-* 00:00:00")]
    [InlineData("hourly", "*-*-* *:00:00")]
    [InlineData("minutely", "*-*-* *:*:00")]
    [InlineData("monthly", "*-*-01 00:00:00")]
    [InlineData("yearly", "*-01-01 00:00:00")]
    [InlineData("annually", "*-01-01 00:00:00")]
    [InlineData("weekly", "Mon *-*-* 00:00:00")]
    [InlineData("quarterly", "*-01,04,07,10-01 00:00:00")]
    [InlineData("semiannually", "*-01,07-01 00:00:00")]
    [InlineData("Sat,Sun", "Sat,Sun *-*-* 00:00:00")]
    [InlineData("Mon,Wed..Fri 8..18:00", "Mon,Wed..Fri *-*-* 08..18:00:00")]
    [InlineData("*-*-1..7/3", "*-*-01..07/3 00:00:00")]
    [InlineData("26-1..6/4-1", "2026-01..05/4-01 00:00:00")]
    [InlineData("*-05~07/1", "*-05~07/1 00:00:00")]
    [InlineData("12:00:1.1234567", "*-*-* 12:00:01.123457")]
    [InlineData("@1774742400", "2026-03-29 00:00:00 UTC")]
    [InlineData("daily utc", "*-*-* 00:00:00 UTC")]
    [InlineData("*:0/15 Europe/Berlin", "*-*-* *:00/15:00 Europe/Berlin")]
    public void NormalizesAsSystemd(string text, string normalized)
    {
        Assert.True(CalendarParser.TryParse(text, out var parsed, out _));
        Assert.Equal(normalized, parsed!.Normalized);
    }

    [Fact]
    public void NextDoesNotAllocate()
    {
        var schedule = Schedule.Calendar("Mon..Fri *-*~1..3 9..17:0/15 Europe/Berlin");
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        // A first pass over the same stretch lets ZoneRules cache the years' transitions.
        var t = start;
        for (var k = 0; k < 1000; k++)
        {
            t = schedule.Next(t);
        }

        t = start;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < 1000; k++)
        {
            t = schedule.Next(t);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(Schedule.NoOccurrence, t);
    }
}
