namespace ChronoFlow.Tests.Scheduling;

public class ScheduleSyntaxTests
{
    [Theory]
    [InlineData("*/5 * * * *", CronFormat.Standard)]
    [InlineData("\t0  0 12 * * MON-FRI ", CronFormat.IncludeSeconds)]
    public void CronFormatOf_CountsFields(string text, CronFormat expected)
        => Assert.Equal(expected, ScheduleSyntax.CronFormatOf(text));
}
