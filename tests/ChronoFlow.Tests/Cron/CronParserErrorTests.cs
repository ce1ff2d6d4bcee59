using ChronoFlow.Tests.Cron.Reference;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// Every kind of bad input: <c>Parse</c> throws a <see cref="CronFormatException"/> whose message names the field
/// and the offending text and whose <see cref="CronFormatException.Position"/> points at the fault; <c>TryParse</c>
/// returns false with the default value and never throws. The reference must reject each too.
/// </summary>
public class CronParserErrorTests
{
    public static TheoryData<string, CronFormat, string, string, int> Errors => new()
    {
        // expression, format, the field named in the message, the offending text, 0-based position
        { "*/0 * * * *", CronFormat.Standard, "minute", "0", 2 },
        { "*/60 * * * *", CronFormat.Standard, "minute", "60", 2 },
        { "61 * * * *", CronFormat.Standard, "minute", "61", 0 },
        { "5-70 * * * *", CronFormat.Standard, "minute", "70", 2 },
        { "* 24 * * *", CronFormat.Standard, "hour", "24", 2 },
        { "* */0 * * *", CronFormat.Standard, "hour", "0", 4 },
        { "* * 32 * *", CronFormat.Standard, "day-of-month", "32", 4 },
        { "* * 0 * *", CronFormat.Standard, "day-of-month", "0", 4 },
        { "* * * 13 *", CronFormat.Standard, "month", "13", 6 },
        { "* * * 0 *", CronFormat.Standard, "month", "0", 6 },
        { "* * * * 8", CronFormat.Standard, "day-of-week", "8", 8 },
        { "60 * * * * *", CronFormat.IncludeSeconds, "second", "60", 0 },
        { "0 * * * * * 1969", CronFormat.IncludeSeconds | CronFormat.IncludeYear, "year", "1969", 12 },
        { "* * * * * 2100", CronFormat.IncludeYear, "year", "2100", 10 },
        { "1,,2 * * * *", CronFormat.Standard, "minute", ",", 2 },
        { "1, * * * *", CronFormat.Standard, "minute", ",", 2 },
        { ",1 * * * *", CronFormat.Standard, "minute", ",", 0 },
        { "*/5x * * * *", CronFormat.Standard, "minute", "x", 3 },
        { "* * * * *!", CronFormat.Standard, "day-of-week", "!", 9 },
        { "* * * * 1;2", CronFormat.Standard, "day-of-week", ";", 9 },
        { "? * * * *", CronFormat.Standard, "minute", "?", 0 },
        { "* ? * * *", CronFormat.Standard, "hour", "?", 2 },
        { "* * * ? *", CronFormat.Standard, "month", "?", 6 },
        { "* * * * L", CronFormat.Standard, "day-of-week", "L", 8 },
        { "* * * * JAN", CronFormat.Standard, "day-of-week", "JAN", 8 },
        { "* * * MON *", CronFormat.Standard, "month", "MON", 6 },
        { "* * * * FRX", CronFormat.Standard, "day-of-week", "FRX", 8 },
        { "* * * JANU *", CronFormat.Standard, "month", "JANU", 6 },
        { "* * MON * *", CronFormat.Standard, "day-of-month", "MON", 4 },
        { "* * * * 1#6", CronFormat.Standard, "day-of-week", "6", 10 },
        { "* * * * 1#0", CronFormat.Standard, "day-of-week", "0", 10 },
        { "* * * * 8L", CronFormat.Standard, "day-of-week", "8", 8 },
        { "* * L-31 * *", CronFormat.Standard, "day-of-month", "31", 6 },
        { "* * 0W * *", CronFormat.Standard, "day-of-month", "0", 4 },
        { "* * 32W * *", CronFormat.Standard, "day-of-month", "32", 4 },
        { "* * L-3/2 * *", CronFormat.Standard, "day-of-month", "/", 7 },
        { "* * 15W-20 * *", CronFormat.Standard, "day-of-month", "-", 7 },
        { "* * L/2 * *", CronFormat.Standard, "day-of-month", "/", 5 },
        { "* * * * 5#3-4", CronFormat.Standard, "day-of-week", "-", 11 },
        { "* * * * 5L/2", CronFormat.Standard, "day-of-week", "/", 10 },
    };

