namespace ChronoFlow.Tests.Cron;

/// <summary>
/// Text written in the other dialect: a systemd calendar event read by the schedule reader as cron is told so (the reverse, cron given to
/// <see cref="Schedule.Calendar(string)"/>, is covered by the calendar parser's error tests); and the zone rule of
/// <see cref="Schedule.Calendar(string, TimeZoneInfo?)"/>.
/// </summary>
public class CronCalendarDialectTests
{
    private const string Hint = "looks like a systemd calendar event";

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Theory]
    [InlineData("Mon..Fri 09:00")]
    [InlineData("*-*-* 02:30:00")]
    [InlineData("daily")]
    [InlineData("Sat,Sun 10:00 Europe/Berlin")]
    public void Schedule_Parse_CalendarEvent_SaysWhichDialect(string text)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => Schedule.Parse(text));

        Assert.Contains(Hint, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Schedule.Calendar", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedule_Cron_CalendarEvent_SaysWhichDialectAndWhere()
    {
        var ex = Assert.Throws<CronFormatException>(() => Schedule.Cron("Mon..Fri *-*-* 09:00"));

        Assert.Contains(Hint, ex.Message, StringComparison.Ordinal);
        Assert.Equal(20, ex.Position);
    }

    [Fact]
    public void CronExpression_Parse_CalendarEvent_GivesTheCronReasonOnly()
    {
        // The engine does not know calendar events (it is the earlier stage); the schedule reader adds the note.
        var ex = Assert.Throws<CronFormatException>(() => CronExpression.Parse("Mon..Fri *-*-* 09:00"));

        Assert.StartsWith("expected 5 fields", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Hint, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("0 0 12 ? * L")]
    [InlineData("* * * *")]
    public void CronError_NotACalendarEvent_HasNoCalendarHint(string text)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => Schedule.Parse(text));

        Assert.DoesNotContain(Hint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuartzTextReadAsCrontab_StillGetsTheQuartzHint()
    {
        var ex = Assert.Throws<CronFormatException>(() => CronExpression.Parse("0 0 12 ? * L", CronFormat.IncludeSeconds));

        Assert.Contains("looks like Quartz.NET's dialect", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Hint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calendar_WithZone_AppliesItWhenTheEventHasNone()
    {
        var from = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

        var zoned = Schedule.Calendar("*-*-* 09:00", Berlin);

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 7, 0, 0, TimeSpan.Zero), zoned.GetNextOccurrence(from));
        Assert.Equal(Schedule.Calendar("*-*-* 09:00 Europe/Berlin").GetNextOccurrence(from), zoned.GetNextOccurrence(from));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero), Schedule.Calendar("*-*-* 09:00", null).GetNextOccurrence(from));
    }

    [Theory]
    [InlineData("*-*-* 09:00 Europe/Berlin")]
    [InlineData("@1767225600")]
    public void Calendar_WithZone_SameZoneOrAnInstant_IsAccepted(string text)
    {
        var from = new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(Schedule.Calendar(text).GetNextOccurrence(from), Schedule.Calendar(text, Berlin).GetNextOccurrence(from));
    }

    [Theory]
    [InlineData("*-*-* 09:00 UTC", 12, "UTC")]
    [InlineData("Mon 09:00 America/New_York", 10, "America/New_York")]
    public void Calendar_WithZone_ADifferentZoneInTheEvent_IsAnError(string text, int position, string own)
    {
        var ex = Assert.Throws<CalendarFormatException>(() => Schedule.Calendar(text, Berlin));

        Assert.Equal(position, ex.Position);
        Assert.StartsWith($"the event names its own time zone, {own}, and the zone Europe/Berlin was given as well", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calendar_WithZoneUtc_AndAnEventInUtc_IsAccepted()
    {
        var from = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.Zero), Schedule.Calendar("*-*-* 09:00 UTC", TimeZoneInfo.Utc).GetNextOccurrence(from));
    }
}
