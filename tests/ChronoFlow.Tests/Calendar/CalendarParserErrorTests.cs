namespace ChronoFlow.Tests.Calendar;

/// <summary>
/// Bad events: <see cref="Schedule.Calendar"/> throws a <see cref="CalendarFormatException"/> that says what is wrong
/// and where, and <c>TryParse</c> returns the same code and position without throwing. Every one of these is refused
/// by systemd-analyze too (the differential test compares acceptance on generated events).
/// </summary>
public sealed class CalendarParserErrorTests
{
    public static TheoryData<string, string, int> Errors => new()
    {
        // event, text the message must contain, 0-based position
        { "", "empty", 0 },
        { " UTC", "empty", 0 },
        { "*-*-32", "day: 32 is out of range", 4 },
        { "*-13-01", "month: 13 is out of range", 2 },
        { "1969-01-01", "year: 1969 is out of range", 0 },
        { "24:00", "hour: 24 is out of range", 0 },
        { "*:60", "minute: 60 is out of range", 2 },
        { "*:*:60", "second: 60 is out of range", 4 },
        { "*-*-31/2", "never repeats", 4 },
        { "*-*~1/1", "never repeats", 4 },
        { "*-*~29", "out of range", 4 },
        { "*-*-5..3", "empty", 4 },
        { "*-*-1/0", "must be positive", 6 },
        { "*:*/15", "unexpected character '/'", 3 },
        { "Mond *-*-*", "unexpected character 'd'", 3 },
        { "Fri..Mon", "ends at Mon", 5 },
        { "Mon..", "no end", 5 },
        { "Mon..Wed..Fri", "two ends", 8 },
        { "Mon,5", "expected a weekday", 4 },
        { "*-*-x", "expected a number", 4 },
        { "2026~01-05", "'~'", 4 },
        { "12", "ends too early", 2 },
        { "12:00 ", "unexpected character ' '", 5 },
        { "*-*-* 12:00 Europe/Nowhere", "unexpected character ' '", 11 },
        { "*:*:5..5", "empty", 4 },
        { "*-*-99999999999", "too large", 4 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void ThrowsWithWhatAndWhere(string text, string message, int position)
    {
        var ex = Assert.Throws<CalendarFormatException>(() => Schedule.Calendar(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
        Assert.Contains($"at position {position}", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(ex);

        Assert.False(CalendarParser.TryParse(text, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Equal(position, error.Position);
        Assert.NotEqual(CalendarParseErrorCode.None, error.Code);
    }

    [Theory]
    [InlineData("0 5 * * *")]
    [InlineData("*/5 * * * *")]
    [InlineData("0 0 12 * * MON-FRI")]
    [InlineData("30 4 1,15 * 5")]
    public void ACronExpressionIsToldToUseScheduleCron(string text)
    {
        var ex = Assert.Throws<CalendarFormatException>(() => Schedule.Calendar(text));
        Assert.Contains("looks like a cron expression", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Schedule.Cron", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, ex.Position);
    }

    [Theory]
    [InlineData("@daily")]
    [InlineData("@hourly")]
    public void ACronMacroIsToldToUseScheduleCron(string text)
    {
        var ex = Assert.Throws<CalendarFormatException>(() => Schedule.Calendar(text));
        Assert.Contains("cron macro", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Schedule.Cron", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("now", 0)]
    [InlineData("today", 0)]
    [InlineData("tomorrow UTC", 0)]
    [InlineData("yesterday", 0)]
    public void RelativeTimesAreRefused(string text, int position)
    {
        var ex = Assert.Throws<CalendarFormatException>(() => Schedule.Calendar(text));
        Assert.Contains("not a repeating calendar event", ex.Message, StringComparison.Ordinal);
        Assert.Equal(position, ex.Position);
    }

    [Fact]
    public void NullIsAnArgumentError() => Assert.Throws<ArgumentNullException>(() => Schedule.Calendar(null!));
}
