namespace ChronoFlow.Tests.Scheduling;

public class ScheduleSyntaxTests
{
    private static readonly DateTimeOffset Monday = new(2030, 1, 7, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("*/5 * * * *", "2030-01-07T00:05:00.0000000+00:00")]                // five fields: minute first
    [InlineData("\t0  0 12 * * MON-FRI ", "2030-01-07T12:00:00.0000000+00:00")]    // six fields: seconds first
    public void Cron_FieldCount_TellsTheFormat(string text, string expectedNext)
        => Assert.Equal(DateTimeOffset.Parse(expectedNext, System.Globalization.CultureInfo.InvariantCulture), Schedule.Cron(text).GetNextOccurrence(Monday));

    [Theory]
    [InlineData("* * * *", 7)]
    [InlineData("0 0 1 * * * *", 12)]
    public void Parse_WrongFieldCount_NamesTheCountAndWhere(string text, int position)
    {
        var ex = Assert.Throws<CronFormatException>(() => Schedule.Parse(text));
        Assert.Equal(position, ex.Position);
        Assert.Contains($"has {text.Split(' ').Length} fields", ex.Message, StringComparison.Ordinal);
    }
}