    public static TheoryData<string, CronFormat, string, int> StructuralErrors => new()
    {
        // expression, format, text the message must contain, 0-based position
        { "* * * * * *", CronFormat.Standard, "field", 10 },           // one field too many: points at it
        { "* * * * * 2025", CronFormat.Standard, "field", 10 },
        { "* * * * *", CronFormat.IncludeSeconds, "field", 9 },        // one field short: points at the end
        { "* * * *", CronFormat.Standard, "field", 7 },
        { "", CronFormat.Standard, "empty", 0 },
        { "   ", CronFormat.Standard, "empty", 0 },
        { "* * * * * * * *", CronFormat.IncludeSeconds | CronFormat.IncludeYear, "field", 14 },
        { "*\n * * * *", CronFormat.Standard, "minute", 1 },
        { "* * * * *\r\n", CronFormat.Standard, "day-of-week", 9 },
        { "* * * * *\u00a0", CronFormat.Standard, "day-of-week", 9 },
        { "@reboot", CronFormat.Standard, "@reboot", 0 },
        { "@fortnightly", CronFormat.Standard, "@fortnightly", 0 },
        { "@daily *", CronFormat.Standard, "@daily", 7 },
        { "@", CronFormat.Standard, "@", 0 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_BadField_ThrowsNamingFieldTextAndPosition(string expression, CronFormat format, string field, string token, int position)
    {
        Assert.False(ReferenceCron.TryParse(expression, format, out _, out _), $"the reference accepts '{expression}'");
        var error = Assert.Throws<CronFormatException>(() => CronExpression.Parse(expression, format));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(token, error.Message, StringComparison.Ordinal);
        Assert.True(position == error.Position, $"'{expression}': expected position {position}, got {error.Position}: {error.Message}");
        AssertTryParseFails(expression, format);
    }

    [Theory]
    [MemberData(nameof(StructuralErrors))]
    public void Parse_BadShape_ThrowsWithPosition(string expression, CronFormat format, string mention, int position)
    {
        Assert.False(ReferenceCron.TryParse(expression, format, out _, out _), $"the reference accepts '{expression}'");
        var error = Assert.Throws<CronFormatException>(() => CronExpression.Parse(expression, format));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Contains(mention, error.Message, StringComparison.OrdinalIgnoreCase);

        Assert.True(position == error.Position, $"'{expression}': expected position {position}, got {error.Position}: {error.Message}");
        AssertTryParseFails(expression, format);
    }

    [Fact]
    public void Parse_FieldCountError_SaysHowManyFieldsAreExpected()
    {
        var error = Assert.Throws<CronFormatException>(() => CronExpression.Parse("* * * * * *"));
        Assert.Contains("5", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<CronFormatException>(() => CronExpression.Parse("* * * * *", CronFormat.IncludeSeconds | CronFormat.IncludeYear));
        Assert.Contains("7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ErrorMessage_ShowsTheExpression()
    {
        var error = Assert.Throws<CronFormatException>(() => CronExpression.Parse("0 0 * JANX *"));
        Assert.Contains("0 0 * JANX *", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_WithSeed_FailsCleanly()
    {
        Assert.False(CronExpression.TryParse("61 * * * *", CronFormat.Standard, "seed", out var result));
        Assert.Equal(default, result);
        Assert.Throws<CronFormatException>(() => CronExpression.Parse("H H H H H H", CronFormat.Standard, "seed"));
    }

    private static void AssertTryParseFails(string expression, CronFormat format)
    {
        var ok = CronExpression.TryParse(expression, format, out var result);
        Assert.False(ok, $"TryParse accepted '{expression}'");
        Assert.Equal(default, result);
        Assert.Equal(string.Empty, result.ToString());
    }
}
